/** The CXone simulator as botgraph embeds it when no CXONE_BASE_URL is set (loaded on demand only). */
import type { EmbeddedSimulator, EmbeddedSimulatorOptions } from '../../types.js';
import type { CxoneConfig } from '../config.js';
import { startCxoneSimulator } from './index.js';

export async function startEmbedded(config: CxoneConfig, options: EmbeddedSimulatorOptions): Promise<EmbeddedSimulator<CxoneConfig>> {
  const simulator = await startCxoneSimulator({ ...options });
  return {
    handle: simulator,
    config: { ...config, baseUrl: simulator.url, tokens: Object.keys(config.tokens).length > 0 ? config.tokens : { ...simulator.tokens } },
  };
}

export async function startStandalone(options: EmbeddedSimulatorOptions) {
  const simulator = await startCxoneSimulator(options);
  const tokens = Object.entries(simulator.tokens).map(([bot, token]) => `${bot}:${token}`);
  return { handle: simulator, describe: () => `${simulator.url}   token=${tokens.join(',')}` };
}
