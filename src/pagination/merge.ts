import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BotgraphError, ErrorCode, badInput } from '../errors.js';
import { keysetOf, type Keyset } from '../datasources/base.js';
import type { ConversationStream, StreamPosition } from '../datasources/types.js';
import type { ConversationModel, ProviderName } from '../models.js';
import type { ConnectionModel, EdgeModel } from './connection.js';
import { memoryCursors, type CursorCodec } from './cursors.js';

/**
 * The cross-provider conversation list: a lazy k-way merge of several ordered streams (CLOSER's
 * per-bot lists, one per Bot.one bot, one per CXone token), newest `updatedAt` first, behind one cursor.
 *
 * The cursor stores, per stream, the vendor offset of its next unconsumed item, that item's
 * `updatedAt` when it was already seen (the "head"), the stream's total and its own opaque state
 * (CXone's scroll). Because heads travel in the cursor, the next page only calls a stream once its
 * head would actually make the page: a provider whose newest remaining conversation is older than
 * the whole page costs nothing.
 *
 * **Keyset streams** (`stream.tieKey` present) are read after the (`updatedAt`, tie) of the last
 * conversation consumed, not by offset, so a conversation that changes between two pages (and moves
 * to the top) is never read twice. One that moves to the top before the list reached it would be
 * missed; so a keyset stream whose list was not one consistent snapshot (`StreamChunk.snapshot`) is
 * read again at its end in **catch-up rounds**: round 1 reads the conversations updated since the
 * stream's first head (`updatedAt >= z`, created at or before `z`), round r + 1 those updated since
 * the top of round r, until a round's first read covers its whole zone and holds nothing new (at
 * that instant every conversation not yet listed would have been in it), or MAX_CATCH_UP_ROUNDS.
 * The cursor keeps a 48-bit hash of every conversation listed, so a round never lists one twice.
 * docs/architecture.md ("Paging under live writes") states the guarantee.
 */

/** The most catch-up rounds per stream; the rounds shrink to the seconds a page takes, so 2 is usual. */
export const MAX_CATCH_UP_ROUNDS = 4;

/**
 * How many items a stream is asked for when `limit` are wanted, outside a catch-up round. A first
 * page reads every head as `fetch(0, readSize(first))`, which a datasource may start before its
 * streams are known (`ProviderDatasource.listStreams`' `headRead`).
 */
export function readSize(limit: number): number {
  return Math.max(1, limit);
}
/** What a catch-up read asks for (a stream answers up to its largest page). */
const CATCH_UP_READ = 100;
/** The most reads of one stream within one page that give nothing to show (everything already listed). */
const MAX_EMPTY_READS = 6;

const keysetSchema = z.tuple([z.number().nullable(), z.string()]);
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
  /** Keyset streams: (`updatedAt`, tie) of the last item consumed (or skipped); absent: from the top. */
  k: keysetSchema.optional(),
  /** Keyset streams: the `updatedAt` of the stream's head at its first read (the list's "first page"). */
  z: z.number().optional(),
  /** Keyset streams: the snapshot every main-pass read came from; '' when not one snapshot. */
  v: z.string().max(64).optional(),
  /** Catch-up: the current round's lower `updatedAt` bound; absent: still the main pass. */
  c: z.number().optional(),
  /** Catch-up: the round's number (1…). */
  r: z.number().int().min(1).optional(),
  /** Catch-up: reads made in this round. */
  f: z.number().int().min(0).optional(),
  /** Catch-up: the `updatedAt` at the top of the round's first read (the next round's bound). */
  m: z.number().optional(),
  /** Catch-up: 1 when the round listed something. */
  n: z.literal(1).optional(),
  /**
   * The partial error a read of this stream gave (`StreamChunk.partial`: its list is incomplete),
   * said again on every later page of the listing, whether or not that page reads the stream: what
   * is missing could belong on any page. Cursors are kept server-side, so this is botgraph's own.
   */
  w: z
    .object({
      c: z.enum(ErrorCode),
      m: z.string().max(1_000),
      p: z
        .string()
        .regex(/^[A-Z]{1,20}$/)
        .optional(),
      d: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
/** `e`: the listed conversations' hashes, 8 characters each (only with keyset streams). */
const cursorSchema = z.object({ q: z.string(), s: z.record(z.string(), streamStateSchema), e: z.string().optional() });
type StreamState = z.infer<typeof streamStateSchema>;

const CURSOR_KIND = 'conversations';
const HASH_CHARS = 8;

interface Buffered {
  item: ConversationModel;
  offset: number;
  key: Keyset | null;
}

interface Lane {
  stream: ConversationStream;
  state: StreamState;
  buffer: Buffered[];
  failed: boolean;
  /** Reads by keyset and takes part in catch-up. */
  keyset: boolean;
  /** Key of the last item read (buffered or skipped): where the next read starts. */
  tail: Keyset | undefined;
  /** Key of the last item consumed (from the cursor, then this page). */
  consumed: Keyset | undefined;
  /** Reads on this page that gave nothing to show. */
  empty: number;
  /** The last read said the phase is over while items were still buffered: it ends once they are taken. */
  ended: boolean;
  /**
   * The lane's part of the position, made when an edge is taken and kept until the lane changes
   * (a read, or an item taken from it): an edge changes one lane, so the others' parts are shared
   * with the edge before. Never mutated once made (cursors are encoded from it later).
   */
  part: StreamState | undefined;
}

export interface MergeOptions {
  /** The streams, when all are known; else `groups`. */
  streams?: ConversationStream[];
  /**
   * Groups of streams still being made (CLOSER's per-bot streams wait for its bot list): on a first
   * page each group's first reads start as soon as that group is known, not once every group is, so
   * one provider's setup call does not hold back another's list. A group that fails is the
   * caller's to report: it should resolve to [] instead.
   */
  groups?: Array<Promise<ConversationStream[]>>;
  first: number;
  after: string | null | undefined;
  /** Identifies the query (from its streams, once all are known); a cursor made for another query is rejected. */
  queryKey: string | ((streams: ConversationStream[]) => string);
  /** How positions become cursors (compact, kept in a table). @default the process's memory table */
  cursors?: CursorCodec;
  /** Called once per stream that failed; the merge goes on without it (partial results). */
  onStreamError: (stream: ConversationStream, error: BotgraphError) => void;
  /**
   * Called for each read whose chunk says its list is incomplete (`StreamChunk.partial`), and on
   * every later page of that listing (the cursor keeps it); the items are still merged. The caller
   * reports it once per page (a partial error).
   */
  onStreamPartial?: (stream: ConversationStream, error: BotgraphError) => void;
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

/** Per model: the same models come back request after request while a vendor answer is unchanged. */
const identityHashes = new WeakMap<ConversationModel, string>();

function identityHash(item: ConversationModel): string {
  let hash = identityHashes.get(item);
  if (hash === undefined) {
    hash = createHash('sha256').update(`${item.provider}:${item.nativeId}`).digest('base64url').slice(0, HASH_CHARS);
    identityHashes.set(item, hash);
  }
  return hash;
}

function parseSeen(e: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!e) return out;
  for (let i = 0; i + HASH_CHARS <= e.length; i += HASH_CHARS) out.add(e.slice(i, i + HASH_CHARS));
  return out;
}

export async function mergeConversations(options: MergeOptions): Promise<ConnectionModel<ConversationModel>> {
  const { first } = options;
  const codec = options.cursors ?? memoryCursors;
  const groups: Array<Promise<ConversationStream[]>> = options.groups ?? [Promise.resolve(options.streams ?? [])];
  const keyOf = (streams: ConversationStream[]) => (typeof options.queryKey === 'string' ? options.queryKey : options.queryKey(streams));
  let saved: Record<string, StreamState> = {};
  let savedSeen: string | undefined;
  let streams: ConversationStream[] = [];
  let queryKey = '';
  if (options.after) {
    // A later page: its cursor names every stream's state, checked against all of them first.
    streams = (await Promise.all(groups)).flat();
    queryKey = keyOf(streams);
    const parsed = cursorSchema.safeParse(await codec.decode(CURSOR_KIND, options.after));
    if (!parsed.success) throw badInput('`after` is not a cursor from this list.', 'after');
    if (parsed.data.q !== queryKey) {
      throw badInput('`after` was made for a different filter or provider set; start again without it.', 'after');
    }
    saved = parsed.data.s;
    savedSeen = parsed.data.e;
  }

  const laneOf = (stream: ConversationStream): Lane => {
    const state: StreamState = { ...(saved[stream.key] ?? { o: 0 }) };
    return {
      stream,
      state,
      buffer: [],
      failed: false,
      keyset: typeof stream.tieKey === 'function',
      tail: state.k,
      consumed: state.k,
      empty: 0,
      ended: false,
      part: undefined,
    };
  };
  let lanes: Lane[] = options.after ? streams.map(laneOf) : [];
  // What an earlier page's reads said is missing, said on this page too (the caller reports each once).
  for (const lane of lanes) {
    const w = lane.state.w;
    if (!w) continue;
    const error = new BotgraphError(w.c, w.m, { ...(w.p ? { provider: w.p as ProviderName } : {}), ...(w.d ? { details: w.d } : {}) });
    options.onStreamPartial?.(lane.stream, error);
  }
  // The hashes of everything listed, when some stream pages by keyset (only those can catch up).
  // Set once every lane is known; on a first page nothing is seen yet, so the first reads (made
  // while groups are still arriving) cannot skip anything either way.
  let tracking = lanes.some((l) => l.keyset);
  const seenBase = tracking ? (savedSeen ?? '') : '';
  const seen = parseSeen(seenBase);
  const pageHashes: string[] = [];

  /** A round begins: from the top of the zone `updatedAt >= since`. */
  const startRound = (lane: Lane, since: number) => {
    const s = lane.state;
    s.c = since;
    s.r = (s.r ?? 0) + 1;
    s.f = 0;
    delete s.m;
    delete s.n;
    s.o = 0;
    s.h = undefined;
    lane.tail = undefined;
    lane.consumed = undefined;
  };

  /** The stream has nothing after what was read: done, or (keyset streams) the next catch-up round. */
  const phaseEnded = (lane: Lane) => {
    const s = lane.state;
    if (!lane.keyset) {
      s.d = 1;
      return;
    }
    if (s.c === undefined) {
      // The main pass: one snapshot, or nothing there at the first read, is complete as read.
      if (s.v || s.z === undefined) s.d = 1;
      else startRound(lane, s.z);
      return;
    }
    const clean = s.f === 1 && !s.n;
    if (clean || (s.r ?? 1) >= MAX_CATCH_UP_ROUNDS || s.m === undefined) s.d = 1;
    else startRound(lane, s.m);
  };

  const readOnce = async (lane: Lane, limit: number): Promise<void> => {
    const s = lane.state;
    const from = lane.buffer.at(-1) ? (lane.buffer.at(-1) as Buffered).offset + 1 : s.o;
    const catchUp = lane.keyset && s.c !== undefined;
    const position: StreamPosition | undefined = lane.keyset
      ? {
          after: lane.tail ?? null,
          ...(catchUp ? { since: { updatedFrom: s.c as number, ...(s.z !== undefined ? { createdTo: s.z } : {}) } } : {}),
        }
      : undefined;
    // A catch-up round reads big pages: its first read should cover the whole (small) zone.
    const size = catchUp ? Math.max(limit, CATCH_UP_READ) : readSize(limit);
    const chunk = await lane.stream.fetch(from, size, s.x ?? null, position);
    if (chunk.partial) {
      const p = chunk.partial;
      s.w = { c: p.code, m: p.message, ...(p.provider ? { p: p.provider } : {}), ...(p.details ? { d: { ...p.details } } : {}) };
      options.onStreamPartial?.(lane.stream, p);
    }
    const tie = lane.stream.tieKey;
    if (lane.keyset) {
      const top = chunk.items[0];
      if (!catchUp) {
        if (s.z === undefined && !s.k && top?.updatedAt) s.z = top.updatedAt.getTime();
        if (s.v === undefined && !s.k) s.v = chunk.snapshot ?? '';
        else if (s.v !== (chunk.snapshot ?? '')) s.v = '';
      } else {
        s.f = (s.f ?? 0) + 1;
        if (s.f === 1 && top?.updatedAt) s.m = top.updatedAt.getTime();
      }
    }
    let shown = 0;
    chunk.items.forEach((item, i) => {
      const key = tie ? keysetOf(item, tie) : null;
      if (key) lane.tail = key;
      if (tracking && seen.has(identityHash(item))) return;
      // A catch-up lists only what existed at the stream's first read.
      if (catchUp && s.z !== undefined && item.createdAt && item.createdAt.getTime() > s.z) return;
      lane.buffer.push({ item, offset: chunk.offsets?.[i] ?? from + i, key });
      shown += 1;
    });
    if (catchUp && shown > 0) s.n = 1;
    // A keyset read after the top counts only what follows its keyset: the total stays the first read's.
    if (!catchUp && !position?.after) s.t = chunk.total;
    s.x = chunk.state;
    if (shown === 0) lane.empty += 1;
    // A stream that returns nothing and does not say it is done would loop forever; treat it as done.
    if (chunk.done || chunk.items.length === 0) {
      if (lane.buffer.length === 0) phaseEnded(lane);
      else lane.ended = true;
    }
  };

  /** Reads until the lane has something to show, is done, or has read MAX_EMPTY_READS times for nothing. */
  const fetchLane = async (lane: Lane, limit: number) => {
    lane.part = undefined;
    try {
      while (!lane.failed && !lane.state.d && lane.buffer.length === 0 && lane.empty < MAX_EMPTY_READS) {
        await readOnce(lane, limit);
        if (!lane.keyset) break;
      }
    } catch (error) {
      lane.failed = true;
      options.onStreamError(
        lane.stream,
        error instanceof BotgraphError ? error : new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error.', { cause: error }),
      );
    } finally {
      lane.part = undefined;
    }
  };

  // Streams with no known head must be read before anything can be compared.
  const readHeads = (some: Lane[]) => Promise.all(some.filter((l) => !l.state.d && l.state.h === undefined).map((l) => fetchLane(l, first)));
  if (options.after) await readHeads(lanes);
  else {
    // A first page: each group's heads are read as soon as the group is known. Lanes keep the
    // groups' order (the order ties are broken in), whatever order the groups arrive in.
    const made = await Promise.all(
      groups.map(async (group) => {
        const some = (await group).map(laneOf);
        await readHeads(some);
        return some;
      }),
    );
    lanes = made.flat();
    streams = lanes.map((l) => l.stream);
    queryKey = keyOf(streams);
    tracking = lanes.some((l) => l.keyset);
  }

  const edges: EdgeModel<ConversationModel>[] = [];
  const snapshot = () => {
    const s: Record<string, StreamState> = {};
    for (const lane of lanes) s[lane.stream.key] = lane.part ??= partOf(lane);
    return s;
  };
  const partOf = (lane: Lane): StreamState => {
    const next = lane.buffer[0];
    const st = lane.state;
    const state: StreamState = { o: next ? next.offset : st.o };
    if (next) state.h = next.item.updatedAt ? next.item.updatedAt.getTime() : null;
    else if (!lane.failed && st.d) state.d = 1;
    // A head known from the cursor and not read on this page (or lost to a failure) stays known,
    // so the next page still skips a stream that cannot make it.
    else if (st.h !== undefined) state.h = st.h;
    if (st.t !== undefined) state.t = st.t;
    if (st.x) state.x = st.x;
    if (st.w) state.w = st.w;
    if (lane.keyset) {
      const k = next ? lane.consumed : lane.tail;
      if (k) state.k = k;
      if (st.z !== undefined) state.z = st.z;
      if (st.v !== undefined) state.v = st.v;
      if (st.c !== undefined) {
        state.c = st.c;
        state.r = st.r ?? 1;
        // Nothing of the round consumed yet: the next page starts the round again from its top.
        if (k) {
          state.f = st.f ?? 0;
          if (st.m !== undefined) state.m = st.m;
          if (st.n) state.n = 1;
        } else {
          state.f = 0;
          state.o = 0;
          delete state.h;
        }
      }
    }
    return state;
  };
  /**
   * An edge whose cursor is encoded (and stored) only when read: an inbox selecting only `nodes`
   * encodes none, `pageInfo { endCursor }` one.
   */
  const edgeOf = (node: ConversationModel, position: Record<string, StreamState>, listed: number): EdgeModel<ConversationModel> => {
    let cursor: string | undefined;
    return {
      node,
      get cursor() {
        const value = tracking ? { q: queryKey, s: position, e: seenBase + pageHashes.slice(0, listed).join('') } : { q: queryKey, s: position };
        return (cursor ??= codec.encode(CURSOR_KIND, value));
      },
    };
  };

  while (edges.length < first) {
    // A stream whose head is unknown (it gave its last buffered item, or starts a round) is read first.
    const unknown = lanes.filter((l) => !l.failed && !l.state.d && l.buffer.length === 0 && l.state.h === undefined && l.empty < MAX_EMPTY_READS);
    if (unknown.length > 0) {
      await Promise.all(unknown.map((l) => fetchLane(l, first - edges.length)));
      continue;
    }
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
      best.state.h = undefined;
      // fetchLane drops the lane's position part itself.
      await fetchLane(best, first - edges.length);
      continue;
    }
    const taken = best.buffer.shift() as Buffered;
    best.part = undefined;
    best.state.o = taken.offset + 1;
    best.state.h = undefined;
    if (taken.key) best.consumed = taken.key;
    if (best.buffer.length === 0 && best.ended) {
      best.ended = false;
      phaseEnded(best);
    }
    if (tracking) {
      const hash = identityHash(taken.item);
      if (seen.has(hash)) continue;
      seen.add(hash);
      pageHashes.push(hash);
    }
    edges.push(edgeOf(taken.item, snapshot(), pageHashes.length));
    if (edges.length >= first) break;
  }

  // A stream whose main pass ended on this page starts its catch-up here, so that a page that says
  // more follows has more: a round that finds nothing new ends the stream now.
  const fresh = lanes.filter((l) => l.keyset && !l.failed && !l.state.d && l.buffer.length === 0 && l.state.c !== undefined && !l.state.f);
  if (fresh.length > 0) await Promise.all(fresh.map((l) => fetchLane(l, Math.max(1, first))));

  // A failed stream that was not done may still have more: the client can page on and see it again.
  const hasNextPage = lanes.some((l) => l.buffer.length > 0 || !l.state.d);
  let endless: string | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(options.after),
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        // A page that found nothing new but says more follows still moves on: its position as a cursor.
        if (edges.length === 0 && hasNextPage && first > 0) return (endless ??= edgeOf(null as unknown as ConversationModel, snapshot(), 0).cursor);
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
