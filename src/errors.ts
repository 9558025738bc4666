import { GraphQLError } from 'graphql';
import type { ProviderName } from './models.js';

/**
 * Every `extensions.code` botgraph sends. Clients switch on these, so they are part of the public
 * contract: add codes, never rename them.
 */
export enum ErrorCode {
  /** An argument, ID, cursor or input field is malformed or out of range. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** The object does not exist (at the vendor, or any more). */
  NOT_FOUND = 'NOT_FOUND',
  /** The provider is not enabled in this deployment. */
  PROVIDER_DISABLED = 'PROVIDER_DISABLED',
  /** The vendor answered 5xx or could not be reached. */
  PROVIDER_UNAVAILABLE = 'PROVIDER_UNAVAILABLE',
  /** The vendor did not answer within the per-attempt timeout or the total budget. */
  PROVIDER_TIMEOUT = 'PROVIDER_TIMEOUT',
  /** The vendor rejected botgraph's credentials (401). */
  PROVIDER_AUTH_FAILED = 'PROVIDER_AUTH_FAILED',
  /** The vendor answered 429 and the retries ran out. */
  PROVIDER_RATE_LIMITED = 'PROVIDER_RATE_LIMITED',
  /** The vendor's answer did not match its documented shape. */
  PROVIDER_BAD_RESPONSE = 'PROVIDER_BAD_RESPONSE',
  /** The vendor refused the operation (403: instance blocked, dialog finished or deleted, …). */
  FORBIDDEN_BY_PROVIDER = 'FORBIDDEN_BY_PROVIDER',
  /** The provider cannot do this at all; no upstream call was made. */
  UNSUPPORTED_BY_PROVIDER = 'UNSUPPORTED_BY_PROVIDER',
  /** An idempotency key came back with a different input. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** An idempotency key is still being processed by an earlier call. */
  IDEMPOTENCY_IN_PROGRESS = 'IDEMPOTENCY_IN_PROGRESS',
  /** A WebSocket already holds as many subscriptions as it may. */
  TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS',
  /**
   * The earlier call with this idempotency key stopped (its process died) before recording whether
   * the vendor acted. botgraph never sends it again: check, then retry with a new key.
   */
  IDEMPOTENCY_OUTCOME_UNKNOWN = 'IDEMPOTENCY_OUTCOME_UNKNOWN',
  /** A dependency botgraph needs for this operation (Redis) is unreachable; nothing was sent. */
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
  /** A bug in botgraph; details are logged, never sent. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** No credential, or one botgraph does not accept (unknown key, bad or expired token). HTTP 401, WS close 4403. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The principal's role may not do this (a viewer's mutation, a non-admin's introspection in production). */
  FORBIDDEN = 'FORBIDDEN',
  /** The operation nests deeper than MAX_DEPTH. */
  DEPTH_LIMIT_EXCEEDED = 'DEPTH_LIMIT_EXCEEDED',
  /** The operation uses more aliases than MAX_ALIASES. */
  ALIAS_LIMIT_EXCEEDED = 'ALIAS_LIMIT_EXCEEDED',
  /** The document has more tokens than MAX_TOKENS. */
  TOKEN_LIMIT_EXCEEDED = 'TOKEN_LIMIT_EXCEEDED',
  /** The operation uses more directives than MAX_DIRECTIVES. */
  DIRECTIVE_LIMIT_EXCEEDED = 'DIRECTIVE_LIMIT_EXCEEDED',
  /** The operation's estimated upstream cost is above MAX_COST. */
  COST_LIMIT_EXCEEDED = 'COST_LIMIT_EXCEEDED',
  /** The operation's variables, as JSON, are larger than MAX_VARIABLES_BYTES. */
  VARIABLES_LIMIT_EXCEEDED = 'VARIABLES_LIMIT_EXCEEDED',
  /** The principal sent more operations per second than RATE_LIMIT_OPS_PER_SECOND. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The principal already watches as many distinct live topics as LIVE_TOPICS_PER_PRINCIPAL. */
  TOPIC_LIMIT_EXCEEDED = 'TOPIC_LIMIT_EXCEEDED',
  /** PERSISTED_OPERATIONS_ONLY is on and the document is not in PERSISTED_OPERATIONS_FILE. */
  PERSISTED_OPERATION_REQUIRED = 'PERSISTED_OPERATION_REQUIRED',
  /**
   * The terminal error of a live view of one conversation (`messageAdded`) when the vendor deleted
   * that conversation (CLOSER `bot.conversation.deleted`): sent once, then the subscription completes.
   */
  CONVERSATION_DELETED = 'CONVERSATION_DELETED',
  /**
   * A partial error beside a list's data: one provider's list was read only up to botgraph's cap
   * (Bot.one: `BOTONE_MAX_LIST_PAGES` vendor pages per bot), so conversations past it are missing
   * from the list. `extensions.limit` is the cap in conversations, `extensions.value` the vendor's
   * total, `extensions.botNativeId` the bot's `nativeId` (null for a list of no one bot).
   */
  PROVIDER_LIST_TRUNCATED = 'PROVIDER_LIST_TRUNCATED',
}

/** Thrown where a `switch` over a union should have covered every case; the compiler proves it never runs. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

/** What botgraph knows about a code, wherever it has to act on one. */
export interface ErrorCodeProperties {
  /** Whether a client may usefully try the same operation again later (sent as `extensions.retryable`). */
  retryable: boolean;
  /**
   * Whether a failed call provably left the vendor unchanged. Idempotency releases such a key, so the
   * client may retry with the same key; anything that may have reached the vendor (a timeout, a 5xx,
   * an unreadable answer) is stored and replayed instead: retrying it blindly could send twice.
   */
  changedNothing: boolean;
  /** The HTTP status of a non-GraphQL response (e.g. `/files/…`) that fails with this code. */
  httpStatus: number;
}

/**
 * The one table of code properties. Adding a code is one enum member plus one row here; the
 * `satisfies` makes a missing row a compile error.
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: { retryable: false, changedNothing: true, httpStatus: 400 },
  NOT_FOUND: { retryable: false, changedNothing: true, httpStatus: 404 },
  PROVIDER_DISABLED: { retryable: false, changedNothing: true, httpStatus: 404 },
  PROVIDER_UNAVAILABLE: { retryable: true, changedNothing: false, httpStatus: 502 },
  // 502 rather than 504: a file download reports every vendor-side failure alike.
  PROVIDER_TIMEOUT: { retryable: true, changedNothing: false, httpStatus: 502 },
  PROVIDER_AUTH_FAILED: { retryable: false, changedNothing: true, httpStatus: 502 },
  PROVIDER_RATE_LIMITED: { retryable: true, changedNothing: true, httpStatus: 502 },
  PROVIDER_BAD_RESPONSE: { retryable: false, changedNothing: false, httpStatus: 502 },
  FORBIDDEN_BY_PROVIDER: { retryable: false, changedNothing: true, httpStatus: 403 },
  UNSUPPORTED_BY_PROVIDER: { retryable: false, changedNothing: true, httpStatus: 501 },
  IDEMPOTENCY_KEY_REUSED: { retryable: false, changedNothing: true, httpStatus: 409 },
  IDEMPOTENCY_IN_PROGRESS: { retryable: true, changedNothing: true, httpStatus: 409 },
  TOO_MANY_SUBSCRIPTIONS: { retryable: true, changedNothing: true, httpStatus: 429 },
  IDEMPOTENCY_OUTCOME_UNKNOWN: { retryable: false, changedNothing: true, httpStatus: 409 },
  DEPENDENCY_UNAVAILABLE: { retryable: true, changedNothing: true, httpStatus: 503 },
  INTERNAL_SERVER_ERROR: { retryable: false, changedNothing: false, httpStatus: 500 },
  // Refused before anything ran: nothing reached a vendor.
  UNAUTHENTICATED: { retryable: false, changedNothing: true, httpStatus: 401 },
  FORBIDDEN: { retryable: false, changedNothing: true, httpStatus: 403 },
  DEPTH_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  ALIAS_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  TOKEN_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  DIRECTIVE_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  COST_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  VARIABLES_LIMIT_EXCEEDED: { retryable: false, changedNothing: true, httpStatus: 400 },
  RATE_LIMITED: { retryable: true, changedNothing: true, httpStatus: 429 },
  TOPIC_LIMIT_EXCEEDED: { retryable: true, changedNothing: true, httpStatus: 429 },
  PERSISTED_OPERATION_REQUIRED: { retryable: false, changedNothing: true, httpStatus: 400 },
  CONVERSATION_DELETED: { retryable: false, changedNothing: true, httpStatus: 410 },
  // Not retryable: the same list is capped the same way. Only ever a partial error beside data, never
  // a non-GraphQL response's status; 502 places it with the other provider-side codes.
  PROVIDER_LIST_TRUNCATED: { retryable: false, changedNothing: true, httpStatus: 502 },
} as const satisfies Record<ErrorCode, ErrorCodeProperties>;

/** The properties of a code, from the one table. */
export function codeProperties(code: ErrorCode): ErrorCodeProperties {
  return ERROR_CODES[code];
}

/** Whether a client may usefully try the same operation again later. */
export function isRetryableCode(code: ErrorCode): boolean {
  return ERROR_CODES[code].retryable;
}

export interface BotgraphErrorOptions {
  provider?: ProviderName;
  /** The input field at fault, for BAD_USER_INPUT. */
  field?: string;
  /** The vendor's HTTP status, kept for logs; never sent to clients. */
  status?: number;
  /** How long the vendor asked us to wait, for PROVIDER_RATE_LIMITED. */
  retryAfterMs?: number;
  cause?: unknown;
  /** The response path, for errors reported beside partial data. */
  path?: ReadonlyArray<string | number>;
  /** Set when the provider's circuit breaker refused the call without trying (`extensions.circuit`). */
  circuit?: 'open';
  /** When the earlier call of an IDEMPOTENCY_OUTCOME_UNKNOWN key started (`extensions.startedAt`, ISO). */
  startedAt?: string;
  /** Overrides the code's `retryable`: a stored outcome replayed under its idempotency key never is. */
  retryable?: boolean;
  /** The request never left botgraph (open circuit, deadline already passed): the vendor cannot have acted. */
  notSent?: boolean;
  /** Extra public extensions (a limit's `limit` and `value`, `retryAfterMs`); never secrets. */
  details?: Record<string, unknown>;
}

/**
 * The one error type botgraph throws on purpose. Its message is safe to show: it never holds a
 * vendor body, URL or credential. `extensions` always carry `code` and `retryable`, plus
 * `provider` and `field` where they apply.
 */
export class BotgraphError extends GraphQLError {
  readonly code: ErrorCode;
  readonly provider: ProviderName | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly circuit: 'open' | undefined;
  readonly notSent: boolean;
  /** The extra public extensions it was made with (`options.details`), kept so a copy can carry them. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: BotgraphErrorOptions = {}) {
    const extensions: Record<string, unknown> = { code, retryable: options.retryable ?? isRetryableCode(code) };
    if (options.provider) extensions.provider = options.provider;
    if (options.field) extensions.field = options.field;
    if (options.circuit) extensions.circuit = options.circuit;
    if (options.startedAt) extensions.startedAt = options.startedAt;
    if (options.details) Object.assign(extensions, options.details);
    super(message, {
      extensions,
      originalError: options.cause instanceof Error ? options.cause : undefined,
      ...(options.path ? { path: options.path } : {}),
    });
    this.name = 'BotgraphError';
    this.code = code;
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.circuit = options.circuit;
    this.notSent = options.notSent ?? false;
    this.details = options.details;
  }
}

export function badInput(message: string, field?: string): BotgraphError {
  return new BotgraphError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
}

/** NOT_FOUND → null: by-id reads answer null for an object the vendor does not know. */
export async function nullIfNotFound<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof BotgraphError && error.code === ErrorCode.NOT_FOUND) return null;
    throw error;
  }
}
