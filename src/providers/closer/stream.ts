/**
 * One CLOSER conversation list as a merge stream (the same shape as every vendor's: a class in
 * `stream.ts` built from an options object). Every filter runs at CLOSER, so the vendor's order and
 * total are the stream's.
 *
 * Two lists serve it: a bot's own list, `GET /openapi/bot/{botId}/conversation` (the merged list:
 * one stream per bot), and `GET /openapi/conversations` (every bot in one call: pollers, stats and an
 * end user's conversations). Read from the top or by offset, it is CLOSER's page/limit window; read
 * after a keyset (`position.after`, the merge's later pages), it is the first page of
 * `updatedTo = <the last item's updatedAt>` (inclusive) with what is not after the keyset dropped
 * here, so a conversation that moved between two pages is never read twice; a catch-up round
 * (`position.since`) adds `updatedFrom` and `createdTo`. docs/providers/closer.md, "Conversation streams".
 */
import { compareKeysets, keysetOf, type ListMemo, type StreamOptionsBase } from '../../datasources/base.js';
import type { ConversationStream, StreamChunk, StreamPosition } from '../../datasources/types.js';
import type { ConversationModel } from '../../models.js';
import type { CloserClient, CloserConversationFilter, CloserSlice } from './client.js';
import { CLOSER_MAX_LIMIT } from './types.js';

export interface CloserStreamOptions extends StreamOptionsBase {
  /** `CLOSER…` (every bot) or `CLOSER:<botId>…` (one bot), with the status group. */
  filter: CloserConversationFilter;
  /** Read from this bot's own list; absent: `GET /openapi/conversations` with `filter.botIds`. */
  botId?: string;
  client: CloserClient;
  /** The request's list memo: a page asked twice costs one call. */
  lists: ListMemo;
  /**
   * Primes the by-id loaders with a page, unless a write happened while it was read (then the page
   * answers its own caller, but may be stale for anyone else). `generation` counts writes.
   */
  generation(): number;
}

/** CLOSER's tie order: `updatedAt` descending, then `id` descending (docs/providers/closer.md, "List order"). */
export function closerTieKey(c: ConversationModel): string {
  return c.nativeId;
}

/** A list window as the memo keeps it: the slice, and the write generation its read started at. */
interface Windowed {
  slice: CloserSlice<ConversationModel>;
  generation: number;
}

function earlier(a: Date | undefined, b: Date): Date {
  return a && a < b ? a : b;
}

function later(a: Date | undefined, b: Date): Date {
  return a && a > b ? a : b;
}

export class CloserStream implements ConversationStream {
  readonly key: string;
  readonly tieKey = closerTieKey;

  constructor(private readonly options: CloserStreamOptions) {
    this.key = options.key;
  }

  private listKey(...parts: unknown[]): string {
    return JSON.stringify([this.key, this.options.filter, ...parts]);
  }

  /**
   * A window of the list through the request's memo, with the write generation its read started at:
   * a read started early (`prefetch`) and taken later primes nothing if a write came in between.
   */
  private window(key: string, filter: CloserConversationFilter, offset: number, limit: number, ahead = false): Promise<Windowed> {
    return this.options.lists.get(
      key,
      async () => {
        const { client, botId } = this.options;
        const generation = this.options.generation();
        const slice = await (botId === undefined
          ? client.listConversations(filter, offset, limit)
          : client.listBotConversations(botId, filter, offset, limit));
        return { slice, generation };
      },
      ahead,
    );
  }

  /**
   * Starts the read a first page's `fetch(0, limit)` makes (src/pagination/merge.ts, `readSize`),
   * before the stream is known to be wanted: the fetch then takes it from the memo, failure
   * included (not one more read). A failure is that fetch's to report, or nobody's when the stream
   * turns out not to be wanted.
   */
  prefetch(limit: number): Promise<unknown> {
    const read = this.window(this.listKey('fetch', 0, limit), this.options.filter, 0, limit, true);
    read.catch(() => undefined);
    return read;
  }

  async fetch(offset: number, limit: number, _state: string | null, position?: StreamPosition): Promise<StreamChunk> {
    const after = position?.after ?? null;
    const since = position?.since;
    if (!after && !since) {
      const { slice, generation } = await this.window(this.listKey('fetch', offset, limit), this.options.filter, offset, limit);
      if (generation === this.options.generation()) this.options.prime(slice.items);
      return {
        items: slice.items,
        total: slice.total,
        done: slice.items.length === 0 || offset + slice.items.length >= slice.total,
        state: null,
      };
    }
    const filter: CloserConversationFilter = { ...this.options.filter };
    if (after && after[0] !== null) filter.updatedTo = earlier(filter.updatedTo, new Date(after[0]));
    if (since) {
      filter.updatedFrom = later(filter.updatedFrom, new Date(since.updatedFrom));
      if (since.createdTo !== undefined) filter.createdTo = earlier(filter.createdTo, new Date(since.createdTo));
    }
    // One more than asked: the keyset's own item (the last one consumed) is usually the first answered.
    const size = Math.min(CLOSER_MAX_LIMIT, Math.max(1, limit) + (after ? 1 : 0));
    const { slice, generation } = await this.window(this.listKey('keyset', filter, size), filter, 0, size);
    if (generation === this.options.generation()) this.options.prime(slice.items);
    const items = after ? slice.items.filter((c) => compareKeysets(keysetOf(c, closerTieKey), after) > 0) : slice.items;
    // `total` counts the filtered list: a page holding all of it is its end.
    return { items, total: slice.total, done: slice.items.length < size || slice.items.length >= slice.total, state: null };
  }

  async count(): Promise<number> {
    const { lists } = this.options;
    const { client, botId, filter } = this.options;
    const page = await lists.get(this.listKey('count'), () =>
      botId === undefined ? client.conversationsPage(filter, 1, 1) : client.botConversationsPage(botId, filter, 1, 1),
    );
    return page.total;
  }
}
