/** The CLOSER simulator as botgraph embeds it when no CLOSER_BASE_URL is set (loaded on demand only). */
import type { EmbeddedSimulator, EmbeddedSimulatorOptions } from '../../types.js';
import type { CloserConfig } from '../config.js';
import { startCloserSimulator } from './index.js';

export async function startEmbedded(config: CloserConfig, options: EmbeddedSimulatorOptions): Promise<EmbeddedSimulator<CloserConfig>> {
  const simulator = await startCloserSimulator({ ...options, apiKey: config.apiKey });
  const secret = config.webhookSecret ? `?secret=${encodeURIComponent(config.webhookSecret)}` : '';
  return {
    handle: simulator,
    config: { ...config, baseUrl: simulator.url, apiKey: simulator.apiKey },
    // The embedded simulator delivers its webhooks to botgraph, as a real CLOSER would once configured.
    attach: (botgraphUrl) => simulator.setWebhook(`${botgraphUrl}/webhooks/closer${secret}`),
    detach: () => simulator.setWebhook(undefined),
  };
}

export async function startStandalone(options: EmbeddedSimulatorOptions & { webhookUrl?: string }) {
  const simulator = await startCloserSimulator(options);
  return { handle: simulator, describe: () => `${simulator.url}   X-API-Key: ${simulator.apiKey}` };
}
