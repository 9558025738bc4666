import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
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
 * Takes fresh topics for one principal in Redis, atomically. The set `botgraph:topics:<principal>`
 * holds `<topic>|<replica>` members scored by their lease's expiry (Redis' own clock): a replica
 * that crashes stops refreshing, and its members drop out once their lease ends.
 * KEYS[1] the set; ARGV: max, lease ms, replica, topics…  →  {1, distinct} taken, {0, distinct} refused.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local seen = {}
local count = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local topic = string.match(member, '^(.*)|[^|]*$')
  if topic and not seen[topic] then seen[topic] = true; count = count + 1 end
end
for i = 4, #ARGV do
  if not seen[ARGV[i]] then seen[ARGV[i]] = true; count = count + 1 end
end
if count > tonumber(ARGV[1]) then return {0, count} end
local expiry = now + tonumber(ARGV[2])
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i] .. '|' .. ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, count}
`;

/** Renews this replica's members of one principal's set. KEYS[1] the set; ARGV: lease ms, replica, topics… */
const RENEW = `
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i] .. '|' .. ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

export interface SharedTopics {
  redis: Redis;
  /** How long a replica's claim outlives its last renewal (LEASE_MS); renewed every third of it. */
  leaseMs: number;
  logger: Logger;
}

/**
 * Distinct live topics per principal (LIVE_TOPICS_PER_PRINCIPAL). A topic is one poller upstream,
 * so this is what one client can add to the polling load; subscribers sharing a topic count it
 * once. Each replica counts its own subscribers per topic in memory; with Redis the distinct
 * topics of a principal are counted across every replica (see TAKE), so a client cannot multiply
 * its cap by spreading sockets over replicas. If Redis fails, the replica falls back to its own
 * count (logged), as the rate limit falls back to memory.
 */
export class TopicBudget {
  private readonly held = new Map<string, Map<string, number>>();
  /** This process's name in the shared sets. */
  readonly replica = `${process.pid}-${randomUUID()}`;
  private readonly timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly max: number,
    private readonly shared: SharedTopics | null = null,
  ) {
    if (shared) {
      this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(shared.leaseMs / 3)));
      this.timer.unref();
    }
  }

  private refusal(value: number): BotgraphError {
    return new BotgraphError(
      ErrorCode.TOPIC_LIMIT_EXCEEDED,
      `This subscription would watch ${value} distinct live topics; a principal may watch ${this.max}. Complete some subscriptions first.`,
      { details: { limit: this.max, value } },
    );
  }

  /** This replica's member for `topic` in a principal's set (the Lua scripts build the same `<topic>|<replica>`). */
  private member(topic: string): string {
    return `${topic}|${this.replica}`;
  }

  static setKey(key: string): string {
    return `botgraph:topics:${key}`;
  }

  /** Takes the topics for one subscription, or throws TOPIC_LIMIT_EXCEEDED. The release is idempotent. */
  async acquire(key: string, topics: readonly string[]): Promise<() => void> {
    const mine = this.held.get(key) ?? new Map<string, number>();
    this.held.set(key, mine);
    const fresh = [...new Set(topics)].filter((t) => !mine.has(t));
    if (!this.shared && mine.size + fresh.length > this.max) {
      this.forgetIfEmpty(key, mine);
      throw this.refusal(mine.size + fresh.length);
    }
    // Held locally before Redis answers, so that a concurrent release of the same topic does not
    // drop its member while this subscription is about to use it.
    const taken = [...topics];
    for (const t of taken) mine.set(t, (mine.get(t) ?? 0) + 1);
    const release = this.releaser(key, mine, taken);
    if (this.shared && fresh.length > 0) {
      let verdict: [number, number] | null = null;
      try {
        verdict = (await this.shared.redis.eval(TAKE, 1, TopicBudget.setKey(key), this.max, this.shared.leaseMs, this.replica, ...fresh)) as [
          number,
          number,
        ];
      } catch (error) {
        this.shared.logger.warn({ err: error }, 'the shared topic cap is unreachable; counting this replica only');
      }
      const over = verdict ? verdict[0] === 0 : mine.size > this.max;
      if (over) {
        // Awaited: the refusal is answered once Redis no longer counts the topic.
        await release();
        throw this.refusal(verdict ? verdict[1] : mine.size);
      }
    }
    return () => void release();
  }

  private releaser(key: string, mine: Map<string, number>, taken: string[]) {
    let released = false;
    return async (): Promise<void> => {
      if (released) return;
      released = true;
      const dropped: string[] = [];
      for (const t of taken) {
        const n = (mine.get(t) ?? 1) - 1;
        if (n <= 0) {
          mine.delete(t);
          dropped.push(t);
        } else mine.set(t, n);
      }
      this.forgetIfEmpty(key, mine);
      // A topic another subscription still holds stays. A refused take added nothing in Redis, but a
      // renewal that ran while it waited for Redis did (it renews every topic held locally, pending
      // ones too): the members of a refused take go as well, or its topic would count against the cap.
      if (this.shared && dropped.length > 0) {
        await this.shared.redis.zrem(TopicBudget.setKey(key), ...dropped.map((t) => this.member(t))).catch(() => {
          // Unreachable Redis: the members expire with their lease.
        });
      }
    };
  }

  private forgetIfEmpty(key: string, mine: Map<string, number>): void {
    if (mine.size === 0 && this.held.get(key) === mine) this.held.delete(key);
  }

  /** Renews this replica's claims (and re-adds any a race with a release dropped). */
  private async renew(): Promise<void> {
    if (!this.shared) return;
    for (const [key, mine] of this.held) {
      if (mine.size === 0) continue;
      try {
        await this.shared.redis.eval(RENEW, 1, TopicBudget.setKey(key), this.shared.leaseMs, this.replica, ...mine.keys());
      } catch {
        // Logged where it matters (acquire); the next renewal tries again.
      }
    }
  }

  /** How many distinct topics a principal holds on this replica now. */
  count(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }

  /** Stops renewing and gives this replica's claims back (a clean shutdown frees them at once). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.shared) return;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(
      held.map(([key, mine]) => this.shared!.redis.zrem(TopicBudget.setKey(key), ...[...mine.keys()].map((t) => this.member(t))).catch(() => 0)),
    );
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
