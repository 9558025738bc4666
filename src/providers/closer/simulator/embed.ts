/** The CLOSER simulator as botgraph embeds it when no CLOSER_BASE_URL is set (loaded on demand only). */
import type { EmbeddedSimulator, EmbeddedSimulatorOptions } from '../../types.js';
import type { CloserConfig } from '../config.js';
import { startCloserSimulator } from './index.js';

export async function startEmbedded(config: CloserConfig, options: EmbeddedSimulatorOptions): Promise<EmbeddedSimulator<CloserConfig>> {
  const simulator = await startCloserSimulator({ ...options, apiKey: config.apiKey });
  // The secret travels in a header (never as `?secret=`, which lands in proxy logs).
  const headers: Record<string, string> = config.webhookSecret ? { 'x-botgraph-webhook-secret': config.webhookSecret } : {};
  return {
    handle: simulator,
    config: { ...config, baseUrl: simulator.url, apiKey: simulator.apiKey },
    // The embedded simulator delivers its webhooks to botgraph, as a real CLOSER would once configured.
    attach: (botgraphUrl) => simulator.setWebhook(`${botgraphUrl}/webhooks/closer`, headers),
    detach: () => simulator.setWebhook(undefined),
  };
}

export async function startStandalone(options: EmbeddedSimulatorOptions & { webhookUrl?: string; webhookSecret?: string }) {
  const { webhookUrl, webhookSecret, ...rest } = options;
  const simulator = await startCloserSimulator(rest);
  // botgraph takes the secret in a header only (SIMULATOR_CLOSER_WEBHOOK_SECRET).
  if (webhookUrl) simulator.setWebhook(webhookUrl, webhookSecret ? { 'x-botgraph-webhook-secret': webhookSecret } : {});
  return { handle: simulator, describe: () => `${simulator.url}   X-API-Key: ${simulator.apiKey}` };
}
