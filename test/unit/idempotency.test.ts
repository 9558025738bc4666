import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { BotgraphError, ErrorCode } from '../../src/errors.js';
import { checkIdempotencyKey, fingerprint, runIdempotent } from '../../src/idempotency/run.js';
import { MemoryIdempotencyStore, RedisIdempotencyStore, type IdempotencyStore } from '../../src/idempotency/store.js';
import { deserialize, serialize } from '../../src/serialize.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redisServer: TestRedis;
let redis: Redis;
beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
});

describe('idempotency helpers', () => {
  it('fingerprints ignore key order but not values', () => {
    expect(fingerprint('m', { a: 1, b: [1, 2] })).toBe(fingerprint('m', { b: [1, 2], a: 1 }));
    expect(fingerprint('m', { a: 1 })).not.toBe(fingerprint('m', { a: 2 }));
    expect(fingerprint('m', { a: 1 })).not.toBe(fingerprint('n', { a: 1 }));
  });

  it('serialisation keeps Dates', () => {
    const value = { at: new Date('2026-11-21T08:00:00.000Z'), nested: [{ d: new Date(0) }], s: 'x' };
    const back = deserialize<typeof value>(serialize(value));
    expect(back.at).toBeInstanceOf(Date);
    expect(back).toEqual(value);
  });

  it('keys are 1–255 printable characters', () => {
    expect(checkIdempotencyKey(undefined)).toBeNull();
    expect(checkIdempotencyKey('order-42')).toBe('order-42');
    for (const bad of ['', 'has space', 'x'.repeat(256), 'tab\t']) {
      expect(() => checkIdempotencyKey(bad)).toThrow(/idempotencyKey/);
    }
  });
});

const stores: Array<[string, () => IdempotencyStore]> = [
  ['memory', () => new MemoryIdempotencyStore()],
  ['redis', () => new RedisIdempotencyStore(redis, `test:${Math.random()}:`)],
];

describe.each(stores)('runIdempotent with the %s store', (_name, makeStore) => {
  it('runs once for 20 concurrent calls with one key, and every caller gets the result', async () => {
    const store = makeStore();
    let calls = 0;
    const execute = async () => {
      calls++;
      // A slow vendor call, not a wait: the 20 duplicates arrive while it runs.
      await new Promise((r) => setTimeout(r, 50));
      return { value: 'sent', at: new Date(1000) };
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runIdempotent({ store, mutation: 'm', key: 'k1', input: { t: 'hi' }, execute })),
    );
    expect(calls).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.filter((r) => r.replayed)).toHaveLength(19);
    for (const r of results) expect(r).toMatchObject({ value: 'sent', at: new Date(1000) });
  });

  it('rejects the same key with a different input', async () => {
    const store = makeStore();
    await runIdempotent({ store, mutation: 'm', key: 'k2', input: { t: 'a' }, execute: async () => ({ ok: true }) });
    await expect(runIdempotent({ store, mutation: 'm', key: 'k2', input: { t: 'b' }, execute: async () => ({ ok: true }) })).rejects.toMatchObject({
      extensions: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });

  it('releases a key whose call changed nothing, and replays one that may have', async () => {
    const store = makeStore();
    let calls = 0;
    const refused = async (): Promise<{ ok: boolean }> => {
      calls++;
      throw new BotgraphError(ErrorCode.FORBIDDEN_BY_PROVIDER, 'no', { provider: 'BOTONE' });
    };
    await expect(runIdempotent({ store, mutation: 'm', key: 'k3', input: {}, execute: refused })).rejects.toThrow('no');
    await expect(runIdempotent({ store, mutation: 'm', key: 'k3', input: {}, execute: refused })).rejects.toThrow('no');
    expect(calls).toBe(2);

    const timedOut = async (): Promise<{ ok: boolean }> => {
      calls++;
      throw new BotgraphError(ErrorCode.PROVIDER_TIMEOUT, 'slow', { provider: 'BOTONE' });
    };
    calls = 0;
    await expect(runIdempotent({ store, mutation: 'm', key: 'k4', input: {}, execute: timedOut })).rejects.toThrow('slow');
    await expect(runIdempotent({ store, mutation: 'm', key: 'k4', input: {}, execute: timedOut })).rejects.toMatchObject({
      extensions: { code: 'PROVIDER_TIMEOUT', provider: 'BOTONE' },
    });
    expect(calls).toBe(1);
  });

  it('keeps a call that failed after its write as stored, not released', async () => {
    const store = makeStore();
    let calls = 0;
    const execute = async (wrote: () => void): Promise<{ ok: boolean }> => {
      calls++;
      wrote();
      throw new BotgraphError(ErrorCode.NOT_FOUND, 'read-back failed');
    };
    await expect(runIdempotent({ store, mutation: 'm', key: 'k5', input: {}, execute })).rejects.toThrow();
    await expect(runIdempotent({ store, mutation: 'm', key: 'k5', input: {}, execute })).rejects.toThrow('read-back failed');
    expect(calls).toBe(1);
  });
});
