/**
 * `npm run simulators`: the three vendor simulators as standalone servers (ports 4101-4103, or
 * SIMULATOR_CLOSER_PORT, SIMULATOR_BOTONE_PORT, SIMULATOR_CXONE_PORT), for curl,
 * for a botgraph started elsewhere, or for a frontend developer's own tools.
 */
import { ConfigError, loadSimulatorCliConfig } from '../config.js';
import { startBotoneSimulator } from '../providers/botone/simulator/index.js';
import { startCloserSimulator } from '../providers/closer/simulator/index.js';
import { startCxoneSimulator } from '../providers/cxone/simulator/index.js';

let config;
try {
  config = loadSimulatorCliConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`simulators: bad configuration: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
const { host, activity, admin, seed, activityIntervalMs } = config;
const common = { host, activity, admin, seed, activityIntervalMs };

const closer = await startCloserSimulator({ port: config.ports.closer, ...common });
// The secret travels in a header, as botgraph requires (never as `?secret=`, which proxies log).
if (config.closerWebhookUrl) {
  closer.setWebhook(config.closerWebhookUrl, config.closerWebhookSecret ? { 'x-botgraph-webhook-secret': config.closerWebhookSecret } : {});
}
const botone = await startBotoneSimulator({ port: config.ports.botone, ...common });
const cxone = await startCxoneSimulator({ port: config.ports.cxone, ...common });

console.log(`CLOSER   ${closer.url}   X-API-Key: ${closer.apiKey}`);
console.log(`Bot.one  ${botone.url}   Basic ${botone.username}:${botone.password}   bots ${botone.botIds.join(',')}`);
console.log(
  `CXone    ${cxone.url}   token=${Object.entries(cxone.tokens)
    .map(([bot, token]) => `${bot}:${token}`)
    .join(',')}`,
);
console.log(`Stats at <url>/__sim/stats${admin ? ', faults at <url>/__sim/faults' : ''}. Ctrl-C stops.`);

const stop = async () => {
  await Promise.all([closer.close(), botone.close(), cxone.close()]);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
