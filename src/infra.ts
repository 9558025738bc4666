import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';

/** Process-wide shared state: in memory by default, in Redis when `REDIS_URL` is set. */
export interface Infra {
  idempotency: IdempotencyStore;
  events: EventBus;
  /** The command connection, when Redis is configured. */
  redis: Redis | null;
  close(): Promise<void>;
}

export async function startInfra(config: Config, logger: Logger): Promise<Infra> {
  if (!config.redisUrl) {
    const idempotency = new MemoryIdempotencyStore();
    const events = new MemoryEventBus();
    return {
      idempotency,
      events,
      redis: null,
      async close() {
        await Promise.all([idempotency.close(), events.close()]);
      },
    };
  }
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
  await redis.connect();
  const idempotency = new RedisIdempotencyStore(redis);
  // Cross-replica pub/sub arrives with the subscriptions work; until then events stay in-process.
  const events = new MemoryEventBus();
  return {
    idempotency,
    events,
    redis,
    async close() {
      await events.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
