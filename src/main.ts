/**
 * `npm start`: botgraph with the configuration from the environment. With nothing configured,
 * every provider is served by its embedded simulator.
 */
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startBotgraph } from './server.js';

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
const app = await startBotgraph(config, { logger });
for (const [provider, runtime] of app.registry.runtimes) {
  logger.info({ provider, mode: runtime.mode, apiVersion: runtime.apiVersion }, 'provider ready');
}
logger.info(`botgraph ready: ${app.url}/graphql (GraphiQL in a browser)`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
