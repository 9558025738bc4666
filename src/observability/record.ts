import type { Logger } from 'pino';
import type { Context } from '../context.js';
import type { Metrics } from './metrics.js';

/** ok: no errors; partial: data with errors (a provider failed); error: no data. */
export type Outcome = 'ok' | 'partial' | 'error';

export function outcomeOf(result: { data?: unknown; errors?: ReadonlyArray<unknown> | undefined }): Outcome {
  if (!result.errors?.length) return 'ok';
  const data = result.data as Record<string, unknown> | null | undefined;
  return data && Object.values(data).some((v) => v !== null) ? 'partial' : 'error';
}

export interface OperationRecord {
  name: string | null | undefined;
  type: string;
  result: { data?: unknown; errors?: ReadonlyArray<{ extensions?: Record<string, unknown> | undefined }> | undefined };
  transport: 'http' | 'ws';
  /** Answered by the response cache (src/http/responseCache.ts), without executing. */
  cachedResponse?: boolean;
}

/**
 * The one place an operation is accounted for, over HTTP (an Apollo plugin) and over WebSocket:
 * one metric sample and one `info` log line with the request id, name, type, duration, outcome,
 * upstream call count, principal and error codes. Never variables' values, never credentials.
 */
export function recordOperation(
  metrics: Metrics,
  logger: Logger,
  ctx: Pick<Context, 'operation' | 'principal'> | undefined,
  record: OperationRecord,
): void {
  const op = ctx?.operation;
  const ms = op ? Date.now() - op.startedAt : 0;
  const outcome = outcomeOf(record.result);
  metrics.operation({ name: record.name, type: record.type, outcome, seconds: ms / 1000 });
  const codes = [...new Set((record.result.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN')))];
  const principal = ctx?.principal?.name;
  op?.span?.updateName(`graphql ${record.type} ${record.name ?? 'anonymous'}`);
  op?.span?.setAttributes({
    'graphql.operation.type': record.type,
    'graphql.operation.name': record.name ?? '',
    'botgraph.outcome': outcome,
    'botgraph.upstream_calls': op.upstreamCalls,
    ...(op.vendorWait ? { 'botgraph.upstream_ms': round2(op.vendorWait.ms) } : {}),
    ...(record.cachedResponse ? { 'botgraph.cached_response': true } : {}),
  });
  logger.info(
    {
      requestId: op?.requestId,
      transport: record.transport,
      operation: record.name ?? null,
      type: record.type,
      ms,
      outcome,
      upstreamCalls: op?.upstreamCalls ?? 0,
      // The part of `ms` with a vendor call in flight (`Server-Timing: upstream` over HTTP).
      ...(op?.vendorWait ? { upstreamMs: round2(op.vendorWait.ms) } : {}),
      ...(principal !== undefined ? { principal } : {}),
      ...(codes.length ? { errors: codes } : {}),
      ...(record.cachedResponse ? { cachedResponse: true } : {}),
    },
    'operation',
  );
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;
