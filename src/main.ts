/**
 * `npm start`: botgraph with the configuration from the environment. With nothing configured,
 * every provider is served by its embedded simulator.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`botgraph: bad configuration: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger(config.logLevel);
// Tracing first (and only when configured): the SDK must be in place before graphql is imported.
const tracing = config.ops.otlpEndpoint ? await (await import('./observability/tracing.js')).startTracing(config.ops.otlpEndpoint) : null;
const { startBotgraph } = await import('./server.js');
let app;
try {
  app = await startBotgraph(config, { logger });
} catch (error) {
  // A dependency named by a variable (REDIS_URL) that is unreachable: one line, no stack.
  if (error instanceof ConfigError) {
    console.error(`botgraph: cannot start: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
for (const [provider, runtime] of app.registry.runtimes) {
  logger.info({ provider, mode: runtime.mode, apiVersion: runtime.apiVersion }, 'provider ready');
}
logger.info({ pid: process.pid }, `botgraph ready: ${app.url}/graphql (GraphiQL in a browser)`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  await tracing?.shutdown().catch(() => {});
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

// Under `npm start`, npm forwards SIGTERM/SIGINT; if npm itself is killed outright (SIGKILL), this
// process is re-parented. Notice it and drain instead of running on as an orphan. (A process whose
// parent lives on, a container's PID 1 or a systemd unit, never sees its ppid change.)
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop('parent exited');
}, 1_000).unref();
