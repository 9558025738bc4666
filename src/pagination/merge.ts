import { z } from 'zod';
import { BotgraphError, ErrorCode, badInput } from '../errors.js';
import type { ConversationStream } from '../datasources/types.js';
import type { ConversationModel } from '../models.js';
import type { ConnectionModel, EdgeModel } from './connection.js';
import { memoryCursors, type CursorCodec } from './cursors.js';

/**
 * The cross-provider conversation list: a lazy k-way merge of several ordered streams (CLOSER's
 * list, one per Bot.one bot, one per CXone token), newest `updatedAt` first, behind one cursor.
 *
 * The cursor stores, per stream, the vendor offset of its next unconsumed item, that item's
 * `updatedAt` when it was already seen (the "head"), the stream's total and its own opaque state
 * (CXone's scroll). Because heads travel in the cursor, the next page only calls a stream once its
 * head would actually make the page: a provider whose newest remaining conversation is older than
 * the whole page costs nothing.
 */

const streamStateSchema = z.object({
  /** Vendor offset of the next unconsumed item. */
  o: z.number().int().min(0),
  /** `updatedAt` (ms) of that item if known; null: it has no time; absent: unknown (must fetch). */
  h: z.number().nullable().optional(),
  /** The stream's total, or null when it can only be counted by a scan. */
  t: z.number().int().min(0).nullable().optional(),
  /** 1 when the stream has nothing after `o`. */
  d: z.literal(1).optional(),
  /** The stream's own state. */
  x: z.string().nullable().optional(),
});
const cursorSchema = z.object({ q: z.string(), s: z.record(z.string(), streamStateSchema) });
type StreamState = z.infer<typeof streamStateSchema>;

const CURSOR_KIND = 'conversations';

interface Buffered {
  item: ConversationModel;
  offset: number;
}

interface Lane {
  stream: ConversationStream;
  state: StreamState;
  buffer: Buffered[];
  failed: boolean;
}

export interface MergeOptions {
  streams: ConversationStream[];
  first: number;
  after: string | null | undefined;
  /** Identifies the query; a cursor made for another query is rejected. */
  queryKey: string;
  /** How positions become cursors (compact, kept in a table). @default the process's memory table */
  cursors?: CursorCodec;
  /** Called once per stream that failed; the merge goes on without it (partial results). */
  onStreamError: (stream: ConversationStream, error: BotgraphError) => void;
}

function sortKey(item: ConversationModel): number {
  return item.updatedAt ? item.updatedAt.getTime() : Number.NEGATIVE_INFINITY;
}

function headKey(lane: Lane): number | undefined {
  const first = lane.buffer[0];
  if (first) return sortKey(first.item);
  if (lane.state.d || lane.failed) return undefined;
  const h = lane.state.h;
  if (h === undefined) return undefined;
  return h === null ? Number.NEGATIVE_INFINITY : h;
}

export async function mergeConversations(options: MergeOptions): Promise<ConnectionModel<ConversationModel>> {
  const { streams, first, queryKey } = options;
  const codec = options.cursors ?? memoryCursors;
  let saved: Record<string, StreamState> = {};
  if (options.after) {
    const parsed = cursorSchema.safeParse(await codec.decode(CURSOR_KIND, options.after));
    if (!parsed.success) throw badInput('`after` is not a cursor from this list.', 'after');
    if (parsed.data.q !== queryKey) {
      throw badInput('`after` was made for a different filter or provider set; start again without it.', 'after');
    }
    saved = parsed.data.s;
  }

  const lanes: Lane[] = streams.map((stream) => ({
    stream,
    state: { ...(saved[stream.key] ?? { o: 0 }) },
    buffer: [],
    failed: false,
  }));

  const fetchLane = async (lane: Lane, limit: number) => {
    if (lane.failed || lane.state.d) return;
    const from = lane.buffer.at(-1) ? (lane.buffer.at(-1) as Buffered).offset + 1 : lane.state.o;
    try {
      const chunk = await lane.stream.fetch(from, Math.max(1, limit), lane.state.x ?? null);
      chunk.items.forEach((item, i) => lane.buffer.push({ item, offset: chunk.offsets?.[i] ?? from + i }));
      lane.state.t = chunk.total;
      lane.state.x = chunk.state;
      if (chunk.done) lane.state.d = 1;
      // A stream that returns nothing and does not say it is done would loop forever; treat it as done.
      if (chunk.items.length === 0) lane.state.d = 1;
    } catch (error) {
      lane.failed = true;
      options.onStreamError(
        lane.stream,
        error instanceof BotgraphError ? error : new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error.', { cause: error }),
      );
    }
  };

  // Streams with no known head must be read before anything can be compared.
  await Promise.all(lanes.filter((l) => !l.state.d && l.state.h === undefined).map((l) => fetchLane(l, first)));

  const edges: EdgeModel<ConversationModel>[] = [];
  const seen = new Set<string>();
  const snapshot = () => {
    const s: Record<string, StreamState> = {};
    for (const lane of lanes) {
      const next = lane.buffer[0];
      const state: StreamState = { o: next ? next.offset : lane.state.o };
      if (next) state.h = next.item.updatedAt ? next.item.updatedAt.getTime() : null;
      else if (!lane.failed && lane.state.d) state.d = 1;
      // A head known from the cursor and not read on this page (or lost to a failure) stays known,
      // so the next page still skips a stream that cannot make it.
      else if (lane.state.h !== undefined) state.h = lane.state.h;
      if (lane.state.t !== undefined) state.t = lane.state.t;
      if (lane.state.x) state.x = lane.state.x;
      s[lane.stream.key] = state;
    }
    return { q: queryKey, s };
  };
  /**
   * An edge whose cursor is encoded (and stored) only when read: an inbox selecting only `nodes`
   * encodes none, `pageInfo { endCursor }` one.
   */
  const edgeOf = (node: ConversationModel, position: ReturnType<typeof snapshot>): EdgeModel<ConversationModel> => {
    let cursor: string | undefined;
    return {
      node,
      get cursor() {
        return (cursor ??= codec.encode(CURSOR_KIND, position));
      },
    };
  };

  while (edges.length < first) {
    let best: Lane | undefined;
    let bestKey = Number.NEGATIVE_INFINITY;
    for (const lane of lanes) {
      const key = headKey(lane);
      if (key === undefined) continue;
      if (!best || key > bestKey) {
        best = lane;
        bestKey = key;
      }
    }
    if (!best) break;
    if (best.buffer.length === 0) {
      // Its head is known from the cursor but not loaded yet: load it, then compare again.
      await fetchLane(best, first - edges.length);
      continue;
    }
    const taken = best.buffer.shift() as Buffered;
    best.state.o = taken.offset + 1;
    best.state.h = undefined;
    if (best.buffer.length === 0 && !best.state.d && edges.length + 1 < first) {
      // The next head is unknown until read; read now so that the comparison stays exact. On the
      // page's last edge there is nothing left to compare, so the read waits for the next page.
      await fetchLane(best, first - edges.length - 1);
    }
    const identity = `${taken.item.provider}:${taken.item.nativeId}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    edges.push(edgeOf(taken.item, snapshot()));
  }

  // A failed stream that was not done may still have more: the client can page on and see it again.
  const hasNextPage = lanes.some((l) => l.buffer.length > 0 || !l.state.d);
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(options.after),
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    totalCount: async () => {
      let total = 0;
      for (const lane of lanes) {
        if (lane.failed) continue;
        const t = lane.state.t;
        total += typeof t === 'number' ? t : await lane.stream.count().catch(() => 0);
      }
      return total;
    },
  };
}
