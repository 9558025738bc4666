import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { CursorCodec, MemoryCursorTable, RedisCursorTable } from './pagination/cursors.js';
import { Metrics } from './observability/metrics.js';
import { EntityCache, invalidatingBus } from './datasources/cache.js';
import { RedisEventBus } from './events/redisBus.js';
import { MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
import { LocalLeases, MemoryWatermarks, RedisLeases, RedisWatermarks, type LeaseManager, type WatermarkStore } from './subscriptions/coordination.js';

/**
 * Process-wide shared state. In memory by default, so `npm start` needs nothing else; in Redis when
 * `REDIS_URL` is set, so that replicas share idempotency keys, the event log, topic leases and
 * watermarks.
 */
export interface Infra {
  idempotency: IdempotencyStore;
  events: EventBus;
  leases: LeaseManager;
  watermarks: WatermarkStore;
  /** The command connection, when Redis is configured. */
  redis: Redis | null;
  /** Compact list cursors: positions by token, in memory or in Redis. */
  cursors: CursorCodec;
  /** The shared entity cache (CACHE_TTL_MS): in memory, or in Redis with REDIS_URL; off at 0. */
  cache: EntityCache;
  /** This server's Prometheus metrics (`/metrics`); caches count hits with `metrics.cacheHits`. */
  metrics: Metrics;
  close(): Promise<void>;
}

export async function startInfra(config: Config, logger: Logger): Promise<Infra> {
  const metrics = new Metrics();
  if (!config.redisUrl) {
    const idempotency = new MemoryIdempotencyStore();
    idempotency.events = metrics.idempotencyEvents();
    const cache = EntityCache.create(config.cache.ttlMs, null);
    const events = invalidatingBus(new MemoryEventBus(), cache);
    return {
      cache,
      idempotency,
      events,
      leases: new LocalLeases(),
      watermarks: new MemoryWatermarks(),
      redis: null,
      cursors: new CursorCodec(new MemoryCursorTable(config.cursorTtlMs)),
      metrics,
      async close() {
        await Promise.all([idempotency.close(), events.close()]);
      },
    };
  }
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    // A command waits for at most this many reconnect attempts (about 300 ms) and then fails, so a
    // Redis outage becomes DEPENDENCY_UNAVAILABLE at once instead of a hung request. ioredis keeps
    // reconnecting in the background (its default strategy), so the process recovers by itself.
    maxRetriesPerRequest: 3,
  });
  await connectOrExplain(redis, config.redisUrl);
  // Only the message: an ioredis error can carry the URL, and with it a password.
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
  const bus = new RedisEventBus(redis, { logger });
  await bus.start();
  const cache = EntityCache.create(config.cache.ttlMs, redis);
  const events = invalidatingBus(bus, cache);
  const idempotency = new RedisIdempotencyStore(redis);
  idempotency.events = metrics.idempotencyEvents();
  return {
    idempotency,
    metrics,
    cache,
    events,
    leases: new RedisLeases(redis, config.live.leaseMs),
    watermarks: new RedisWatermarks(redis),
    redis,
    cursors: new CursorCodec(new RedisCursorTable(redis, config.cursorTtlMs)),
    async close() {
      await events.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Connects at start, or fails with one line naming REDIS_URL (host and port only: never a password). */
async function connectOrExplain(redis: Redis, url: string, timeoutMs = 5_000): Promise<void> {
  const { hostname, port } = new URL(url);
  const where = `${hostname}:${port || 6379}`;
  let timer: NodeJS.Timeout | undefined;
  let first: { code?: string; message: string } | undefined;
  const remember = (err: { code?: string; message: string }) => {
    first ??= err;
  };
  redis.on('error', remember);
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: `no answer in ${timeoutMs} ms` })), timeoutMs);
      }),
    ]);
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const cause = first ?? (error as { code?: string; message: string });
    throw new ConfigError('REDIS_URL', `cannot reach Redis at ${where} (${cause.code ?? cause.message})`);
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
}
