/**
 * One CXone token's conversations as a {@link ConversationStream}: the export, in its own order
 * (`lastMessageAt` descending, i.e. newest `updatedAt` first), addressed by offset although the
 * vendor only pages forward by scroll. How offsets map onto the scroll is described in
 * docs/providers/cxone.md ("Datasource").
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ConversationModel } from '../../models.js';
import { statusFilter, type ConversationQuery, type ConversationStream, type StreamChunk, type StreamPosition } from '../../datasources/types.js';
import { compareKeysets, keysetOf, type Keyset, type StreamOptionsBase } from '../../datasources/base.js';
import type { Batch } from './cache.js';
import { BARE_TOKEN, isScrollGone, MAX_PER_PAGE, quoteQueryValue, type CxoneClient, type ExportPage } from './client.js';

/** A filter split into what the vendor's `query` does and what botgraph does on its side. */
export interface CompiledQuery {
  /** The vendor `query` string; '' for none. */
  upstream: string;
  /** Applied to mapped conversations; null when the upstream query is exact. */
  local: ((conversation: ConversationModel) => boolean) | null;
}

/**
 * Translates a query. `datetime` is the conversation's start and `lastmessageat` its last message,
 * both taking epoch ms (docs/providers/cxone.md), so the date filters are exact upstream. The status
 * is botgraph's derivation and the customer id is not queryable, so those run here; a status filter
 * still narrows the upstream query by the `handover` action where that is exact.
 */
export function compileQuery(query: ConversationQuery): CompiledQuery {
  const clauses: string[] = [];
  if (query.createdFrom) clauses.push(`datetime >= ${query.createdFrom.getTime()}`);
  if (query.createdTo) clauses.push(`datetime <= ${query.createdTo.getTime()}`);
  if (query.updatedFrom) clauses.push(`lastmessageat >= ${query.updatedFrom.getTime()}`);
  if (query.updatedTo) clauses.push(`lastmessageat <= ${query.updatedTo.getTime()}`);
  if (query.search !== undefined && query.search.trim() !== '') clauses.push(`text ~ ${quoteQueryValue(query.search.trim())}`);
  // Parenthesised, so that its ORs stay inside it (AND binds tighter than OR).
  if (query.cxoneQuery !== undefined && query.cxoneQuery.trim() !== '') clauses.push(`(${query.cxoneQuery.trim()})`);

  const checks: Array<(c: ConversationModel) => boolean> = [];
  const statuses = statusFilter(query.statuses);
  if (statuses) {
    // Only conversations with a handover can be WITH_OPERATOR; COMPLETED ones may have had one.
    if (statuses.size === 1 && statuses.has('WITH_OPERATOR')) clauses.push('action = handover');
    else if (!statuses.has('WITH_OPERATOR') && !statuses.has('COMPLETED')) clauses.push('action != handover');
    checks.push((c) => statuses.has(c.status));
  }
  if (query.endUserNativeId !== undefined) {
    const id = query.endUserNativeId;
    checks.push((c) => c.endUserNativeId === id);
  }
  return {
    upstream: clauses.join(' AND '),
    local: checks.length === 0 ? null : (c) => checks.every((check) => check(c)),
  };
}

/**
 * What the stream keeps in the cursor: the scroll id whose page starts at export position `at`, and
 * `e`, botgraph's id of that export (one search and its scroll). Cached batches are found by export:
 * positions only mean something within one export, since conversations that arrive or change
 * between two exports shift everything behind them; a page of another export (another listing that
 * read the same query) must never stand in for one of this export's.
 */
const stateSchema = z.object({
  s: z.string().nullable(),
  at: z.number().int().min(0),
  e: z.string().max(32).optional(),
  /** The stream offset of export position 0: 0 for a list's own export, more for one restarted after a keyset. */
  b: z.number().int().optional(),
  /** Which upstream query the export is of (a catch-up round's differs from the main pass's). */
  u: z.string().max(16).optional(),
});
type StreamState = z.infer<typeof stateSchema>;

function parseState(state: string | null): StreamState | null {
  if (!state) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(state));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The shared stream options but the key, which the stream derives from its token (`CXONE:<bot>`, `CXONE:*`). */
export interface CxoneStreamOptions extends Omit<StreamOptionsBase, 'key'> {
  client: CxoneClient;
  tokenKey: string;
  query: CompiledQuery;
  /** The bots the caller asked for; a bare token's stream is empty unless its bot is among them. */
  botNativeIds: string[] | null;
}

/**
 * CXone's tie order for equal `lastMessageAt` (ms): the export orders ties by `conversationId`
 * ascending (docs/providers/cxone.md, "Order"), and keyset ties sort descending (`compareKeysets`),
 * so the key is the id with every UTF-16 unit inverted and a terminator above them all: descending
 * on it is ascending on the id, prefixes included.
 */
export function cxoneTieKey(c: ConversationModel): string {
  let key = '';
  for (let i = 0; i < c.nativeId.length; i++) key += String.fromCharCode(0xfffe - c.nativeId.charCodeAt(i));
  return `${key}\uffff`;
}

function tagOf(upstream: string): string {
  return createHash('sha256').update(upstream).digest('base64url').slice(0, 8);
}

export class CxoneStream implements ConversationStream {
  readonly key: string;
  /**
   * A keyset stream whose reads name their export (`StreamChunk.snapshot`): while one export's scroll
   * lives, every page comes from that one search and the merge needs no catch-up; when it had to be
   * restarted, the new export starts after the last conversation consumed, and the merge catches up.
   */
  readonly tieKey = cxoneTieKey;
  private readonly client: CxoneClient;
  private readonly tokenKey: string;
  private readonly query: CompiledQuery;
  private readonly prefix: string;

  constructor(private readonly options: CxoneStreamOptions) {
    this.client = options.client;
    this.tokenKey = options.tokenKey;
    this.query = options.query;
    // A bare token's bot may be unknown when the stream is made; its key must not change once known.
    this.key = `CXONE:${options.tokenKey === BARE_TOKEN ? '*' : options.tokenKey}`;
    this.prefix = `${options.tokenKey}\u0000${options.query.upstream}`;
  }

  async fetch(offset: number, limit: number, state: string | null, position?: StreamPosition): Promise<StreamChunk> {
    if (!(await this.wanted())) return { items: [], offsets: [], total: 0, done: true, state: null };
    const since = position?.since;
    if (since) {
      // A catch-up round: what changed since the round's bound, as CXone has it now (a search of its own).
      const clauses = [`lastmessageat >= ${since.updatedFrom}`, ...(since.createdTo !== undefined ? [`datetime <= ${since.createdTo}`] : [])];
      const upstream = [this.query.upstream, ...clauses].filter((c) => c !== '').join(' AND ');
      const round = new CxoneStream({ ...this.options, query: { upstream, local: this.query.local } });
      return round.fetch(offset, limit, state, { after: position.after });
    }
    const local = this.query.local;
    const tag = tagOf(this.query.upstream);
    let cont = parseState(state);
    // A state of another query's export (a catch-up round's) says nothing about this one.
    if (cont && cont.u !== undefined && cont.u !== tag) cont = null;
    let base = cont?.b ?? 0;
    if (offset - base < 0) {
      // An offset before the export's start (a state that does not fit it): read as if it had none.
      cont = null;
      base = 0;
    }
    const items: ConversationModel[] = [];
    const offsets: number[] = [];
    /** Where the next item is: a position in the current export (`base` + position is the stream offset). */
    let pos = offset - base;
    /**
     * The last conversation read (the merge's keyset, then each item): where a restarted export starts
     * after. Only for the merge (`position` given), which hands back the state that carries `base`.
     */
    const keyed = position !== undefined;
    let lastKey = position?.after ?? null;
    let calls = 0;
    let total: number | null = null;
    let done = false;
    let snapshot: string | undefined;

    for (;;) {
      // A list read from its start has no export yet: it gets a new one, never another listing's batches.
      let batch = cont?.e && pos >= 0 ? this.client.batches.find(this.cacheKey(cont.e), pos) : undefined;
      if (!batch) {
        // At most two vendor calls per fetch, except that a filtered stream reads on until it has
        // something to show: an empty chunk would end the stream for the merge.
        if (calls >= 2 && (local === null || items.length > 0)) break;
        const loaded = await this.load(pos, limit, cont, keyed ? lastKey : null, () => calls++);
        batch = loaded.batch;
        if (loaded.restartedAt !== undefined) {
          // A new export that begins after `lastKey`: its position `restartedAt` is the stream offset we stand at.
          base += pos - loaded.restartedAt;
          pos = loaded.restartedAt;
          cont = null;
        }
      }
      total = batch.total;
      snapshot = batch.exportId;
      const end = batch.start + batch.items.length;
      // A batch of a new export replaces the old scroll; one of this export moves it only forward.
      if (!cont || cont.e !== batch.exportId || end >= cont.at) cont = { s: batch.nextScrollId, at: end, e: batch.exportId, b: base, u: tag };
      for (let i = pos - batch.start; i < batch.items.length && items.length < limit; i++) {
        const item = batch.items[i] as ConversationModel;
        pos = batch.start + i + 1;
        lastKey = keysetOf(item, cxoneTieKey);
        if (local === null || local(item)) {
          items.push(item);
          offsets.push(base + batch.start + i);
        }
      }
      if (batch.done && pos >= end) {
        done = true;
        break;
      }
      // Full, and no later item of this export matches as far as its cached batches reach to its end:
      // the stream is done, at no cost, so the merge does not promise a next page that would come back empty.
      if (items.length >= limit && local !== null && this.nothingLaterMatches(batch, pos, local)) {
        done = true;
        break;
      }
      if (items.length >= limit) break;
      pos = Math.max(pos, end);
    }

    this.options.prime(items);
    return {
      items,
      offsets,
      total: local === null ? total : null,
      done,
      state: cont ? JSON.stringify(cont) : null,
      ...(snapshot !== undefined ? { snapshot } : {}),
    };
  }

  /**
   * Counts by reading the whole export when the filter runs here; otherwise the vendor's `total` of
   * a one-item page says it.
   */
  async count(): Promise<number> {
    if (!(await this.wanted())) return 0;
    const local = this.query.local;
    if (local === null) {
      const page = await this.client.search(this.tokenKey, this.query.upstream, 1);
      return page.total ?? page.items.length;
    }
    let page = await this.client.search(this.tokenKey, this.query.upstream, MAX_PER_PAGE);
    let seen = 0;
    let matches = 0;
    for (;;) {
      seen += page.items.length;
      matches += page.items.filter(local).length;
      if (this.isLast(page, seen - page.items.length)) return matches;
      page = await this.client.scroll(this.tokenKey, page.nextScrollId as string);
    }
  }

  private async wanted(): Promise<boolean> {
    const bots = this.options.botNativeIds;
    if (bots === null || this.tokenKey !== BARE_TOKEN) return true;
    const botId = await this.client.botIdOf(BARE_TOKEN);
    return botId !== null && bots.includes(botId);
  }

  private isLast(page: ExportPage, start: number): boolean {
    // The last page has no next_page_url (the document's words); the scroll's total is point in time,
    // so reaching it ends the export too, and an empty page always does.
    return (
      page.items.length === 0 ||
      page.nextScrollId === null ||
      page.hasNext === false ||
      (page.total !== null && start + page.items.length >= page.total)
    );
  }

  /**
   * True when the export's batches from `pos` to its end are all cached (no call) and none of their
   * items passes `local`.
   */
  private nothingLaterMatches(batch: Batch, pos: number, local: (c: ConversationModel) => boolean): boolean {
    let current: Batch | undefined = batch;
    let from = pos;
    while (current) {
      if (current.items.slice(Math.max(0, from - current.start)).some(local)) return false;
      if (current.done) return true;
      from = current.start + current.items.length;
      current = current.exportId ? this.client.batches.find(this.cacheKey(current.exportId), from) : undefined;
    }
    return false;
  }

  private cacheKey(exportId: string): string {
    return `${this.prefix}\u0000${exportId}`;
  }

  private toBatch(page: ExportPage, start: number, exportId: string): Batch {
    const done = this.isLast(page, start);
    const batch: Batch = { start, items: page.items, nextScrollId: done ? null : page.nextScrollId, done, total: page.total, exportId };
    this.client.batches.put(this.cacheKey(exportId), batch);
    this.options.prime(page.items);
    return batch;
  }

  /**
   * A batch that holds export position `pos`: the scroll's next page when the cursor's scroll stands
   * exactly there, and the first page of a new export at 0. Otherwise (a cache miss: another replica,
   * an expired batch, a `410` scroll): after a keyset (`after`, the last conversation read), a new
   * export of `lastmessageat <= <its time>` read up to the first conversation after it
   * (`restartedAt`: that one's position in the new export), so nothing that moved meanwhile is read
   * twice; without a keyset (pollers, stats), a new export read in pages of 200 up to `pos`.
   */
  private async load(
    pos: number,
    limit: number,
    cont: StreamState | null,
    after: Keyset | null,
    count: () => void,
  ): Promise<{ batch: Batch; restartedAt?: number }> {
    if (cont && cont.s && cont.at === pos) {
      try {
        count();
        // A cursor from before export ids (or another process) continues its scroll under a new id.
        return { batch: this.toBatch(await this.client.scroll(this.tokenKey, cont.s), pos, cont.e ?? newExportId()) };
      } catch (error) {
        if (!isScrollGone(error)) throw error;
      }
    }
    if (pos > 0 && after !== null && after[0] !== null) return this.restartAfter(after, count);
    // A filtered stream skips items, so it reads the biggest pages; an unfiltered one reads what was asked.
    const perPage = pos === 0 && this.query.local === null ? Math.min(MAX_PER_PAGE, Math.max(1, limit)) : MAX_PER_PAGE;
    count();
    const first = await this.client.search(this.tokenKey, this.query.upstream, perPage);
    // Named after its scroll: readers of one search kept by the entity cache share its pages.
    const exportId = newExportId(first.nextScrollId);
    let batch = this.toBatch(first, 0, exportId);
    while (!batch.done && batch.start + batch.items.length <= pos) {
      count();
      const start = batch.start + batch.items.length;
      batch = this.toBatch(await this.client.scroll(this.tokenKey, batch.nextScrollId as string), start, exportId);
    }
    return { batch };
  }

  /** A new export of what is not newer than `after` (inclusive: ties), read until the first item after it. */
  private async restartAfter(after: Keyset, count: () => void): Promise<{ batch: Batch; restartedAt: number }> {
    const upstream = [this.query.upstream, `lastmessageat <= ${after[0]}`].filter((c) => c !== '').join(' AND ');
    // Its batches are kept under this stream's key and the new export's id, which no other export shares.
    count();
    const first = await this.client.search(this.tokenKey, upstream, MAX_PER_PAGE);
    const exportId = newExportId();
    let batch = this.toBatch(first, 0, exportId);
    for (;;) {
      const i = batch.items.findIndex((c) => compareKeysets(keysetOf(c, cxoneTieKey), after) > 0);
      if (i >= 0 || batch.done) return { batch, restartedAt: batch.start + (i >= 0 ? i : batch.items.length) };
      const start = batch.start + batch.items.length;
      count();
      batch = this.toBatch(await this.client.scroll(this.tokenKey, batch.nextScrollId as string), start, exportId);
    }
  }
}

/**
 * Random, so that a cursor made by another replica never names one of this process's exports; or,
 * for an export that goes on, derived from its scroll id: two listings that got the same first page
 * (from the entity cache) continue one scroll, so they must find each other's batches.
 */
function newExportId(scrollId: string | null = null): string {
  if (scrollId) return createHash('sha256').update(scrollId).digest('base64url').slice(0, 12);
  return randomBytes(6).toString('base64url');
}
