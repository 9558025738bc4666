import { createHash } from 'node:crypto';
import { BotgraphError, ErrorCode, badInput, codeProperties } from '../errors.js';
import type { ProviderName } from '../models.js';
import { deserialize, serialize } from '../serialize.js';
import { pollPeek, type IdempotencyEvents, type IdempotencyStore, type Peek } from './store.js';

/** How long a key remembers its call: the result replays, a crashed call stays unknown. @default 24 h */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
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
  return createHash('sha256')
    .update(`${mutation}\n${canonical(input)}`)
    .digest('base64url');
}

type StoredError = { code: ErrorCode; message: string; provider?: ProviderName; retryable?: boolean; circuit?: 'open' };
type Stored<T> = { ok: T } | { error: StoredError };

function rebuild(stored: StoredError): BotgraphError {
  const { code, message, provider, retryable, circuit } = stored;
  return new BotgraphError(code, message, {
    ...(provider ? { provider } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
    ...(circuit ? { circuit } : {}),
  });
}

function replay<T>(text: string): T & { replayed: true } {
  const stored = deserialize<Stored<T>>(text);
  if ('error' in stored) throw rebuild(stored.error);
  return { ...stored.ok, replayed: true as const };
}

export interface RunOptions<T> {
  store: IdempotencyStore;
  mutation: string;
  /** Opaque: callers may prefix it (a principal's namespace); it is only compared and stored. */
  key: string | null;
  /** The validated input without the key: what must match for a replay. */
  input: unknown;
  /**
   * Does the work. Calls `wrote()` once the vendor accepted the write: a failure after that point
   * (e.g. the read-back) is stored, never released, because the write itself happened.
   */
  execute: (wrote: () => void) => Promise<T>;
  events?: IdempotencyEvents;
}

function dependencyError(cause: unknown): BotgraphError {
  return new BotgraphError(
    ErrorCode.DEPENDENCY_UNAVAILABLE,
    'The idempotency store (Redis) is unreachable; nothing was sent. Retry with the same key shortly.',
    { cause },
  );
}

/** Store calls fail as DEPENDENCY_UNAVAILABLE (retryable): a Redis outage is not a bug. */
async function guarded<R>(call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (error) {
    throw dependencyError(error);
  }
}

function unknownOutcome(startedAt: number): BotgraphError {
  const at = new Date(startedAt).toISOString();
  return new BotgraphError(
    ErrorCode.IDEMPOTENCY_OUTCOME_UNKNOWN,
    `The call that first used this idempotencyKey (started ${at}) stopped before it could record whether the vendor acted. ` +
      'botgraph will not send it again: check the conversation, and if nothing arrived retry with a new key.',
    { field: 'input.idempotencyKey', startedAt: at },
  );
}

/**
 * Runs a mutation at most once per idempotency key. The rule (README "Operating botgraph"):
 *
 * - success: stored for 24 h; the same key and input replay it (`replayed: true`);
 * - a failure that provably changed nothing at the vendor (`changedNothing` in the errors table:
 *   bad input, 404, 401, 403, 429, an open circuit, …): the key is released, so a later retry with
 *   the same key runs again; duplicates already waiting on this call get the same error instead of
 *   each calling the vendor in turn. `retryable` is the code's own;
 * - any failure after the vendor may have acted (timeout, 5xx, unreadable answer, or anything after
 *   the write was accepted): stored for 24 h and replayed as the same error with `retryable: false`,
 *   because the same key never sends again;
 * - the call's process died while it was started: IDEMPOTENCY_OUTCOME_UNKNOWN (with `startedAt`),
 *   never a second send; the operator checks the conversation and uses a new key;
 * - the store itself unreachable: DEPENDENCY_UNAVAILABLE (retryable), and nothing is sent.
 */
export async function runIdempotent<T extends object>(options: RunOptions<T>): Promise<T & { replayed: boolean }> {
  const { store, mutation, key, input } = options;
  const events = options.events ?? store.events;
  if (key === null) return { ...(await options.execute(() => {})), replayed: false };

  const storeKey = `${mutation}:${key}`;
  const print = fingerprint(mutation, input);
  const reused = () => {
    events?.conflict?.(mutation, ErrorCode.IDEMPOTENCY_KEY_REUSED);
    return new BotgraphError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'This idempotencyKey was already used with a different input. Use a new key for a new operation.',
      { field: 'input.idempotencyKey' },
    );
  };
  const replayed = (text: string) => {
    events?.replayed?.(mutation);
    return replay<T>(text);
  };

  // A duplicate waits for the call holding the key and gets its answer. If that call released the
  // key (it provably changed nothing), the duplicate gets the same refusal; a later call claims the
  // key and runs, as a retry would. IDEMPOTENCY_IN_PROGRESS only when the wait outlasts IN_PROGRESS_WAIT_MS.
  const claim = await guarded(() => store.claim(storeKey, print, IDEMPOTENCY_TTL_MS));
  if (claim.kind !== 'claimed') {
    if (claim.fingerprint !== print) throw reused();
    if (claim.kind === 'done') return replayed(claim.result);
    if (!claim.alive) {
      events?.conflict?.(mutation, ErrorCode.IDEMPOTENCY_OUTCOME_UNKNOWN);
      throw unknownOutcome(claim.startedAt);
    }
    const awaited = claim.claimId;
    // Anything but "the call we wait for is still running" is an answer (or a reason to start over).
    const settled = (p: Peek) => !(p.kind === 'started' && p.claimId === awaited && p.alive);
    const seen = await guarded(() => pollPeek(store, storeKey, IN_PROGRESS_WAIT_MS, settled));
    if (seen === null) {
      events?.conflict?.(mutation, ErrorCode.IDEMPOTENCY_IN_PROGRESS);
      throw new BotgraphError(
        ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        'An earlier call with this idempotencyKey has not finished. Retry with the same key shortly.',
        { field: 'input.idempotencyKey' },
      );
    }
    if (seen.kind === 'done' || (seen.kind === 'released' && seen.claimId === awaited)) {
      if (seen.fingerprint !== print) throw reused();
      return replayed(seen.result);
    }
    if (seen.kind === 'started' && seen.claimId === awaited) {
      events?.conflict?.(mutation, ErrorCode.IDEMPOTENCY_OUTCOME_UNKNOWN);
      throw unknownOutcome(seen.startedAt);
    }
    // Freed, or taken by another call meanwhile: start over as a new arrival.
    return runIdempotent(options);
  }

  const stopHeartbeat = store.keepAlive(storeKey, claim.claimId);
  let written = false;
  let result: T;
  try {
    result = await options.execute(() => {
      written = true;
    });
  } catch (error) {
    stopHeartbeat();
    const err =
      error instanceof BotgraphError ? error : new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.', { cause: error });
    const base: StoredError = {
      code: err.code,
      message: err.message,
      ...(err.provider ? { provider: err.provider } : {}),
      ...(err.circuit ? { circuit: err.circuit } : {}),
    };
    // An open circuit or a deadline already passed never reached the vendor, whatever the code says.
    if (!written && (codeProperties(err.code).changedNothing || err.notSent)) {
      await guarded(() => store.release(storeKey, claim.claimId, print, serialize({ error: base } satisfies Stored<T>)));
      throw error;
    }
    // The vendor may have acted: this key will never send again, so retrying it is pointless.
    const stored: StoredError = { ...base, retryable: false };
    await guarded(() => store.finish(storeKey, claim.claimId, print, serialize({ error: stored } satisfies Stored<T>), IDEMPOTENCY_TTL_MS));
    throw rebuild(stored);
  }
  stopHeartbeat();
  try {
    await store.finish(storeKey, claim.claimId, print, serialize({ ok: result } satisfies Stored<T>), IDEMPOTENCY_TTL_MS);
  } catch {
    // The write happened; its client gets the result. The key stays `started`, so a retry is told
    // IDEMPOTENCY_OUTCOME_UNKNOWN rather than sent again.
  }
  return { ...result, replayed: false };
}
