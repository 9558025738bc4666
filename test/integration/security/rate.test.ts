/**
 * Rate limits per principal: operations per second (HTTP and WebSocket share the bucket) and
 * distinct live topics. Both trip, both recover (waiting for the bucket by polling, no fixed
 * sleep), and one principal's limit never touches another's.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { collect, subscribed, subscribersOf } from '../../helpers/live.js';
import { API_KEYS_ENV, KEYS, gqlAs, waitFor, wsAs, wsOnce } from './support.js';

const QUERY = '{ __typename }';

describe('operations per second', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, RATE_LIMIT_OPS_PER_SECOND: '5', RATE_LIMIT_BURST: '0' });
  });

  it('trips with RATE_LIMITED (429, Retry-After), leaves other principals alone, and recovers', async () => {
    const results = await Promise.all(Array.from({ length: 15 }, () => gqlAs(bg, KEYS.viewer, QUERY)));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true, limit: 5 });
    expect(limited[0]!.errors?.[0]?.extensions?.value).toBeGreaterThan(5);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another principal has its own bucket.
    expect((await gqlAs(bg, KEYS.operator, QUERY)).status).toBe(200);
    // The same principal on the socket shares the bucket: refused there too while it is empty.
    const client = wsAs(bg, KEYS.viewer);
    const ws = await wsOnce(client, QUERY);
    if (ws.error) expect(ws.error[0]?.extensions?.code).toBe('RATE_LIMITED');
    // And it recovers once the bucket refills.
    await waitFor(async () => (await gqlAs(bg, KEYS.viewer, QUERY)).status === 200, 'the bucket to refill', 5_000, 100);
    await client.dispose();
  });

  it('trips on the WebSocket alone', async () => {
    await waitFor(async () => (await gqlAs(bg, KEYS.admin, QUERY)).status === 200, 'a fresh bucket', 5_000, 100);
    const client = wsAs(bg, KEYS.admin);
    const all = await Promise.all(Array.from({ length: 12 }, () => wsOnce(client, QUERY)));
    const codes = all.map((r) => (r.error ? r.error[0]?.extensions?.code : 'OK'));
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(6);
    expect(codes.filter((c) => c === 'OK').length).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await wsOnce(client, QUERY)).error === undefined, 'the socket bucket to refill', 5_000, 100);
    await client.dispose();
  });
});

describe('the burst allowance (token-bucket-like)', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({
      BOTGRAPH_API_KEYS: API_KEYS_ENV,
      RATE_LIMIT_OPS_PER_SECOND: '5',
      RATE_LIMIT_BURST: '5',
      RATE_LIMIT_BURST_WINDOW_SECONDS: '120',
    });
  });

  it('lets a burst go over the per-second budget once, then holds the sustained rate until the allowance refills', async () => {
    const started = performance.now();
    const first = await Promise.all(Array.from({ length: 15 }, () => gqlAs(bg, KEYS.viewer, QUERY)));
    const elapsed = performance.now() - started;
    const ok = first.filter((r) => r.status === 200).length;
    // 5 per second plus the 5 of the allowance; a batch that straddled a second could get 5 more.
    expect(ok).toBeGreaterThanOrEqual(10);
    if (elapsed < 900) expect(ok).toBe(10);
    else expect(ok).toBeLessThanOrEqual(15);
    expect(first.find((r) => r.status === 429)!.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5, burst: 5 });
    // The per-second budget refills; the allowance (120 s window) does not: the next burst gets 5 at most.
    await waitFor(async () => (await gqlAs(bg, KEYS.viewer, QUERY)).status === 200, 'the per-second budget to refill', 5_000, 100);
    await waitFor(async () => (await gqlAs(bg, KEYS.admin, QUERY)).status === 200, 'a moment', 5_000, 100);
    const second = await Promise.all(Array.from({ length: 12 }, () => gqlAs(bg, KEYS.viewer, QUERY)));
    expect(second.filter((r) => r.status === 200).length).toBeLessThanOrEqual(5);
    expect(second.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(7);
  });
});

describe('the rate limit in Redis, shared by two botgraph instances', () => {
  let redis: TestRedis;
  let a: TestBotgraph;
  let b: TestBotgraph;
  beforeAll(async () => {
    redis = await startRedis();
    afterAll(() => redis.stop());
    const env = { BOTGRAPH_API_KEYS: API_KEYS_ENV, REDIS_URL: redis.url, RATE_LIMIT_OPS_PER_SECOND: '6', RATE_LIMIT_BURST: '0' };
    a = await startTestBotgraph(env);
    b = await startTestBotgraph(env);
  });

  it("one principal's budget is shared: 6 per second across both instances, counted in Redis; it recovers", async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => gqlAs(i % 2 ? a : b, KEYS.operator, QUERY)));
    const ok = results.filter((r) => r.status === 200).length;
    // In memory each instance would let 6 through (12 in all).
    expect(ok).toBeLessThanOrEqual(6);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(10);
    const client = new Redis(redis.url);
    try {
      expect(await client.keys('botgraph:rate:ops:*')).toContain('botgraph:rate:ops:operator-2');
    } finally {
      client.disconnect();
    }
    await waitFor(async () => (await gqlAs(a, KEYS.operator, QUERY)).status === 200, 'the shared bucket to refill (A)', 5_000, 100);
    await waitFor(async () => (await gqlAs(b, KEYS.operator, QUERY)).status === 200, 'the shared bucket to refill (B)', 5_000, 100);
  });
});

describe('distinct live topics per principal', () => {
  let bg: TestBotgraph;
  let ids: string[];
  beforeAll(async () => {
    bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, LIVE_TOPICS_PER_PRINCIPAL: '3', BOTGRAPH_PROVIDERS: 'closer' });
    ids = (await gqlAs(bg, KEYS.viewer, '{ conversations(first: 5) { nodes { id } } }')).data.conversations.nodes.map((n: any) => n.id);
    expect(ids.length).toBe(5);
  });
  const SUB = 'subscription($id: ID!) { messageAdded(conversationId: $id) { id } }';

  it('holds: a 4th distinct topic is TOPIC_LIMIT_EXCEEDED, a shared one is free, and completing one frees a slot', async () => {
    const a = wsAs(bg, KEYS.viewer);
    const b = wsAs(bg, KEYS.viewer); // a second socket of the same principal counts against the same cap
    const other = wsAs(bg, KEYS.operator);
    try {
      const held = [collect(a, SUB, { id: ids[0] }), collect(a, SUB, { id: ids[1] }), collect(b, SUB, { id: ids[2] })];
      await subscribed(bg, 3, 'msg:');
      const fourth = collect(b, SUB, { id: ids[3] });
      await fourth.ended();
      const error = Array.isArray(fourth.error) ? fourth.error[0] : fourth.error;
      expect(error?.extensions).toMatchObject({ code: 'TOPIC_LIMIT_EXCEEDED', limit: 3, value: 4 });
      // The same conversation again is the same topic (no new upstream load): allowed. Another
      // principal has its own cap.
      const again = collect(b, SUB, { id: ids[0] });
      const others = collect(other, SUB, { id: ids[4] });
      await subscribed(bg, 5, 'msg:');
      expect(again.error).toBeUndefined();
      expect(others.error).toBeUndefined();
      // Completing one frees its topic: the 4th can now subscribe.
      held[1]!.stop();
      await waitFor(() => subscribersOf(bg, 'msg:') === 4, 'the completed subscription to leave');
      const retry = collect(b, SUB, { id: ids[3] });
      await subscribed(bg, 5, 'msg:');
      expect(retry.error).toBeUndefined();
    } finally {
      await a.dispose();
      await b.dispose();
      await other.dispose();
    }
  });
});
