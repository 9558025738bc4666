import { baseUrl, required, str, type Env } from '../../env.js';
import { CLOSER_DEMO_API_KEY } from './demo.js';

export interface CloserConfig {
  /** Null: serve the embedded simulator. */
  baseUrl: string | null;
  /** @default the demo key, when no base URL is set */
  apiKey: string;
  /** Shared secret the CLOSER webhook must present in the header `x-botgraph-webhook-secret`; required with CLOSER_BASE_URL. */
  webhookSecret: string | null;
}

export const CLOSER_ENV = ['CLOSER_BASE_URL', 'CLOSER_API_KEY', 'CLOSER_WEBHOOK_SECRET'] as const;

export function parseCloserConfig(env: Env): CloserConfig {
  const url = baseUrl(env, 'CLOSER_BASE_URL');
  return {
    baseUrl: url,
    apiKey: url ? required(env, 'CLOSER_API_KEY', 'CLOSER_BASE_URL is set') : (str(env, 'CLOSER_API_KEY') ?? CLOSER_DEMO_API_KEY),
    // Without it anyone could post forged CLOSER events: required once CLOSER is REMOTE.
    webhookSecret: url ? required(env, 'CLOSER_WEBHOOK_SECRET', 'CLOSER_BASE_URL is set') : (str(env, 'CLOSER_WEBHOOK_SECRET') ?? null),
  };
}
