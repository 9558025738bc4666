import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { CursorCodec, MemoryCursorTable, RedisCursorTable } from './pagination/cursors.js';
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
  close(): Promise<void>;
}

export async function startInfra(config: Config, logger: Logger): Promise<Infra> {
  if (!config.redisUrl) {
    const idempotency = new MemoryIdempotencyStore();
    const events = new MemoryEventBus();
    return {
      idempotency,
      events,
      leases: new LocalLeases(),
      watermarks: new MemoryWatermarks(),
      redis: null,
      cursors: new CursorCodec(new MemoryCursorTable(config.cursorTtlMs)),
      async close() {
        await Promise.all([idempotency.close(), events.close()]);
      },
    };
  }
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Only the message: an ioredis error can carry the URL, and with it a password.
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
  await redis.connect();
  const events = new RedisEventBus(redis, { logger });
  await events.start();
  return {
    idempotency: new RedisIdempotencyStore(redis),
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
