/**
 * The shared short-lived entity cache (`CACHE_TTL_MS`): vendor GETs kept for a few seconds across
 * requests, in this process or, with `REDIS_URL`, in Redis for every replica. It lives under the
 * vendor clients, in `UpstreamHttp.getJson`, so every vendor gets it the same way; a vendor only
 * says which reads may be kept and what they are about (`ProviderAdapter.cacheTags`, in
 * `src/providers/<vendor>/`), in the vocabulary below.
 *
 * Never stale after something botgraph knows of: every write (`UpstreamHttp.send`) drops its
 * provider's entries before it returns, failed or not, and every event published on the bus (by a
 * mutation, a webhook or a poller) drops what it is about before it is logged (`invalidatingBus`).
 * An entry records the invalidation sequence current when its read *started*; an invalidation bumps
 * the sequence and stamps its tags with it, and an entry older than any of its tags' stamps is a
 * miss. So a read that was in flight while a write or event happened is never served later, in
 * this process or on another replica (the sequence and the stamps are in Redis there).
 *
 * What botgraph cannot know of (a change made in the vendor's own UI, with nobody subscribed) is
 * at most `CACHE_TTL_MS` old. Only reads inside a GraphQL operation consult the cache: pollers and
 * subscription events always read the vendor (they are how changes are found), and refresh it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { setBounded } from '../bounded.js';
import type { BotgraphEvent, EventBus } from '../events/bus.js';
import type { ProviderName } from '../models.js';

export type CacheQuery = Record<string, string | number | undefined>;

/**
 * A vendor's answer to "may this GET be kept, and what is it about": tags from {@link CacheTag},
 * or null for a read that must always go to the vendor (a health probe, a read after a write).
 */
export type CacheTagger = (path: string, query: CacheQuery) => readonly string[] | null;

/** The tag vocabulary: what events and writes invalidate. */
export const CacheTag = {
  /** Everything about one conversation: its detail, its messages, its tracker. */
  conversation: (nativeId: string) => `c:${nativeId}`,
  /** Any list or search of conversations or of messages across conversations. */
  conversations: 'C',
  /** Any end-user read (by id or list): a message moves its end user's `updatedAt` and last message. */
  endUsers: 'U',
  /** Bots and flows: changed only in the vendor's own UI, so kept for the TTL. */
  bots: 'B',
} as const;

/** Every entry of a provider carries it: a write drops them all. */
const ALL = '*';

/** What an event makes stale, in the vocabulary above. */
export function eventTags(event: BotgraphEvent): string[] {
  if (event.kind === 'entityChanged') {
    // A bot, end user or deleted conversation, as a vendor's webhook reported it (CLOSER).
    if (event.entity === 'bot') return [CacheTag.bots, CacheTag.conversations];
    if (event.entity === 'endUser') return [CacheTag.endUsers];
    return [CacheTag.conversation(event.nativeId), CacheTag.conversations, CacheTag.endUsers];
  }
  const conversation = event.kind === 'message' ? event.message.conversationNativeId : event.conversation.nativeId;
  return [CacheTag.conversation(conversation), CacheTag.conversations, CacheTag.endUsers];
}

/** A lookup's answer: the kept read, or the sequence a read starting now is stored under. */
export type Lookup = { hit: true; value: StoredRead; fetchedAt: number } | { hit: false; miss: Miss };

export interface Miss {
  /** The invalidation sequence when the read started. */
  seq: number;
  /** When the read started (ms): its `fetchedAt`, and the start of its TTL. */
  at: number;
}

/** One vendor answer as kept: the parsed value (memory) and the JSON text (Redis). */
export interface StoredRead {
  /** The schema that parsed `parsed`; another schema re-parses `text`. */
  schema?: unknown;
  parsed?: unknown;
  text: string;
}

/** Where entries live: this process's memory, or Redis. Keys and tags come namespaced. */
export interface EntityStore {
  lookup(key: string, tags: readonly string[]): Promise<Lookup>;
  store(key: string, tags: readonly string[], miss: Miss, read: StoredRead): Promise<void>;
  /** The current sequence, for a read that skips the lookup (pollers) but stores its answer. */
  sequence(): Promise<number>;
  invalidate(tags: readonly string[]): Promise<void>;
}

/** The most entries the memory store keeps; the least recently stored go first. @default 5000 */
export const MEMORY_CACHE_ENTRIES = 5_000;

/** One process: a Map in insertion order (oldest first) and a map of tag stamps. */
export class MemoryEntityStore implements EntityStore {
  private seq = 0;
  private readonly stamps = new Map<string, { seq: number; at: number }>();
  private readonly entries = new Map<string, { tags: readonly string[]; seq: number; at: number; read: StoredRead }>();
  private lastPrune = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = MEMORY_CACHE_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(key: string, tags: readonly string[]): Promise<Lookup> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.at + this.ttlMs > now && this.valid(entry.seq, tags)) return { hit: true, value: entry.read, fetchedAt: entry.at };
    if (entry) this.entries.delete(key);
    return { hit: false, miss: { seq: this.seq, at: now } };
  }

  async store(key: string, tags: readonly string[], miss: Miss, read: StoredRead): Promise<void> {
    if (miss.at + this.ttlMs <= this.now() || !this.valid(miss.seq, tags)) return;
    setBounded(this.entries, key, { tags, seq: miss.seq, at: miss.at, read }, this.maxEntries);
  }

  async sequence(): Promise<number> {
    return this.seq;
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    const now = this.now();
    this.seq += 1;
    for (const tag of tags) this.stamps.set(tag, { seq: this.seq, at: now });
    // A stamp older than the TTL can only concern entries that have expired since: forget it.
    if (now - this.lastPrune > this.ttlMs) {
      this.lastPrune = now;
      for (const [tag, stamp] of this.stamps) if (now - stamp.at > this.ttlMs) this.stamps.delete(tag);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private valid(seq: number, tags: readonly string[]): boolean {
    for (const tag of tags) {
      const stamp = this.stamps.get(tag);
      if (stamp && stamp.seq > seq) return false;
    }
    return true;
  }
}

const INVALIDATE = `local s = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], s, 'PX', ARGV[1]) end
return s`;

/**
 * Shared by replicas: entries are `SET … PX` under a hash of the URL (which may carry a vendor
 * credential in its query string: CXone's token never reaches Redis in clear), the sequence is one
 * counter, and a tag's stamp a key that outlives any entry it can concern. A lookup is one MGET (the
 * entry, the sequence and the entry's tags); an invalidation one script, atomic, so a read can never
 * see the sequence bumped without the stamps.
 */
export class RedisEntityStore implements EntityStore {
  private readonly seqKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly prefix = 'botgraph:cache:',
    private readonly now: () => number = Date.now,
  ) {
    this.seqKey = `${prefix}seq`;
  }

  async lookup(key: string, tags: readonly string[]): Promise<Lookup> {
    const at = this.now();
    const [entry, seq, ...stamps] = await this.redis.mget(this.entryKey(key), this.seqKey, ...tags.map((t) => this.tagKey(t)));
    const miss = { hit: false as const, miss: { seq: Number(seq ?? 0), at } };
    if (!entry) return miss;
    const newline = entry.indexOf('\n');
    const [entrySeq, fetchedAt] = entry.slice(0, newline).split(' ').map(Number) as [number, number];
    for (const stamp of stamps) if (stamp !== null && Number(stamp) > entrySeq) return miss;
    return { hit: true, value: { text: entry.slice(newline + 1) }, fetchedAt };
  }

  async store(key: string, _tags: readonly string[], miss: Miss, read: StoredRead): Promise<void> {
    const left = miss.at + this.ttlMs - this.now();
    if (left <= 0) return;
    await this.redis.set(this.entryKey(key), `${miss.seq} ${miss.at}\n${read.text}`, 'PX', left);
  }

  async sequence(): Promise<number> {
    return Number((await this.redis.get(this.seqKey)) ?? 0);
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    // A stamp must outlive every entry it can concern: those started before it, alive for the TTL.
    await this.redis.eval(INVALIDATE, 1 + tags.length, this.seqKey, ...tags.map((t) => this.tagKey(t)), String(this.ttlMs * 2 + 1_000));
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${createHash('sha256').update(key).digest('base64url')}`;
  }

  private tagKey(tag: string): string {
    return `${this.prefix}t:${tag}`;
  }
}

/** One provider's view: its tagger, its namespace, and what `UpstreamHttp` calls. */
export interface ProviderCache {
  /** The namespaced tags of a GET, or null when it must not be kept. */
  tagsOf(path: string, query: CacheQuery): readonly string[] | null;
  lookup(key: string, tags: readonly string[]): Promise<Lookup>;
  store(key: string, tags: readonly string[], miss: Miss, read: StoredRead): Promise<void>;
  sequence(): Promise<number>;
  /** Drops every entry of the provider (after a write). */
  invalidateAll(): Promise<void>;
}

/** The process's cache: off (TTL 0), in memory, or in Redis. */
export class EntityCache {
  constructor(
    private readonly store: EntityStore | null,
    readonly ttlMs: number,
  ) {}

  static create(ttlMs: number, redis: Redis | null): EntityCache {
    if (ttlMs <= 0) return new EntityCache(null, 0);
    return new EntityCache(redis ? new RedisEntityStore(redis, ttlMs) : new MemoryEntityStore(ttlMs), ttlMs);
  }

  get enabled(): boolean {
    return this.store !== null;
  }

  /**
   * The invalidation sequence: it moves on every write and every event, in this process or (with
   * Redis) on any replica. What was computed from reads made while it held one value is still
   * fresh while it holds that value (the response cache, src/http/responseCache.ts). Null when off.
   */
  async sequence(): Promise<number | null> {
    return this.store ? this.store.sequence() : null;
  }

  /** The view `UpstreamHttp` gets for one provider; undefined when the cache is off or the vendor keeps nothing. */
  forProvider(provider: ProviderName, tagger: CacheTagger | undefined): ProviderCache | undefined {
    const store = this.store;
    if (!store || !tagger) return undefined;
    const ns = (tag: string) => `${provider}:${tag}`;
    const all = ns(ALL);
    return {
      tagsOf(path, query) {
        const tags = tagger(path, query);
        return tags === null ? null : [all, ...tags.map(ns)];
      },
      lookup: (key, tags) => store.lookup(`${provider} ${key}`, tags),
      store: (key, tags, miss, read) => store.store(`${provider} ${key}`, tags, miss, read),
      sequence: () => store.sequence(),
      invalidateAll: () => store.invalidate([all]),
    };
  }

  /** Drops what an event is about, in its provider. */
  async invalidateEvent(event: BotgraphEvent): Promise<void> {
    if (!this.store) return;
    await this.store.invalidate(eventTags(event).map((tag) => `${event.provider}:${tag}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Freshness: when each vendor answer was read, for `Conversation.fetchedAt` and the response's
// `extensions.freshness`.

const fetched = new WeakMap<object, number>();

/**
 * Marks a vendor answer, as parsed and as it came, and the objects in its top-level lists (a page's
 * items), with the time its read started: a model's `raw` is one of these.
 */
export function stampFetched(at: number, ...trees: unknown[]): void {
  for (const tree of trees) {
    if (tree === null || typeof tree !== 'object') continue;
    fetched.set(tree, at);
    for (const value of Object.values(tree) as unknown[]) {
      if (!Array.isArray(value)) continue;
      for (const item of value as unknown[]) if (item !== null && typeof item === 'object') fetched.set(item, at);
    }
  }
}

/** When the vendor answer `raw` belongs to was read (its read started), if botgraph knows. */
export function fetchedAtOf(raw: unknown): number | null {
  return raw !== null && typeof raw === 'object' ? (fetched.get(raw) ?? null) : null;
}

const freshReads = new AsyncLocalStorage<true>();

/** Runs `fn` with every vendor read going out, whatever the cache holds (a health probe). */
export function readingFresh<T>(fn: () => T): T {
  return freshReads.run(true, fn);
}

/** Whether the caller asked for fresh reads (`readingFresh`). */
export function freshReadsOnly(): boolean {
  return freshReads.getStore() === true;
}

/**
 * The bus every publisher uses (mutations, webhooks, pollers), made to drop what an event is about
 * from the entity cache before the event is logged: whoever sees the event, and any read after it,
 * finds the cache without it. A duplicate (dropped by the bus's dedupe) invalidates too: harmless.
 */
export function invalidatingBus<B extends EventBus>(bus: B, cache: EntityCache): B {
  if (!cache.enabled) return bus;
  const publish = bus.publish.bind(bus);
  bus.publish = async (event, dedupeKey) => {
    await cache.invalidateEvent(event);
    return publish(event, dedupeKey);
  };
  return bus;
}
