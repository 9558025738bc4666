import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { SpanKind, trace, type Span } from '@opentelemetry/api';

/**
 * One GraphQL operation (an HTTP request, or one query/mutation over WebSocket) as the layers
 * below the resolvers see it, without threading it through every signature: `UpstreamHttp` reads
 * the deadline from here, and counts its calls here for the request log.
 *
 * AsyncLocalStorage follows the operation through awaits, DataLoader batches and timers, so every
 * vendor call the operation causes shares one deadline. Pollers and subscription events run
 * outside any operation and keep only the per-call timeout and budget.
 */
export interface OperationScope {
  /** Taken from `x-request-id` when the client sent a sane one, generated otherwise. */
  readonly requestId: string;
  /** Epoch ms by which every upstream call of this operation must have finished. */
  readonly deadline: number;
  readonly startedAt: number;
  /** Upstream HTTP requests made so far (retries counted one by one). */
  upstreamCalls: number;
  /** Vendor reads the entity cache answered (src/datasources/cache.ts). */
  cachedReads?: number;
  /** When the oldest vendor read this operation used was made (epoch ms), cached or not. */
  oldestRead?: number;
  /** Vendor reads this operation used, from the vendor or from the entity cache. */
  reads?: number;
  /**
   * Set when the operation read something the entity cache may not keep (a health probe, a read
   * the vendor's tagger refuses): its response must not be kept either (src/http/responseCache.ts).
   */
  uncacheable?: true;
  /** Epoch ms after which something this operation computed from the clock changes (a CXone status). */
  validUntil?: number;
  /**
   * The response cache's part (src/http/responseCache.ts), for a query it may keep: the invalidation
   * sequence and the time taken before execution, then the body to keep, set as Apollo sends it.
   */
  responseCache?: { seq: number; at: number; body?: string; operationName?: string | null };
  /** The operation's root span (a no-op one unless tracing is on). */
  span?: Span;
  /**
   * Wall time with at least one vendor call of this operation in flight (its own, or one it shares
   * with another operation), for `Server-Timing: upstream`: what is left of `total` is botgraph's.
   */
  vendorWait?: { inFlight: number; since: number; ms: number };
}

const storage = new AsyncLocalStorage<OperationScope>();

/** A request id a client may choose: short, printable, no spaces (it goes into logs and a header). */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}

export function newOperationScope(deadlineMs: number, requestId: string = randomUUID()): OperationScope {
  const startedAt = Date.now();
  return { requestId, startedAt, deadline: startedAt + deadlineMs, upstreamCalls: 0 };
}

/** Runs `fn` (and everything it causes) inside `scope`. */
export function runInOperation<T>(scope: OperationScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Runs `fn` inside `scope` and under the operation's root span: with tracing on, everything the
 * operation causes (GraphQL phases, upstream calls) becomes one trace. The name is settled once
 * the operation is known (`recordOperation`).
 */
export function runOperationTraced<T>(scope: OperationScope, transport: 'http' | 'ws', fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, () =>
    trace
      .getTracer('botgraph')
      .startActiveSpan(
        'graphql',
        { kind: SpanKind.SERVER, attributes: { 'botgraph.request_id': scope.requestId, 'botgraph.transport': transport } },
        async (span) => {
          scope.span = span;
          try {
            return await fn();
          } finally {
            span.end();
          }
        },
      ),
  );
}

/** Runs `fn` outside any operation: a subscription's events must not inherit its start's deadline. */
export function runOutsideOperation<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The operation the caller runs in, if any. */
export function currentOperation(): OperationScope | undefined {
  return storage.getStore();
}

/** Notes that what the current operation computed holds only until `until` (epoch ms). */
export function holdsUntil(until: number): void {
  const op = storage.getStore();
  if (op && Number.isFinite(until) && (op.validUntil === undefined || until < op.validUntil)) op.validUntil = until;
}

/**
 * Counts the wait for `pending` (a vendor call) in the operation's `vendorWait`. Overlapping calls
 * count once: the measure is how long the operation had something outstanding at a vendor.
 */
export function awaitingVendor<T>(op: OperationScope | undefined, pending: Promise<T>): Promise<T> {
  if (!op) return pending;
  const wait = (op.vendorWait ??= { inFlight: 0, since: 0, ms: 0 });
  if (wait.inFlight++ === 0) wait.since = performance.now();
  const done = () => {
    if (--wait.inFlight === 0) wait.ms += performance.now() - wait.since;
  };
  pending.then(done, done);
  return pending;
}

/** `upstream;dur=…` (ms) for `Server-Timing`; null when the operation called no vendor. */
export function upstreamTiming(op: OperationScope | undefined): string | null {
  const wait = op?.vendorWait;
  if (!wait) return null;
  const ms = wait.ms + (wait.inFlight > 0 ? performance.now() - wait.since : 0);
  return `upstream;dur=${ms.toFixed(2)}`;
}

/** What a response says of its data's age (`extensions.freshness`); null when no vendor was read. */
export function freshnessExtension(scope: OperationScope | undefined): { fetchedAt: string; cachedReads: number } | null {
  if (scope?.oldestRead === undefined) return null;
  return { fetchedAt: new Date(scope.oldestRead).toISOString(), cachedReads: scope.cachedReads ?? 0 };
}
