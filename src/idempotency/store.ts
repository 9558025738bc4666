import { setTimeout as sleep } from 'node:timers/promises';

/** What `claim` found under a key. */
export type Claim =
  | { kind: 'claimed' }
  | { kind: 'pending'; fingerprint: string }
  | { kind: 'done'; fingerprint: string; result: string };

/**
 * Where idempotency keys live: in memory for one process, in Redis when replicas must share them.
 * Results are opaque strings (the serialised payload or error).
 */
export interface IdempotencyStore {
  /** Takes the key for this call if nobody has it; otherwise says who has it and how far they got. */
  claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<Claim>;
  /** Stores the outcome for replay. */
  finish(key: string, fingerprint: string, result: string, ttlMs: number): Promise<void>;
  /** Frees a key whose call provably changed nothing at the vendor, so the same key may try again. */
  release(key: string): Promise<void>;
  /** Waits for a pending key to finish; null when it did not within `timeoutMs` (or was released). */
  waitFor(key: string, timeoutMs: number): Promise<{ fingerprint: string; result: string } | null>;
  close(): Promise<void>;
}

interface Entry {
  fingerprint: string;
  result: string | null;
  expiresAt: number;
}

/** The default store: a Map with expiry, plus in-process wake-ups for waiters. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private wake(key: string): void {
    for (const wake of this.waiters.get(key) ?? []) wake();
    this.waiters.delete(key);
  }

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<Claim> {
    // Expired entries are dropped lazily; sweeping here keeps a long-lived process from growing forever.
    if (this.entries.size > 10_000) for (const k of [...this.entries.keys()]) this.live(k);
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { fingerprint, result: null, expiresAt: this.now() + pendingTtlMs });
      return { kind: 'claimed' };
    }
    if (entry.result === null) return { kind: 'pending', fingerprint: entry.fingerprint };
    return { kind: 'done', fingerprint: entry.fingerprint, result: entry.result };
  }

  async finish(key: string, fingerprint: string, result: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { fingerprint, result, expiresAt: this.now() + ttlMs });
    this.wake(key);
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
    this.wake(key);
  }

  async waitFor(key: string, timeoutMs: number): Promise<{ fingerprint: string; result: string } | null> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const entry = this.live(key);
      if (!entry) return null;
      if (entry.result !== null) return { fingerprint: entry.fingerprint, result: entry.result };
      const remaining = deadline - this.now();
      if (remaining <= 0) return null;
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(key) ?? new Set();
        const timer = setTimeout(done, remaining);
        function done() {
          clearTimeout(timer);
          set.delete(done);
          resolve();
        }
        set.add(done);
        this.waiters.set(key, set);
      });
    }
  }

  async close(): Promise<void> {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}

/** The shape of the Redis client this store needs; ioredis satisfies it. */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<'OK' | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

/**
 * Keys in Redis, so that two replicas agree: `SET NX PX` claims atomically. Waiters poll, because a
 * result is rare and short-lived and a pub/sub round trip would buy nothing here.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix = 'botgraph:idem:',
    private readonly pollMs = 50,
  ) {}

  async claim(key: string, fingerprint: string, pendingTtlMs: number): Promise<Claim> {
    const k = this.prefix + key;
    const ok = await this.redis.set(k, JSON.stringify({ f: fingerprint, r: null }), 'PX', pendingTtlMs, 'NX');
    if (ok === 'OK') return { kind: 'claimed' };
    const raw = await this.redis.get(k);
    if (raw === null) return this.claim(key, fingerprint, pendingTtlMs); // expired between the two calls
    const entry = JSON.parse(raw) as { f: string; r: string | null };
    return entry.r === null ? { kind: 'pending', fingerprint: entry.f } : { kind: 'done', fingerprint: entry.f, result: entry.r };
  }

  async finish(key: string, fingerprint: string, result: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify({ f: fingerprint, r: result }), 'PX', ttlMs);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async waitFor(key: string, timeoutMs: number): Promise<{ fingerprint: string; result: string } | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const raw = await this.redis.get(this.prefix + key);
      if (raw === null) return null;
      const entry = JSON.parse(raw) as { f: string; r: string | null };
      if (entry.r !== null) return { fingerprint: entry.f, result: entry.r };
      if (Date.now() >= deadline) return null;
      await sleep(this.pollMs);
    }
  }

  async close(): Promise<void> {}
}
