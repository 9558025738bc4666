/**
 * Idempotency keys in Redis (a private redis-server): 20 concurrent duplicates through one botgraph,
 * and through TWO botgraph instances sharing that Redis and one CLOSER, still send exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { ConversationPool, ROUTES, SEND_KEYED, concurrentSends, expectError, readMessages } from './support.js';

let redis: TestRedis;
let a: TestBotgraph;
let b: TestBotgraph;
let pool: ConversationPool;

// Both botgraphs close (again: closing is idempotent) before their Redis goes away.
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestBotgraph({ REDIS_URL: redis.url });
  // B talks to A's CLOSER simulator, so both replicas write to one vendor, as in production.
  b = await startTestBotgraph({
    REDIS_URL: redis.url,
    CLOSER_BASE_URL: a.sim('CLOSER').url,
    CLOSER_API_KEY: 'closer-demo-key',
    CLOSER_WEBHOOK_SECRET: 'test-webhook-secret',
    BOTGRAPH_AUTH: 'off',
  });
  pool = new ConversationPool(a);
});

const sends = async () => (await a.stats('CLOSER')).routes[ROUTES.closerSend];

describe('idempotent replay with REDIS_URL', () => {
  it('uses the Redis store', () => {
    expect(a.app.infra.idempotency.constructor.name).toBe('RedisIdempotencyStore');
    expect(b.app.infra.idempotency.constructor.name).toBe('RedisIdempotencyStore');
  });

  it('20 concurrent identical calls to one botgraph send exactly 1 message upstream', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const before = (await readMessages(a, conv.id)).length;
    await a.resetStats();
    const { messageId } = await concurrentSends([a], conv.id, `redis-one-${Date.now()}`);
    expect(await sends()).toBe(1);
    const after = await readMessages(a, conv.id);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.id).toBe(messageId);
  });

  it('20 concurrent identical calls spread over TWO botgraphs (10 each) send exactly 1 message upstream', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const before = (await readMessages(a, conv.id)).length;
    await a.resetStats();
    const key = `redis-two-${Date.now()}`;
    const { messageId, payloads } = await concurrentSends([a, b], conv.id, key);
    expect(await sends()).toBe(1);
    expect(payloads).toHaveLength(20);
    const after = await readMessages(b, conv.id);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.id).toBe(messageId);

    // Later, through either replica: a replay with no upstream call; another input is refused.
    await a.resetStats();
    for (const app of [a, b]) {
      const again = await app.gql(SEND_KEYED, { c: conv.id, t: `exactly once ${key}`, k: key });
      expect(again.data.sendMessage).toMatchObject({ replayed: true, message: { id: messageId } });
      expectError(await app.gql(SEND_KEYED, { c: conv.id, t: 'something else', k: key }), 'IDEMPOTENCY_KEY_REUSED');
    }
    expect((await a.stats('CLOSER')).total).toBe(0);
  });

  it('a key refused by the vendor on one replica can be retried on the other', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const key = `redis-retry-${Date.now()}`;
    await a.resetStats();
    a.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 403, routes: [ROUTES.closerSend] });
    try {
      expectError(await a.gql(SEND_KEYED, { c: conv.id, t: 'retry me', k: key }), 'FORBIDDEN_BY_PROVIDER', { provider: 'CLOSER' });
    } finally {
      a.sim('CLOSER').faults.clear();
    }
    const retry = await b.gql(SEND_KEYED, { c: conv.id, t: 'retry me', k: key });
    expect(retry.errors, JSON.stringify(retry.errors)).toBeUndefined();
    expect(retry.data.sendMessage.replayed).toBe(false);
    expect(await sends()).toBe(2);
  });
});
