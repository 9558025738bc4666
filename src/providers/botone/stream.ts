/**
 * One Bot.one bot's conversations (or all of them, unattributed) as a {@link ConversationStream},
 * newest `updatedAt` first **whatever order the vendor lists them in**.
 *
 * Why the whole list is read: the document gives no list order (its two examples fit id
 * descending), and its only time filters, `UpdatedFrom`/`UpdatedTo`, filter "по дате последнего
 * сообщения респондента в диалоге" (by the respondent's last message), while `updated` is the last
 * message of anyone. A conversation whose last message is the bot's or an operator's has `updated`
 * later than its respondent time, by any amount, and one whose respondent said nothing has no
 * respondent time at all: no window of `UpdatedFrom`/`UpdatedTo` is sure to hold the conversations
 * with the newest `updated`. So a listing reads every page of the bot's list once (`PageCount=100`;
 * the pages after the first in parallel, or with the first when an earlier listing told how many
 * there are), sorts locally, and keeps that sorted **snapshot**
 * process-wide for {@link SNAPSHOT_TTL_MS}: the later pages of the same listing cost nothing.
 * `CreatedFrom`/`CreatedTo` are exact (creation time) and go upstream; `updatedFrom`/`updatedTo`
 * and statuses are applied here. Cost and order are documented in docs/providers/botone.md.
 *
 * A snapshot reads at most `client.maxListPages` pages (`BOTONE_MAX_LIST_PAGES`), a bound on the
 * cost of a listing. A bot with more conversations (in the `CreatedFrom`/`CreatedTo` range) is
 * listed from those pages only, and every chunk read from such a snapshot carries a
 * PROVIDER_LIST_TRUNCATED `partial`, which a list reports beside its data.
 */
import { randomBytes } from 'node:crypto';
import { BotgraphError, ErrorCode } from '../../errors.js';
import type { ConversationModel, ConversationStatusName } from '../../models.js';
import { compareKeysets, keysetOf, readSorted, tieId, type Keyset, type StreamOptionsBase } from '../../datasources/base.js';
import type { ConversationStream, StreamChunk, StreamPosition } from '../../datasources/types.js';
import { MAX_PAGE_SIZE, type BotoneClient, type BotoneListFilter, type BotonePage } from './client.js';
import { PROVIDER, type Attribution } from './mapper.js';

/**
 * A snapshot's id: 6 random bytes as base64url, taken from a pool filled 128 ids at a time. One
 * `randomBytes` call per listing (three per inbox request) was a visible share of the cached
 * inbox's profile; node's randomUUID pools its entropy the same way.
 */
const ID_BYTES = 6;
let idPool = Buffer.alloc(0);
let idAt = 0;
function snapshotId(): string {
  if (idAt + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 128);
    idAt = 0;
  }
  idAt += ID_BYTES;
  return idPool.toString('base64url', idAt - ID_BYTES, idAt);
}

/** How long a listing's sorted snapshot serves its later pages, in ms. */
export const SNAPSHOT_TTL_MS = 60_000;
/** The most conversations kept over all snapshots; the least recently used go first. */
export const SNAPSHOT_MAX_ITEMS = 20_000;
/** The most upstream filters whose page count is remembered; the least recently listed go first. */
const PAGE_HINTS_MAX = 1_000;

interface Snapshot {
  id: string;
  items: ConversationModel[];
  expiresAt: number;
  /** The listing it belongs to, and the pages' models in vendor order it was sorted from. */
  listing?: string;
  input?: readonly ConversationModel[];
  /** Set when the read stopped at the page cap: what the list is missing, said beside every chunk. */
  truncated?: BotgraphError;
}

/** Process-wide, like CXone's batch cache: one per BotoneClient. */
export class SnapshotCache {
  private readonly entries = new Map<string, Snapshot>();
  /** Listing → the key of its newest snapshot. */
  private readonly newest = new Map<string, string>();
  private size = 0;
  /** Upstream filter → how many pages its last listing read (BotoneStream.read), least recent first. */
  private readonly pages = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  /** How many pages the last listing of `upstream` read, if one did. */
  pagesOf(upstream: string): number | undefined {
    return this.pages.get(upstream);
  }

  notePages(upstream: string, pages: number): void {
    this.pages.delete(upstream);
    this.pages.set(upstream, pages);
    // A few numbers per filter ever listed; the bound only stops unbounded distinct date filters.
    if (this.pages.size > PAGE_HINTS_MAX) this.pages.delete(this.pages.keys().next().value as string);
  }

  forgetPages(upstream: string): void {
    this.pages.delete(upstream);
  }

  /**
   * The items of `listing`'s newest snapshot if it was made from exactly these models in this
   * order (expired or not: filtering and sorting is a function of them), else `make()`. Unchanged
   * pages give the same models (src/datasources/mapped.ts), so a listing whose vendor answers did
   * not change is not filtered and sorted again.
   */
  sortedOnce(listing: string, input: readonly ConversationModel[], make: () => ConversationModel[]): ConversationModel[] {
    const key = this.newest.get(listing);
    const last = key === undefined ? undefined : this.entries.get(key);
    const same = last?.input !== undefined && last.input.length === input.length && last.input.every((c, i) => c === input[i]);
    return same ? last.items : make();
  }

  get(key: string): Snapshot | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  put(
    key: string,
    items: ConversationModel[],
    id: string,
    made?: { listing: string; input: readonly ConversationModel[] },
    truncated?: BotgraphError,
  ): Snapshot {
    this.remove(key);
    const entry: Snapshot = { id, items, expiresAt: this.now() + SNAPSHOT_TTL_MS, ...made, ...(truncated ? { truncated } : {}) };
    this.entries.set(key, entry);
    if (made) this.newest.set(made.listing, key);
    this.size += items.length;
    for (const [oldest] of this.entries) {
      if (this.size <= SNAPSHOT_MAX_ITEMS || this.entries.size <= 1) break;
      this.remove(oldest);
    }
    return entry;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.size -= entry.items.length;
    if (entry.listing !== undefined && this.newest.get(entry.listing) === key) this.newest.delete(entry.listing);
  }
}

/** The display number of `#318 Meppel`: creation order (ids have gaps, numbers rise by one). */
function displayNumber(c: ConversationModel): number {
  const m = /^#(\d{1,12})\b/.exec(c.title);
  return m ? Number(m[1]) : -1;
}

/**
 * Bot.one's tie key: equal times (and the `updated: ""` conversations, which have no time and come
 * last) newest created first: display number, then id, descending.
 */
export function botoneTieKey(c: ConversationModel): string {
  return `${String(displayNumber(c) + 1).padStart(13, '0')}|${tieId(c.nativeId)}`;
}

/** Newest `updatedAt` first, then {@link botoneTieKey} descending: the keyset order of the shared base. */
export function compareBotone(a: ConversationModel, b: ConversationModel): number {
  return compareKeysets(keysetOf(a, botoneTieKey), keysetOf(b, botoneTieKey));
}

export interface BotoneStreamOptions extends StreamOptionsBase {
  client: BotoneClient;
  cache: SnapshotCache;
  /** What goes upstream: `BotID`, `CreatedFrom`, `CreatedTo`. */
  upstream: BotoneListFilter;
  updatedFrom?: Date;
  updatedTo?: Date;
  statuses: ReadonlySet<ConversationStatusName> | null;
  attribution: Attribution;
}

export class BotoneStream implements ConversationStream {
  readonly key: string;
  readonly tieKey = botoneTieKey;
  private readonly cacheKey: string;
  /** What decides how many pages the vendor's list has: the filter that goes upstream. */
  private readonly upstreamKey: string;

  constructor(private readonly options: BotoneStreamOptions) {
    this.key = options.key;
    const u = options.upstream;
    this.upstreamKey = JSON.stringify([u.botId ?? null, u.createdFrom?.getTime() ?? null, u.createdTo?.getTime() ?? null]);
    this.cacheKey = JSON.stringify([
      options.key,
      u.botId ?? null,
      u.createdFrom?.getTime() ?? null,
      u.createdTo?.getTime() ?? null,
      options.updatedFrom?.getTime() ?? null,
      options.updatedTo?.getTime() ?? null,
      options.statuses ? [...options.statuses].sort() : null,
    ]);
  }

  /**
   * `offset` is a position in the listing's snapshot, named by `state`. A fetch with no state (a
   * new listing) reads a new snapshot; so does one whose snapshot is gone (expired, another
   * replica), which then resumes at the same position of the new one, or, read by keyset
   * (`position.after`, the merge), right after the last conversation consumed. A catch-up round
   * (`position.since`) starts from a new snapshot: it must see the vendor as it is now.
   */
  async fetch(offset: number, limit: number, state: string | null, position?: StreamPosition): Promise<StreamChunk> {
    const after = position?.after ?? null;
    const since = position?.since;
    const fresh = since !== undefined && after === null;
    let snapshot = state && !fresh ? this.options.cache.get(`${this.cacheKey}\u0000${state}`) : undefined;
    snapshot ??= await this.read();
    const { items, total, done } = readSorted(snapshot.items, offset, limit, position, botoneTieKey);
    this.options.prime(items);
    return { items, total, done, state: snapshot.id, snapshot: snapshot.id, ...(snapshot.truncated ? { partial: snapshot.truncated } : {}) };
  }

  async count(): Promise<number> {
    if (this.options.statuses === null && !this.options.updatedFrom && !this.options.updatedTo) {
      const { total } = await this.options.client.listConversations({ ...this.options.upstream, page: 1, pageSize: 1 }, this.options.attribution);
      return total;
    }
    return (await this.read()).items.length;
  }

  /**
   * Every page of the list up to the cap, filtered and sorted here. Only page 1 says how many pages
   * there are, so a first listing reads it, then the rest in parallel: two vendor round trips. A
   * later listing of the same upstream filter sends the pages the last one had together with page 1
   * (one round trip; in the inbox, Bot.one's later pages were the last calls of the second wave).
   * Page 1 stays the authority: pages it says exist beyond the guess are read after it, and guessed
   * pages it says do not exist are dropped (a page past the end is empty, docs/providers/botone.md),
   * so a list that shrank costs one call per missing page and no other difference. A listing that
   * fails forgets the count: a vendor that fails gets the guesses (and their retries) once, not on
   * every listing.
   */
  private async read(): Promise<Snapshot> {
    const { client, upstream, attribution, cache } = this.options;
    const page = (n: number) => client.listConversations({ ...upstream, page: n, pageSize: MAX_PAGE_SIZE }, attribution);
    const pageOne = page(1);
    const guessed = Array.from({ length: Math.max(0, (cache.pagesOf(this.upstreamKey) ?? 1) - 1) }, (_, i) => page(i + 2));
    // A guessed page's failure is reported below if page 1 says the page exists, else irrelevant.
    for (const p of guessed) p.catch(() => undefined);
    let first: BotonePage;
    let all: number;
    let rest: BotonePage[];
    try {
      first = await pageOne;
      all = Math.ceil(first.total / MAX_PAGE_SIZE);
      const pages = Math.min(client.maxListPages, all);
      rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => guessed[i] ?? page(i + 2)));
    } catch (error) {
      // A failing vendor is not sent guesses on top of the reads that fail: the next listing of
      // this filter asks for page 1 alone, as a first listing does.
      cache.forgetPages(this.upstreamKey);
      // No call of a listing outlives it (nor the request that made it): the guesses end first.
      await Promise.allSettled(guessed);
      throw error;
    }
    // Guessed pages past the end are dropped, and waited for all the same.
    if (guessed.length > rest.length) await Promise.allSettled(guessed.slice(rest.length));
    const pages = rest.length + 1;
    cache.notePages(this.upstreamKey, pages);
    // concat, not flatMap: V8's flatMap is generic and took 35 µs for 400 items, concat 0.5 µs.
    const input = first.items.concat(...rest.map((p) => p.items));
    const items = cache.sortedOnce(this.cacheKey, input, () => this.sorted(input));
    const id = snapshotId();
    const truncated = all > pages ? this.truncation(pages, first.total) : undefined;
    return cache.put(`${this.cacheKey}\u0000${id}`, items, id, { listing: this.cacheKey, input }, truncated);
  }

  /**
   * What a list read from `pages` of `total` is missing. Which conversations that is depends on the
   * vendor's order (the oldest created, if it lists as the document's examples do), so a page of the
   * merged list may lack any of them, not only its last page.
   */
  private truncation(pages: number, total: number): BotgraphError {
    const bot = this.options.attribution.botNativeId;
    const listed = pages * MAX_PAGE_SIZE;
    return new BotgraphError(
      ErrorCode.PROVIDER_LIST_TRUNCATED,
      `Bot.one ${bot === null ? 'lists' : `bot ${bot} has`} ${total} conversations; only the first ${listed} (${pages} ${pages === 1 ? 'page' : 'pages'}, BOTONE_MAX_LIST_PAGES) were read, so the list may lack the others.`,
      {
        provider: PROVIDER,
        // The bot's native id (`Bot.nativeId`): global IDs are the resolvers' to make.
        details: { limit: listed, value: total, botNativeId: bot },
      },
    );
  }

  /** The wanted conversations of `input`, each once, in stream order. */
  private sorted(input: readonly ConversationModel[]): ConversationModel[] {
    const seen = new Set<string>();
    const keyed: Array<{ c: ConversationModel; k: Keyset }> = [];
    // A conversation that moved between two page reads can appear twice; it is kept once.
    for (const c of input) {
      if (seen.has(c.nativeId) || !this.wanted(c)) continue;
      seen.add(c.nativeId);
      // Each key made once, not once per comparison.
      keyed.push({ c, k: keysetOf(c, botoneTieKey) });
    }
    keyed.sort((a, b) => compareKeysets(a.k, b.k));
    return keyed.map((x) => x.c);
  }

  private wanted(c: ConversationModel): boolean {
    const { updatedFrom, updatedTo, statuses } = this.options;
    if (statuses && !statuses.has(c.status)) return false;
    if (updatedFrom || updatedTo) {
      const t = c.updatedAt?.getTime();
      if (t === undefined) return false;
      if (updatedFrom && t < updatedFrom.getTime()) return false;
      if (updatedTo && t > updatedTo.getTime()) return false;
    }
    return true;
  }
}
