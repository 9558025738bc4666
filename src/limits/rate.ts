import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../auth/principal.js';
import type { LimitsConfig } from '../config.js';
import { BotgraphError, ErrorCode } from '../errors.js';

/**
 * The bucket a principal's operations and topics are counted in: its name, and for the anonymous
 * principal of an open deployment also the client address (everyone is "anonymous" there).
 */
export function principalKey(principal: Principal, remoteAddress: string | undefined): string {
  return principal.role === 'anonymous' ? `anonymous@${remoteAddress ?? 'unknown'}` : principal.name;
}

type Limiter = Pick<RateLimiterAbstract, 'consume'>;

/**
 * Operations per principal, token-bucket-like (rate-limiter-flexible's BurstyRateLimiter): a
 * sustained budget of RATE_LIMIT_OPS_PER_SECOND per second, and once that is spent, a burst
 * allowance of RATE_LIMIT_BURST operations per RATE_LIMIT_BURST_WINDOW_SECONDS. A client may so
 * go over the sustained rate for a moment, but not for long. With Redis both budgets are shared
 * by every replica; if Redis fails, in-memory limiters of the same size stand in ("insurance")
 * so that a Redis outage neither blocks everyone nor lifts the limit.
 */
export class OperationRateLimit {
  private readonly limiter: Limiter | null;

  constructor(
    private readonly limits: LimitsConfig,
    redis: Redis | null,
  ) {
    if (limits.opsPerSecond === 0) {
      this.limiter = null;
      return;
    }
    const make = (options: { points: number; duration: number; keyPrefix: string }) =>
      redis
        ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
    const sustained = make({ points: limits.opsPerSecond, duration: 1, keyPrefix: 'botgraph:rate:ops' });
    this.limiter =
      limits.rateBurst > 0
        ? new BurstyRateLimiter(
            sustained,
            make({ points: limits.rateBurst, duration: limits.rateBurstWindowSeconds, keyPrefix: 'botgraph:rate:burst' }),
          )
        : sustained;
  }

  /**
   * Null when the operation may run; RATE_LIMITED when both budgets are empty, with the limit, the
   * value (operations counted in this second) and `retryAfterMs`.
   */
  async consume(key: string): Promise<BotgraphError | null> {
    if (!this.limiter) return null;
    try {
      await this.limiter.consume(key, 1);
      return null;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterMs = Math.max(1, rejection.msBeforeNext);
      const { opsPerSecond, rateBurst, rateBurstWindowSeconds } = this.limits;
      const burst = rateBurst > 0 ? ` (and the burst allowance of ${rateBurst} per ${rateBurstWindowSeconds} s is spent)` : '';
      return new BotgraphError(ErrorCode.RATE_LIMITED, `More than ${opsPerSecond} operations per second${burst}; retry in ${retryAfterMs} ms.`, {
        retryAfterMs,
        details: { limit: opsPerSecond, value: rejection.consumedPoints, burst: rateBurst, retryAfterMs, http: { status: 429 } },
      });
    }
  }
}

/**
 * Distinct live topics per principal, on this replica. A topic is one poller upstream, so this is
 * what one client can add to the polling load; subscribers sharing a topic count it once.
 */
export class TopicBudget {
  private readonly held = new Map<string, Map<string, number>>();

  constructor(private readonly max: number) {}

  /** Takes the topics for one subscription, or throws TOPIC_LIMIT_EXCEEDED. The release is idempotent. */
  acquire(key: string, topics: readonly string[]): () => void {
    const mine = this.held.get(key) ?? new Map<string, number>();
    const fresh = [...new Set(topics)].filter((t) => !mine.has(t));
    if (mine.size + fresh.length > this.max) {
      throw new BotgraphError(
        ErrorCode.TOPIC_LIMIT_EXCEEDED,
        `This subscription would watch ${mine.size + fresh.length} distinct live topics; a principal may watch ${this.max}. Complete some subscriptions first.`,
        { details: { limit: this.max, value: mine.size + fresh.length } },
      );
    }
    const taken = [...topics];
    for (const t of taken) mine.set(t, (mine.get(t) ?? 0) + 1);
    this.held.set(key, mine);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const t of taken) {
        const n = (mine.get(t) ?? 1) - 1;
        if (n <= 0) mine.delete(t);
        else mine.set(t, n);
      }
      if (mine.size === 0 && this.held.get(key) === mine) this.held.delete(key);
    };
  }

  /** How many distinct topics a principal holds now. */
  count(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }
}

/** The iterator, releasing `release` once it ends whichever way (completed, returned, thrown). */
export function releasing<T>(iterator: AsyncIterableIterator<T>, release: () => void): AsyncIterableIterator<T> {
  return {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value?: unknown) {
      release();
      return iterator.return ? iterator.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
