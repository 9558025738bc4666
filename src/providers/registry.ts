import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createBotoneRuntime } from './botone/index.js';
import { createCloserRuntime } from './closer/index.js';
import { createCxoneRuntime } from './cxone/index.js';
import { ProviderBreaker, type Breakers } from '../datasources/breaker.js';
import type { ProviderRuntime } from '../datasources/types.js';
import type { UpstreamObserver } from '../observability/metrics.js';
import { UnreachableCaseError } from '../errors.js';
import type { ProviderName } from '../models.js';
import { startBotoneSimulator } from './botone/simulator/index.js';
import { startCloserSimulator, type CloserSimulator } from './closer/simulator/index.js';
import { startCxoneSimulator } from './cxone/simulator/index.js';
import type { SimulatorHandle } from '../simulators/common/options.js';

export interface ProviderRegistry {
  runtimes: Map<ProviderName, ProviderRuntime>;
  /** The embedded simulators started for providers with no configured base URL. */
  simulators: Partial<Record<ProviderName, SimulatorHandle>>;
  /** The CLOSER simulator, when embedded: botgraph points its webhooks at itself once listening. */
  closerSimulator: CloserSimulator | null;
  /** One circuit breaker per enabled provider, shared by all of its clients. */
  breakers: Breakers;
  close(): Promise<void>;
}

/**
 * Builds one runtime per enabled provider. A provider without a base URL gets its embedded
 * simulator on loopback, with the simulator's demo credentials, so `npm start` needs no account.
 */
export async function startProviders(config: Config, logger: Logger, observer?: UpstreamObserver): Promise<ProviderRegistry> {
  const runtimes = new Map<ProviderName, ProviderRuntime>();
  const simulators: Partial<Record<ProviderName, SimulatorHandle>> = {};
  let closerSimulator: CloserSimulator | null = null;
  const sim = {
    host: '127.0.0.1',
    port: 0,
    seed: config.simulator.seed,
    activity: config.simulator.activity,
    activityIntervalMs: config.simulator.activityIntervalMs,
    admin: true,
  };
  const breakers: Breakers = new Map();

  try {
    for (const provider of config.providers) {
      const breaker = new ProviderBreaker(provider, config.ops.breaker);
      breakers.set(provider, breaker);
      const upstream = { ...config.upstream, breaker, ...(observer ? { observer } : {}) };
      switch (provider) {
        case 'CLOSER': {
          let { baseUrl, apiKey } = config.closer;
          const mode = baseUrl ? 'REMOTE' : 'SIMULATOR';
          if (!baseUrl) {
            closerSimulator = await startCloserSimulator({ ...sim, apiKey });
            simulators.CLOSER = closerSimulator;
            baseUrl = closerSimulator.url;
            apiKey = closerSimulator.apiKey;
          }
          runtimes.set(
            provider,
            createCloserRuntime({ config: { ...config.closer, baseUrl, apiKey }, upstream, mode, logger }),
          );
          break;
        }
        case 'BOTONE': {
          let { baseUrl, username, password, botIds } = config.botone;
          const mode = baseUrl ? 'REMOTE' : 'SIMULATOR';
          if (!baseUrl) {
            const simulator = await startBotoneSimulator({ ...sim, username, password });
            simulators.BOTONE = simulator;
            baseUrl = simulator.url;
            if (botIds.length === 0) botIds = simulator.botIds.map(String);
          }
          runtimes.set(
            provider,
            createBotoneRuntime({ config: { ...config.botone, baseUrl, username, password, botIds }, upstream, mode, logger }),
          );
          break;
        }
        case 'CXONE': {
          let { baseUrl, tokens } = config.cxone;
          const mode = baseUrl ? 'REMOTE' : 'SIMULATOR';
          if (!baseUrl) {
            const simulator = await startCxoneSimulator({ ...sim });
            simulators.CXONE = simulator;
            baseUrl = simulator.url;
            if (Object.keys(tokens).length === 0) tokens = { ...simulator.tokens };
          }
          runtimes.set(provider, createCxoneRuntime({ config: { baseUrl, tokens }, upstream, mode, logger }));
          break;
        }
        default:
          throw new UnreachableCaseError(provider);
      }
    }
  } catch (error) {
    await Promise.all(Object.values(simulators).map((s) => s.close()));
    throw error;
  }

  return {
    runtimes,
    simulators,
    closerSimulator,
    breakers,
    async close() {
      await Promise.all([...runtimes.values()].map((r) => r.close()));
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}
