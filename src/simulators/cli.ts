/**
 * `npm run simulators`: every provider's simulator as a standalone server (ports 4101, 4102, … in
 * registry order, or SIMULATOR_<PROVIDER>_PORT such as SIMULATOR_CLOSER_PORT), for curl, for a
 * botgraph started elsewhere, or for a frontend developer's own tools.
 */
import { ConfigError, loadSimulatorCliConfig } from '../config.js';
import { ADAPTERS } from '../providers/registry.js';
import type { SimulatorHandle } from './common/options.js';

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

const started: SimulatorHandle[] = [];
for (const adapter of ADAPTERS) {
  const simulator = await (
    await adapter.loadSimulator()
  ).startStandalone({
    port: config.ports[adapter.slug],
    ...common,
    ...(config.closerWebhookUrl ? { webhookUrl: config.closerWebhookUrl } : {}),
    ...(config.closerWebhookSecret ? { webhookSecret: config.closerWebhookSecret } : {}),
  });
  started.push(simulator.handle);
  console.log(`${adapter.label.padEnd(8)} ${simulator.describe()}`);
}
console.log(`Stats at <url>/__sim/stats${admin ? ', faults at <url>/__sim/faults' : ''}. Ctrl-C stops.`);

const stop = async () => {
  await Promise.all(started.map((s) => s.close()));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
