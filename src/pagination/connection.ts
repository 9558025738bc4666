import { badInput } from '../errors.js';

export interface EdgeModel<T> {
  cursor: string;
  node: T;
}

/** What a Connection resolver returns; `totalCount` is lazy because it can cost upstream calls. */
export interface ConnectionModel<T> {
  edges: EdgeModel<T>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/** The largest `first` any connection accepts. */
export const MAX_PAGE_SIZE = 100;

/** Validates `first`: an integer from 0 to MAX_PAGE_SIZE. */
export function checkFirst(first: number | null | undefined, fallback: number, field = 'first'): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw badInput(`\`${field}\` must be an integer from 0 to ${MAX_PAGE_SIZE}; got ${value}.`, field);
  }
  return value;
}

/**
 * Cursors are base64url JSON with a kind tag, so a message cursor passed to a conversation list
 * (or any made-up string) is BAD_USER_INPUT rather than a wrong page.
 */
export function encodeCursor(kind: string, payload: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, p: payload }), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, field = 'after'): unknown {
  const fail = () => badInput(`\`${field}\` is not a cursor from this list.`, field);
  if (cursor.length > 16_384 || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { k?: unknown }).k !== kind) throw fail();
  return (parsed as { p: unknown }).p;
}

/**
 * An offset-based connection over one ordered list (messages of a conversation, end users): the
 * cursor is the offset after the edge.
 */
export async function offsetConnection<T>(
  kind: string,
  first: number,
  after: string | null | undefined,
  load: (offset: number, limit: number) => Promise<{ items: T[]; total: number }>,
): Promise<ConnectionModel<T>> {
  const offset = after ? decodeOffset(kind, after, 'after') : 0;
  const { items, total } = first === 0 ? await load(offset, 1).then((r) => ({ items: [], total: r.total })) : await load(offset, first);
  return offsetPage(kind, offset, items, total);
}

function decodeOffset(kind: string, cursor: string, field: 'after' | 'before'): number {
  const p = decodeCursor(kind, cursor, field);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) throw badInput(`\`${field}\` is not a cursor from this list.`, field);
  return p;
}

function offsetPage<T>(kind: string, offset: number, items: T[], total: number): ConnectionModel<T> {
  const edges = items.map((node, i) => ({ node, cursor: encodeCursor(kind, offset + i + 1) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: offset + items.length < total,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => total,
  };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * An offset connection that also pages backward: `last` edges ending before `before` (or at the
 * end). Without `before` the end is unknown until one small read learns the total (free where
 * the vendor's messages come in one detail read, one more call for CLOSER's paged messages).
 */
export async function offsetConnectionBothWays<T>(
  kind: string,
  args: PageArgs,
  fallbackSize: number,
  load: (offset: number, limit: number) => Promise<{ items: T[]; total: number }>,
): Promise<ConnectionModel<T>> {
  const backward = args.last != null || args.before != null;
  if (!backward) return offsetConnection(kind, checkFirst(args.first, fallbackSize), args.after, load);
  if (args.first != null || args.after != null) {
    throw badInput('Page forward (`first`/`after`) or backward (`last`/`before`), not both at once.', args.first != null ? 'first' : 'after');
  }
  const last = checkFirst(args.last, fallbackSize, 'last');
  // The cursor of the edge at index i is i + 1: `before` it are the items [0, i).
  const end = args.before ? Math.max(0, decodeOffset(kind, args.before, 'before') - 1) : (await load(0, 1)).total;
  const start = Math.max(0, end - last);
  const page = end > start ? await load(start, end - start) : { items: [], total: (await load(0, 1)).total };
  return offsetPage(kind, start, page.items.slice(0, end - start), page.total);
}
