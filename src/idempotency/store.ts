import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode } from '../errors.js';

/** Hooks for metrics: replays and conflicts. */
export interface IdempotencyEvents {
  replayed?(mutation: string): void;
  conflict?(mutation: string, code: ErrorCode): void;
}

/**
 * A key's record. `started` is written before the vendor call and stays (24 h) until `finish`:
 * it is never silently freed, because a record that vanished would let a retry send again.
 * Whether its owner still runs is a separate short-lived heartbeat (`alive`).
 */
export type Claim =
  | { kind: 'claimed'; claimId: string }
  /** Someone else runs it; `alive` is false when its heartbeat stopped (the process died). */
  | { kind: 'started'; fingerprint: string; claimId: string; startedAt: number; alive: boolean }
  | { kind: 'done'; fingerprint: string; result: string };

/** What a waiter sees when it looks again. */
export type Peek =
  | Claim
  /** The call it waited for changed nothing and freed the key; `result` is that refusal, for the call's duplicates. */
  | { kind: 'released'; fingerprint: string; claimId: string; result: string }
  | { kind: 'free' };

/**
 * Where idempotency keys live: in memory for one process, in Redis when replicas must share them.
 * Results are opaque strings (the serialised payload or error). Every method may reject when the
 * store is unreachable; `runIdempotent` turns that into DEPENDENCY_UNAVAILABLE.
 */
export interface IdempotencyStore {
  /** Told about replays and conflicts (metrics); set by the server. */
  events?: IdempotencyEvents;
  /** Takes the key (a free or released one) for this call, recording when it started; otherwise says who has it. */
  claim(key: string, fingerprint: string, ttlMs: number): Promise<Claim>;
  /** Keeps the claim's heartbeat going until the returned function is called. */
  keepAlive(key: string, claimId: string): () => void;
  /** Stores the outcome for replay. */
  finish(key: string, claimId: string, fingerprint: string, result: string, ttlMs: number): Promise<void>;
  /**
   * Frees a key whose call provably changed nothing: the next claim takes it, but the duplicates
   * that were waiting on this claim get `result` (the same refusal) instead of each trying again.
   */
  release(key: string, claimId: string, fingerprint: string, result: string): Promise<void>;
  peek(key: string): Promise<Peek>;
  close(): Promise<void>;
}

/** How long a heartbeat lasts without renewal; an owner silent this long is dead. @default 5 s */
export const ALIVE_TTL_MS = 5_000;
/** How often the owner renews it. @default 1 s */
export const HEARTBEAT_MS = 1_000;
/** How long a released key keeps its refusal for the duplicates that waited on it. @default 15 s */
export const RELEASED_TTL_MS = 15_000;

interface Entry {
  fingerprint: string;
  claimId: string;
  startedAt: number;
  result: string | null;
  released: boolean;
  expiresAt: number;
}

/** The default store: a Map with expiry. One process: its owner is alive for as long as the map exists. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  events?: IdempotencyEvents;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async claim(key: string, fingerprint: string, ttlMs: number): Promise<Claim> {
    // Expired entries are dropped lazily; sweeping here keeps a long-lived process from growing forever.
    if (this.entries.size > 10_000) for (const k of [...this.entries.keys()]) this.live(k);
    const entry = this.live(key);
    if (!entry || entry.released) {
      const claimId = randomUUID();
      this.entries.set(key, { fingerprint, claimId, startedAt: this.now(), result: null, released: false, expiresAt: this.now() + ttlMs });
      return { kind: 'claimed', claimId };
    }
    return view(entry) as Claim;
  }

  keepAlive(): () => void {
    return () => {};
  }

  async finish(key: string, claimId: string, fingerprint: string, result: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { fingerprint, claimId, startedAt: 0, result, released: false, expiresAt: this.now() + ttlMs });
  }

  async release(key: string, claimId: string, fingerprint: string, result: string): Promise<void> {
    const entry = this.live(key);
    if (entry && entry.claimId !== claimId) return;
    this.entries.set(key, { fingerprint, claimId, startedAt: 0, result, released: true, expiresAt: this.now() + RELEASED_TTL_MS });
  }

  async peek(key: string): Promise<Peek> {
    const entry = this.live(key);
    return entry ? view(entry) : { kind: 'free' };
  }

  async close(): Promise<void> {}
}

function view(entry: Entry): Peek {
  if (entry.released) return { kind: 'released', fingerprint: entry.fingerprint, claimId: entry.claimId, result: entry.result ?? '' };
  if (entry.result !== null) return { kind: 'done', fingerprint: entry.fingerprint, result: entry.result };
  return { kind: 'started', fingerprint: entry.fingerprint, claimId: entry.claimId, startedAt: entry.startedAt, alive: true };
}

/** The shape of the Redis client this store needs; ioredis satisfies it. */
export interface RedisLike {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<'OK' | null>;
}

/** The stored JSON: f fingerprint, c claim id, s startedAt, r result (null while started), x released. */
interface Raw {
  f: string;
  c: string;
  s: number;
  r: string | null;
  x?: 1;
}

// KEYS[1] the record, KEYS[2] its heartbeat. Claims a free or released key (and starts the
// heartbeat) atomically; otherwise returns the record and whether the heartbeat is there.
const CLAIM = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if not ok or entry.x ~= 1 then
    return {raw, redis.call('EXISTS', KEYS[2])}
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return {false, 1}
`;

const PEEK = `return {redis.call('GET', KEYS[1]) or false, redis.call('EXISTS', KEYS[2])}`;

// Writes the outcome and stops the heartbeat, unless another claim has taken the key meanwhile.
const SETTLE = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if ok and entry.c ~= ARGV[3] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * Keys in Redis, so that replicas agree. Claims and looks are Lua scripts, so a record and its
 * heartbeat are always read and written together: a waiter can never mistake a call that just
 * finished for one whose owner died. Waiters poll, because a duplicate is rare and short-lived.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  events?: IdempotencyEvents;
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix = 'botgraph:idem:',
  ) {}

  private keys(key: string): [string, string] {
    return [this.prefix + key, `${this.prefix}alive:${key}`];
  }

  async claim(key: string, fingerprint: string, ttlMs: number): Promise<Claim> {
    const claimId = randomUUID();
    const raw: Raw = { f: fingerprint, c: claimId, s: Date.now(), r: null };
    const [record, alive] = (await this.redis.eval(CLAIM, 2, ...this.keys(key), JSON.stringify(raw), ttlMs, claimId, ALIVE_TTL_MS)) as [
      string | null,
      number,
    ];
    if (record === null) return { kind: 'claimed', claimId };
    return parse(record, alive === 1) as Claim;
  }

  keepAlive(key: string, claimId: string): () => void {
    const [, aliveKey] = this.keys(key);
    // A missed beat (Redis hiccup) is harmless while the next one lands within ALIVE_TTL_MS.
    const timer = setInterval(() => void this.redis.set(aliveKey, claimId, 'PX', ALIVE_TTL_MS).catch(() => {}), HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  async finish(key: string, claimId: string, fingerprint: string, result: string, ttlMs: number): Promise<void> {
    const raw: Raw = { f: fingerprint, c: claimId, s: 0, r: result };
    await this.redis.eval(SETTLE, 2, ...this.keys(key), JSON.stringify(raw), ttlMs, claimId);
  }

  async release(key: string, claimId: string, fingerprint: string, result: string): Promise<void> {
    const raw: Raw = { f: fingerprint, c: claimId, s: 0, r: result, x: 1 };
    await this.redis.eval(SETTLE, 2, ...this.keys(key), JSON.stringify(raw), RELEASED_TTL_MS, claimId);
  }

  async peek(key: string): Promise<Peek> {
    const [record, alive] = (await this.redis.eval(PEEK, 2, ...this.keys(key))) as [string | null, number];
    return record === null ? { kind: 'free' } : parse(record, alive === 1);
  }

  async close(): Promise<void> {}
}

function parse(text: string, alive: boolean): Peek {
  const e = JSON.parse(text) as Raw;
  if (e.x === 1) return { kind: 'released', fingerprint: e.f, claimId: e.c, result: e.r ?? '' };
  if (e.r !== null) return { kind: 'done', fingerprint: e.f, result: e.r };
  return { kind: 'started', fingerprint: e.f, claimId: e.c, startedAt: e.s, alive };
}

/** Polls `peek` until `stop` says what it found is an answer, or `timeoutMs` passes (null). */
export async function pollPeek(
  store: IdempotencyStore,
  key: string,
  timeoutMs: number,
  stop: (peek: Peek) => boolean,
  pollMs = 50,
): Promise<Peek | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const peek = await store.peek(key);
    if (stop(peek)) return peek;
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}
