import { createHash } from 'node:crypto';
import { BotgraphError, ErrorCode, badInput, codeProperties } from '../errors.js';
import type { ProviderName } from '../models.js';
import { deserialize, serialize } from '../serialize.js';
import type { IdempotencyStore } from './store.js';

/** How long a finished key replays its result. @default 24 h */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** How long a key stays claimed by a call that never finished (its process died). @default 2 min */
export const PENDING_TTL_MS = 120_000;
/** How long a duplicate waits for the first call before IDEMPOTENCY_IN_PROGRESS. @default 10 s */
export const IN_PROGRESS_WAIT_MS = 10_000;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Validates an idempotency key: 1–255 printable ASCII characters, no spaces. */
export function checkIdempotencyKey(key: string | null | undefined, field = 'input.idempotencyKey'): string | null {
  if (key === null || key === undefined) return null;
  if (!KEY_PATTERN.test(key)) throw badInput('`idempotencyKey` must be 1 to 255 printable ASCII characters without spaces.', field);
  return key;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The same input in any key order gives the same fingerprint. */
export function fingerprint(mutation: string, input: unknown): string {
  return createHash('sha256').update(`${mutation}\n${canonical(input)}`).digest('base64url');
}

type Stored<T> = { ok: T } | { error: { code: ErrorCode; message: string; provider?: ProviderName } };

function replay<T>(text: string): T & { replayed: true } {
  const stored = deserialize<Stored<T>>(text);
  if ('error' in stored) {
    const { code, message, provider } = stored.error;
    throw new BotgraphError(code, message, provider ? { provider } : {});
  }
  return { ...stored.ok, replayed: true as const };
}

export interface RunOptions<T> {
  store: IdempotencyStore;
  mutation: string;
  key: string | null;
  /** The validated input without the key: what must match for a replay. */
  input: unknown;
  /**
   * Does the work. Calls `wrote()` once the vendor accepted the write: a failure after that point
   * (e.g. the read-back) is stored, never released, because the write itself happened.
   */
  execute: (wrote: () => void) => Promise<T>;
}

/** Runs a mutation at most once per idempotency key (Stripe semantics, see schema/mutations.graphql). */
export async function runIdempotent<T extends object>(options: RunOptions<T>): Promise<T & { replayed: boolean }> {
  const { store, mutation, key, input } = options;
  if (key === null) return { ...(await options.execute(() => {})), replayed: false };

  const storeKey = `${mutation}:${key}`;
  const print = fingerprint(mutation, input);
  const reused = () =>
    new BotgraphError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'This idempotencyKey was already used with a different input. Use a new key for a new operation.',
      { field: 'input.idempotencyKey' },
    );

  // A duplicate waits for the call holding the key and replays its result. If that call released
  // the key instead (it provably changed nothing), the key is free: this call claims it and runs, as
  // a retry would. IDEMPOTENCY_IN_PROGRESS only when the wait outlasts IN_PROGRESS_WAIT_MS.
  const deadline = Date.now() + IN_PROGRESS_WAIT_MS;
  for (;;) {
    const claim = await store.claim(storeKey, print, PENDING_TTL_MS);
    if (claim.kind === 'claimed') break;
    if (claim.fingerprint !== print) throw reused();
    if (claim.kind === 'done') return replay<T>(claim.result);
    const remaining = deadline - Date.now();
    const finished = remaining > 0 ? await store.waitFor(storeKey, remaining) : null;
    if (finished) {
      if (finished.fingerprint !== print) throw reused();
      return replay<T>(finished.result);
    }
    if (Date.now() >= deadline) {
      throw new BotgraphError(
        ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        'An earlier call with this idempotencyKey has not finished. Retry with the same key shortly.',
        { field: 'input.idempotencyKey' },
      );
    }
    // Released: try to claim it again.
  }

  let written = false;
  try {
    const result = await options.execute(() => {
      written = true;
    });
    await store.finish(storeKey, print, serialize({ ok: result } satisfies Stored<T>), IDEMPOTENCY_TTL_MS);
    return { ...result, replayed: false };
  } catch (error) {
    const err =
      error instanceof BotgraphError
        ? error
        : new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.', { cause: error });
    // A failure that provably changed nothing releases the key (see `ErrorCodeProperties.changedNothing`).
    if (!written && codeProperties(err.code).changedNothing) {
      await store.release(storeKey);
    } else {
      const stored: Stored<T> = { error: { code: err.code, message: err.message, ...(err.provider ? { provider: err.provider } : {}) } };
      await store.finish(storeKey, print, serialize(stored), IDEMPOTENCY_TTL_MS);
    }
    throw error;
  }
}
