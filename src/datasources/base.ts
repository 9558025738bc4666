import DataLoader from 'dataloader';
import type { BotModel, ConversationModel, FlowModel } from '../models.js';
import type { StreamPosition } from './types.js';
/**
 * What every provider's datasource does the same way, written once. A vendor datasource composes
 * these and supplies only its quirks (which page sizes, what a write made stale):
 *
 * - `pageWindow` / `readWindow`: an offset/limit window onto a vendor's fixed-size pages, in at most
 *   two calls, and `readAllPages` for the lists that are read to the end;
 * - `ListMemo`: lists asked twice in one request cost one call; a failure is not kept; writes forget;
 * - `afterWrite`: a write then drops what it may have changed, also when it failed (a timed-out
 *   write may still have landed);
 * - `inKeyOrder`: DataLoader batch results in key order, a miss as null;
 * - `BotReads`: the bot list priming the by-id bot loader, and `noFlows` for a vendor without flows;
 * - `StreamOptionsBase`, `readSorted`: what every vendor's `stream.ts` class is built from, and a
 *   window (by offset, or by keyset and catch-up bound) onto a list already in stream order;
 * - `Keyset`, `compareKeysets`, `indexAfter`: the one order of every conversation stream (newest
 *   `updatedAt` first, then a tie key) and keyset positions in it, which the merge pages by.
 */

/** A window `[offset, offset + take)` served from vendor pages of one size. */
export interface PageWindow {
  /** Vendor page size for every call of this window. */
  size: number;
  /** 1-based vendor pages to read, in order (one or two). */
  pages: number[];
  /** How many items of the first page precede `offset`. */
  skip: number;
  /** Items wanted; less than the caller's limit when that exceeds the vendor's largest page. */
  take: number;
}

export interface PageWindowOptions {
  /** The vendor's largest page. */
  maxPageSize: number;
}

/**
 * Picks a page size for `[offset, offset + limit)`: the smallest size from `limit` up whose single
 * page covers the whole window (one call; the same bytes as two pages, one round trip less), else
 * two consecutive pages of size `limit`. A limit above the largest page is served as that many items
 * (`up to limit` in the stream contract).
 */
export function pageWindow(offset: number, limit: number, options: PageWindowOptions): PageWindow {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  const { maxPageSize } = options;
  const take = Math.min(Math.max(1, Math.floor(limit)), maxPageSize);
  const last = offset + take - 1;
  for (let size = take; size <= maxPageSize; size += 1) {
    if (Math.floor(offset / size) === Math.floor(last / size)) {
      const page = Math.floor(offset / size);
      return { size, pages: [page + 1], skip: offset - page * size, take };
    }
  }
  const first = Math.floor(offset / take);
  return { size: take, pages: [first + 1, first + 2], skip: offset - first * take, take };
}

/** One vendor page as the datasource reads it. */
export interface VendorPage<T> {
  items: T[];
  total: number;
}

/**
 * Reads `[offset, offset + limit)` through `pageWindow`: the first page, and the second only when
 * the first was full and the window runs past it.
 */
export async function readWindow<T>(
  offset: number,
  limit: number,
  options: PageWindowOptions,
  read: (page: number, size: number) => Promise<VendorPage<T>>,
): Promise<VendorPage<T>> {
  const w = pageWindow(offset, limit, options);
  const [firstPage, secondPage] = w.pages as [number, number | undefined];
  const first = await read(firstPage, w.size);
  let items = first.items.slice(w.skip);
  let total = first.total;
  if (secondPage !== undefined && items.length < w.take && first.items.length === w.size && firstPage * w.size < first.total) {
    const second = await read(secondPage, w.size);
    items = items.concat(second.items);
    total = second.total;
  }
  return { items: items.slice(0, w.take), total };
}

/**
 * Reads pages of `pageSize` from page 1 until one is short or the total is reached, handing each
 * to `each`; `each` returning true stops early (a scan that found what it wanted).
 */
export async function readAllPages<T>(
  pageSize: number,
  read: (page: number) => Promise<VendorPage<T>>,
  each: (items: T[]) => boolean | void,
): Promise<void> {
  for (let page = 1; ; page += 1) {
    const result = await read(page);
    if (each(result.items) === true) return;
    if (result.items.length < pageSize || page * pageSize >= result.total) return;
  }
}

/**
 * Lists read in this request, by key: asking twice costs one call. A failure is not kept (a retry
 * later in the request may succeed). A key is a JSON array whose first two parts name the list's
 * kind and subject (`['messages', conversationId, …]`), which is how writes forget lists.
 */
export class ListMemo {
  private readonly lists = new Map<string, Promise<unknown>>();

  static key(...parts: unknown[]): string {
    return JSON.stringify(parts);
  }

  /**
   * `read()`'s answer, shared by every `get` of `key` in the request. A failed read is forgotten, so
   * a later `get` reads again, unless `keepFailure`: a read made ahead for a later `get` (CLOSER's
   * per-bot lists) is that `get`'s own, failure included, not one more read.
   */
  get<T>(key: string, read: () => Promise<T>, keepFailure = false): Promise<T> {
    let pending = this.lists.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read();
      this.lists.set(key, pending);
      if (!keepFailure) pending.catch(() => this.lists.delete(key));
    }
    return pending;
  }

  /** Drops the lists whose key's first two parts match. */
  forget(match: (kind: unknown, subject: unknown) => boolean): void {
    for (const key of [...this.lists.keys()]) {
      const [kind, subject] = JSON.parse(key) as [unknown, unknown];
      if (match(kind, subject)) this.lists.delete(key);
    }
  }
}

/**
 * Runs one write, then `stale` with its result (undefined when it failed), whether it succeeded or
 * not: a write that failed on a timeout or an unreadable answer may still have happened upstream.
 */
export async function afterWrite<T>(write: () => Promise<T>, stale: (done: T | undefined) => void): Promise<T> {
  let done: T | undefined;
  try {
    done = await write();
    return done;
  } finally {
    stale(done);
  }
}

/** A DataLoader batch's answer: one result per key in key order; a key nothing was found for is null. */
export function inKeyOrder<K, V>(keys: readonly K[], found: ReadonlyMap<K, V | Error>): Array<V | Error | null> {
  return keys.map((key) => found.get(key) ?? null);
}

/**
 * A datasource's bot reads, the same for every vendor: a per-request by-id loader that a list of the
 * bots primes, so that the list and then any of its bots by id cost the list's calls only. Each
 * vendor supplies how a batch of ids is read and how the list is.
 */
export class BotReads {
  private readonly loader: DataLoader<string, BotModel | null>;

  constructor(load: (ids: readonly string[]) => Promise<ReadonlyArray<BotModel | null | Error>>) {
    this.loader = new DataLoader(load);
  }

  /** The bots `read` lists, each primed for `get`. */
  async list(read: () => BotModel[] | Promise<BotModel[]>): Promise<BotModel[]> {
    const bots = await read();
    primeAll(this.loader, bots, (bot) => bot.nativeId);
    return bots;
  }

  get(nativeId: string): Promise<BotModel | null> {
    return this.loader.load(nativeId);
  }
}

/** `listFlows` of a vendor that has no flows (Bot.one, CXone): there is nothing to list, and no call. */
export async function noFlows(): Promise<FlowModel[]> {
  return [];
}

/**
 * Primes a per-request loader with what a list returned, so a by-id read of any of them in the same
 * request costs no call. `replace`: a newer read of the same object replaces an older cached one.
 */
export function primeAll<K, V>(
  loader: { prime(key: K, value: NoInfer<V>): unknown; clear(key: K): unknown },
  items: Iterable<V>,
  keyOf: (item: V) => K,
  replace = false,
): void {
  for (const item of items) {
    const key = keyOf(item);
    if (replace) loader.clear(key);
    loader.prime(key, item);
  }
}

/**
 * A position in a conversation stream's order, for keyset paging: an item's `updatedAt` (ms; null:
 * it has none) and its tie key (the stream's `tieKey`, for items with the same time).
 */
export type Keyset = [updatedAt: number | null, tie: string];

/** The keyset of a conversation under a stream's tie rule. */
export function keysetOf<T extends { updatedAt: Date | null }>(item: T, tie: (item: T) => string): Keyset {
  // Made once per model and tie key: an unchanged vendor answer gives the same models request
  // after request (src/datasources/mapped.ts), and a tie key is a string built per character.
  let byItem = keysets.get(tie) as WeakMap<T, Keyset> | undefined;
  if (!byItem) keysets.set(tie, (byItem = new WeakMap<T, Keyset>()));
  let key = byItem.get(item);
  if (!key) byItem.set(item, (key = [item.updatedAt ? item.updatedAt.getTime() : null, tie(item)]));
  return key;
}
/** Tie key → model → its keyset (models are not changed once made). */
const keysets = new WeakMap<object, WeakMap<object, Keyset>>();

/**
 * The one order of every conversation stream: newest `updatedAt` first, items with no time last,
 * equal times by tie key descending. Negative when `a` comes first.
 */
export function compareKeysets(a: Keyset, b: Keyset): number {
  const ua = a[0] ?? Number.NEGATIVE_INFINITY;
  const ub = b[0] ?? Number.NEGATIVE_INFINITY;
  if (ua !== ub) return ub > ua ? 1 : -1;
  return a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0;
}

/** The index of the first item of `sorted` (in stream order) that comes after `after`. */
export function indexAfter<T>(sorted: readonly T[], after: Keyset, keyOf: (item: T) => Keyset): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeysets(keyOf(sorted[mid] as T), after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A numeric id padded so that ids compare as numbers; any other id as it is. */
export function tieId(nativeId: string): string {
  return /^\d{1,16}$/.test(nativeId) ? nativeId.padStart(16, '0') : nativeId;
}

/**
 * What every vendor's conversation stream (`src/providers/<vendor>/stream.ts`, one class each) is
 * built from: its key for cursors and the datasource's priming of its by-id loaders with every page.
 */
export interface StreamOptionsBase {
  /** Stable across requests (`CLOSER:<botId>`, `BOTONE:1446`, `CXONE:1327`): goes into cursors. */
  key: string;
  /** Called with every page read, so that by-id reads of this request cost nothing. */
  prime(items: ConversationModel[]): void;
}

/**
 * A window onto a list already in stream order (a vendor's sorted snapshot): `limit` items from
 * `offset`, or, given a `position`, those after its keyset within its catch-up bound (`since`:
 * `updatedAt >= updatedFrom`, created at or before `createdTo`). `total` is the list's length after
 * the bound.
 */
export function readSorted(
  sorted: readonly ConversationModel[],
  offset: number,
  limit: number,
  position: StreamPosition | undefined,
  tie: (item: ConversationModel) => string,
): { items: ConversationModel[]; total: number; done: boolean } {
  let list = sorted;
  const since = position?.since;
  if (since) {
    list = list.filter(
      (c) =>
        c.updatedAt !== null &&
        c.updatedAt.getTime() >= since.updatedFrom &&
        (since.createdTo === undefined || c.createdAt === null || c.createdAt.getTime() <= since.createdTo),
    );
  }
  const after = position?.after ?? null;
  const start = after ? indexAfter(list, after, (c) => keysetOf(c, tie)) : Math.max(0, Math.floor(offset));
  const items = list.slice(start, start + Math.max(0, limit));
  return { items, total: list.length, done: start + items.length >= list.length };
}
