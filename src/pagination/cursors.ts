import { setBounded } from '../bounded.js';
import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { badInput } from '../errors.js';
import { decodeCursor, encodeCursor } from './connection.js';

/**
 * Compact cursors. A list position can be large (the merged conversation list keeps every
 * stream's offset, head and vendor state: about 880 characters as base64 JSON), and it used to be
 * encoded in full on every edge. Here a position is stored once in a table and the cursor is its
 * token: `z` and 22 characters, whatever the position holds.
 *
 * This layer knows nothing of what a position contains (the merge decides that, and may change it):
 * it maps a kind-tagged JSON value to a short token and back. Tokens are an HMAC of the position
 * under a per-process secret: the same position on one replica gets the same token (one entry,
 * not one per edge or request), and no client can name a position it was not given.
 */

/** Where positions are kept, by token, for `ttlMs`. */
export interface CursorTable {
  /** Stores synchronously where it can; a returned promise must settle before the cursor is handed out. */
  put(token: string, value: string): void | Promise<void>;
  get(token: string): string | null | Promise<string | null>;
}

/** How long a cursor stays usable. @default 3_600_000 (1 h) */
export const DEFAULT_CURSOR_TTL_MS = 3_600_000;
/** The most positions one process keeps in memory (oldest dropped first). @default 200_000 */
export const MAX_MEMORY_CURSORS = 200_000;

/** One process's table: a Map in insertion order with an expiry per entry. */
export class MemoryCursorTable implements CursorTable {
  private readonly entries = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly ttlMs = DEFAULT_CURSOR_TTL_MS,
    private readonly maxEntries = MAX_MEMORY_CURSORS,
  ) {}

  put(token: string, value: string): void {
    setBounded(this.entries, token, { value, until: Date.now() + this.ttlMs }, this.maxEntries);
  }

  get(token: string): string | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.until <= Date.now()) {
      this.entries.delete(token);
      return null;
    }
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * With REDIS_URL: every replica reads every replica's cursors. A local copy answers this process's
 * own cursors without a round trip.
 */
export class RedisCursorTable implements CursorTable {
  private readonly local: MemoryCursorTable;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = DEFAULT_CURSOR_TTL_MS,
  ) {
    this.local = new MemoryCursorTable(ttlMs, 20_000);
  }

  async put(token: string, value: string): Promise<void> {
    if (this.local.get(token) === value) return;
    this.local.put(token, value);
    await this.redis.set(`botgraph:cursor:${token}`, value, 'PX', this.ttlMs);
  }

  async get(token: string): Promise<string | null> {
    return this.local.get(token) ?? (await this.redis.get(`botgraph:cursor:${token}`));
  }
}

const PREFIX = 'z';
const TOKEN = /^z[A-Za-z0-9_-]{22}$/;

/**
 * Encodes and decodes the compact cursors of one table. Writes the table could not finish
 * synchronously (Redis) are collected; `flush()` awaits them, and the HTTP layer calls it before a
 * response leaves, so a cursor another replica receives is always readable there.
 */
export class CursorCodec {
  private readonly secret = randomBytes(32);
  private pending: Promise<void>[] = [];

  constructor(readonly table: CursorTable) {}

  /** A per-request view: same table and secret, its own pending writes. */
  forRequest(): CursorCodec {
    const view = Object.create(this) as CursorCodec;
    view.pending = [];
    return view;
  }

  encode(kind: string, payload: unknown): string {
    const value = encodeCursor(kind, payload);
    const token = `${PREFIX}${createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 22)}`;
    const wrote = this.table.put(token, value);
    if (wrote) this.pending.push(wrote.catch(() => {}));
    return token;
  }

  /**
   * The payload of a cursor of `kind`; BAD_USER_INPUT naming `field` for anything else, and for a
   * cursor whose position has expired.
   */
  async decode(kind: string, cursor: string, field = 'after'): Promise<unknown> {
    if (!TOKEN.test(cursor)) return decodeCursor(kind, cursor, field);
    const value = await this.table.get(cursor);
    if (value === null) throw badInput(`\`${field}\` has expired or is not a cursor from this list; start again without it.`, field);
    return decodeCursor(kind, value, field);
  }

  async flush(): Promise<void> {
    const pending = this.pending.splice(0);
    if (pending.length) await Promise.all(pending);
  }
}

/** The process's codec when none is given (tests of the merge alone). */
export const memoryCursors = new CursorCodec(new MemoryCursorTable());
