import type { Redis } from 'ioredis';
import type { Breakers, CircuitName } from '../datasources/breaker.js';
import type { ProviderName } from '../models.js';

export interface Readiness {
  status: 'ready' | 'degraded' | 'unready';
  /** Each check; `ok: false` names what is wrong. */
  checks: {
    redis?: { ok: boolean; error?: string };
    providers: Partial<Record<ProviderName, { ok: boolean; circuit: CircuitName }>>;
  };
}

export interface ReadinessOptions {
  redis: Redis | null;
  breakers: Breakers;
  /**
   * What an open circuit makes the replica: `unready` (503: every replica shares the vendor, so an
   * orchestrator should know) or `degraded` (200: keep serving the other providers). @default 'unready'
   */
  openCircuit: 'unready' | 'degraded';
  /** @default 1000 */
  redisTimeoutMs?: number;
}

/**
 * `/readyz`: Redis answers PING (when configured) and no enabled provider's circuit is open.
 * A half-open circuit is not a failure: its probe is deciding.
 */
export async function readiness(options: ReadinessOptions): Promise<Readiness> {
  const checks: Readiness['checks'] = { providers: {} };
  let unready = false;
  let degraded = false;
  if (options.redis) {
    const redis = options.redis;
    const timeoutMs = options.redisTimeoutMs ?? 1_000;
    try {
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to PING in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      checks.redis = { ok: true };
    } catch (error) {
      // The message only: ioredis errors may carry the URL.
      checks.redis = { ok: false, error: (error as Error).message.replace(/redis(s)?:\/\/\S+/g, '[redis url]') };
      unready = true;
    }
  }
  for (const [provider, breaker] of options.breakers) {
    const circuit = breaker.state;
    const ok = circuit !== 'OPEN';
    checks.providers[provider] = { ok, circuit };
    if (!ok) {
      if (options.openCircuit === 'unready') unready = true;
      else degraded = true;
    }
  }
  return { status: unready ? 'unready' : degraded ? 'degraded' : 'ready', checks };
}
