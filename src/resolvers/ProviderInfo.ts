import type { ProviderInfoResolvers } from '../__generated__/resolvers-types.js';
import { readingFresh } from '../datasources/cache.js';

const HEALTH_TIMEOUT_MS = 2_000;

export const ProviderInfo: ProviderInfoResolvers = {
  enabled: (p) => p.runtime !== null,
  mode: (p) => p.runtime?.mode ?? 'REMOTE',
  capabilities: (p) => p.runtime?.capabilities ?? [],
  apiVersion: (p) => p.runtime?.apiVersion ?? null,
  circuit: (p, _args, ctx) => ctx.circuit(p.provider),
  healthy: async (p, _args, ctx) => {
    if (!p.runtime) return false;
    // A probe proves the vendor answers now: never from the entity cache.
    const check = readingFresh(() => ctx.datasource(p.provider).health()).catch(() => false);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS).unref());
    return Promise.race([check, timeout]);
  },
};
