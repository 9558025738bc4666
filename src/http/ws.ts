import type { Server } from 'node:http';
import {
  GraphQLError,
  execute,
  parse,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Context } from '../context.js';
import { ErrorCode } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import { newOperationScope, runOperationTraced, runOutsideOperation, type OperationScope } from '../observability/operation.js';
import { recordOperation } from '../observability/record.js';
import { allValidationRules } from '../validation.js';
import { formatOutsideApollo, type createFormatError } from './format.js';
import { withPartialErrors } from './policy.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  makeContext: (operation: OperationScope) => Context;
  /** Every query or mutation over the socket gets this deadline, as over HTTP. */
  deadlineMs: number;
  format: ReturnType<typeof createFormatError>;
  metrics: Metrics;
  logger: Logger;
  /** @default 25 */
  maxSubscriptionsPerConnection: number;
  /** @default 3000 */
  connectionInitTimeoutMs: number;
}

/** What Apollo answers for a document that does not parse, with the same code and locations. */
function parseError(error: unknown): GraphQLError {
  const e = error as GraphQLError;
  return new GraphQLError(e.message, {
    ...(e.source ? { source: e.source } : {}),
    ...(e.positions ? { positions: e.positions } : {}),
    extensions: { code: 'GRAPHQL_PARSE_FAILED' },
  });
}

/**
 * Variables that do not coerce: graphql's execute answers without `data`, and Apollo calls that
 * BAD_USER_INPUT. The same here, so that a client sees one code whatever the transport.
 */
function markCoercionErrors(result: ExecutionResult): ExecutionResult {
  if (!('data' in result) && result.errors?.length) {
    return {
      ...result,
      errors: result.errors.map((e) =>
        e.extensions?.code ? e : new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { ...e.extensions, code: ErrorCode.BAD_USER_INPUT } }),
      ),
    };
  }
  return result;
}

/** `<ms>-<seq>`: the event bus's id, whose time is when the event entered the bus. */
function eventLagSeconds(data: unknown): number | null {
  if (!data || typeof data !== 'object') return null;
  for (const value of Object.values(data as Record<string, unknown>)) {
    const cursor = (value as { eventCursor?: unknown } | null)?.eventCursor;
    const ms = typeof cursor === 'string' ? Number(cursor.split('-')[0]) : NaN;
    if (Number.isFinite(ms) && ms > 0) return Math.max(0, Date.now() - ms) / 1000;
  }
  return null;
}

/**
 * graphql-ws on `/graphql`, beside HTTP. Apollo's validation rules and plugins do not run here, so
 * this applies the same validation (graphql's rules plus botgraph's), the same error policy
 * (format.ts and policy.ts: partial errors, codes, locations), the same deadline and accounting,
 * and the socket's own limits.
 */
export function attachWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const { metrics, logger } = options;
  const codeError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });
  wss.on('connection', (socket) => {
    metrics.wsConnections.inc();
    socket.once('close', () => metrics.wsConnections.dec());
  });

  const disposable = useServer<Record<string, unknown> | undefined, { context?: Context }>(
    {
      schema: options.schema,
      // A query or mutation is one operation with its own deadline, as over HTTP. A subscription's
      // events are resolved long after it started: they run outside any operation.
      execute: async (args) => {
        const ctx = args.contextValue as Context;
        const run = async () => {
          const result = markCoercionErrors(await execute(args));
          recordOperation(metrics, logger, ctx, {
            name: args.operationName ?? null,
            type: operationType(args.document, args.operationName),
            result: withPartialErrors({ ...result }, { ...ctx, partialErrors: [...ctx.partialErrors] }),
            transport: 'ws',
          });
          return result;
        };
        return ctx.operation ? runOperationTraced(ctx.operation, 'ws', run) : run();
      },
      subscribe: async (args) => {
        const ctx = args.contextValue as Context;
        const result = await runOutsideOperation(() => subscribe(args));
        const started = Symbol.asyncIterator in result ? {} : markCoercionErrors(result);
        recordOperation(metrics, logger, ctx, { name: args.operationName ?? null, type: 'subscription', result: started, transport: 'ws' });
        return Symbol.asyncIterator in result ? result : started;
      },
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: (ctx) => {
        // The payload is optional; when sent it must be an object (graphql-ws refuses others with 4400).
        const payload = ctx.connectionParams;
        return payload === undefined || (typeof payload === 'object' && payload !== null);
      },
      onSubscribe: (ctx, id, payload): ExecutionArgs | readonly GraphQLError[] => {
        // graphql-ws registers this operation's id before calling onSubscribe: count the others.
        const others = Object.keys(ctx.subscriptions).filter((key) => key !== id).length;
        if (others >= options.maxSubscriptionsPerConnection) {
          return [
            codeError(
              `This connection already holds ${options.maxSubscriptionsPerConnection} operations, the limit; open another or complete one.`,
              ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [parseError(error)];
        }
        const errors = validate(options.schema, document, allValidationRules);
        if (errors.length > 0) {
          return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        return {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue: options.makeContext(newOperationScope(options.deadlineMs)),
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const ctx = args.contextValue as Context;
        const lag = eventLagSeconds(result.data);
        if (lag !== null && operationType(args.document, args.operationName ?? null) === 'subscription') metrics.eventLag.observe(lag);
        const formatted = result.errors?.length ? { ...result, errors: result.errors.map((e) => formatOutsideApollo(options.format, e)) } : result;
        const withPartial = withPartialErrors(formatted, ctx);
        return withPartial === result ? undefined : withPartial;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatOutsideApollo(options.format, e)),
    },
    wss,
  );

  return {
    async close() {
      // 1001 Going Away: clients reconnect elsewhere (and resume with `since`).
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function operationType(document: DocumentNode, name: string | null | undefined): string {
  for (const def of document.definitions) {
    if (def.kind === 'OperationDefinition' && (!name || def.name?.value === name)) return def.operation;
  }
  return 'unknown';
}
