import type { IncomingMessage, Server } from 'node:http';
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  subscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { originAllowed, type Guard } from '../limits/guard.js';
import { refuseOperation } from '../limits/operation.js';
import { persistedRequired } from '../limits/persisted.js';
import { principalKey } from '../limits/rate.js';
import { MAX_BODY_BYTES, type MakeContext } from './apollo.js';
import type { Metrics } from '../observability/metrics.js';
import { freshnessExtension, newOperationScope, runOperationTraced, runOutsideOperation } from '../observability/operation.js';
import { recordOperation } from '../observability/record.js';
import { CohortRegistry, cohortKey, type CohortTarget } from '../subscriptions/cohorts.js';
import { formatOutsideApollo, type createFormatError } from './format.js';
import { withPartialErrors, withResponsePolicy } from './policy.js';
import { cacheableOperation, type ResponseCache } from './responseCache.js';
import type { Execute } from './compiled.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  makeContext: MakeContext;
  guard: Guard;
  /** Every query or mutation over the socket gets this deadline, as over HTTP. */
  deadlineMs: number;
  format: ReturnType<typeof createFormatError>;
  metrics: Metrics;
  logger: Logger;
  /** @default 25 */
  maxSubscriptionsPerConnection: number;
  /** @default 3000 */
  connectionInitTimeoutMs: number;
  /** Whole query responses, as over HTTP (src/http/responseCache.ts). @default none (every query executes) */
  responses?: ResponseCache;
  /** Executes queries and mutations (src/http/compiled.ts), as over HTTP. @default graphql's execute */
  execute?: Execute | undefined;
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
        e.extensions?.code
          ? e
          : new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { ...e.extensions, code: ErrorCode.BAD_USER_INPUT } }),
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

interface Session {
  principal: Principal;
  key: string;
  expiry?: NodeJS.Timeout;
}

/**
 * graphql-ws on `/graphql`, beside HTTP. Apollo's validation rules and plugins do not run here, so
 * this applies the same validation (graphql's rules plus botgraph's), the same error policy
 * (format.ts and policy.ts: partial errors, codes, locations), the same deadline and accounting,
 * and the socket's own limits. Security is the same policy as HTTP's: the upgrade's `Origin`
 * against CORS_ORIGINS, the principal from `connectionParams.authorization` at connection_init
 * (4403 when refused, and again when a token expires), the same document limits, rate limit and
 * operation checks (src/limits/).
 */
export function attachWebSocket(options: WebSocketOptions): { cohorts: CohortRegistry; close(): Promise<void> } {
  const { guard } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    // The same cap as an HTTP body: a bigger message closes the socket (1009) before it is parsed.
    maxPayload: MAX_BODY_BYTES,
    // A browser page from an origin not in CORS_ORIGINS is refused before the upgrade (403), so a
    // foreign page cannot ride a user's network position (cross-site WebSocket hijacking). Clients
    // that send no Origin (servers, CLIs) are judged by their credentials alone.
    verifyClient: (
      { origin, req }: { origin: string | undefined; req: IncomingMessage },
      done: (ok: boolean, status?: number, message?: string) => void,
    ) => (!origin || originAllowed(guard.origins, origin, req.headers.host) ? done(true) : done(false, 403, 'Origin not allowed')),
  });
  const sessions = new WeakMap<WebSocket, Session>();
  const { metrics, logger } = options;
  const codeError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });
  /** The error policy applied to a result: once per event per cohort, whatever the number of sockets. */
  const formatResult = (result: ExecutionResult, ctx: Context): ExecutionResult => {
    const formatted = result.errors?.length ? { ...result, errors: result.errors.map((e) => formatOutsideApollo(options.format, e)) } : result;
    return withResponsePolicy(formatted as ExecutionResult, ctx);
  };
  const cohorts = new CohortRegistry(
    (result, contextValue) => {
      const lag = eventLagSeconds(result.data);
      if (lag !== null) metrics.eventLag.observe(lag);
      return JSON.stringify(formatResult(result, contextValue as Context));
    },
    (contextValue) => (contextValue as Context).liveStreams,
  );
  /** What `subscribe` needs beside the execution arguments: the cohort key and where frames go. */
  const routes = new WeakMap<ExecutionArgs, { key: string | null; target: CohortTarget }>();
  /** The response cache's key of a query that may be kept (only such queries have one). */
  const cacheKeys = new WeakMap<ExecutionArgs, string>();
  const responses = options.responses?.enabled ? options.responses : undefined;
  const executeOperation = options.execute ?? execute;
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
          // The response cache, as over HTTP: a hit is the result kept before, not executed again.
          const key = cacheKeys.get(args);
          const op = ctx.operation;
          if (key !== undefined && op && responses) {
            const kept = await responses.lookup(key);
            if (kept) {
              recordOperation(metrics, logger, ctx, { name: kept.operationName, type: 'query', result: {}, transport: 'ws', cachedResponse: true });
              return JSON.parse(kept.body) as ExecutionResult;
            }
            await responses.begin(op);
          }
          const result = markCoercionErrors(await executeOperation(args));
          // The same `extensions.freshness` as over HTTP (src/http/apollo.ts): how old the data is.
          const freshness = freshnessExtension(op);
          if (freshness) result.extensions = { ...result.extensions, freshness };
          // Kept only as it goes out unchanged: no partial error, nothing left out (and `hold`'s own conditions).
          if (key !== undefined && responses && !ctx.partialErrors.length && !ctx.leftOut.length) {
            responses.hold(op, result, args.operationName);
            responses.keep(key, { status: 200, headers: [] }, op);
          }
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
        // Subscribers with the same document, variables and scope share one execution (a cohort).
        const route = routes.get(args);
        const result = await runOutsideOperation(() => (route ? cohorts.subscribe(args, route.key, route.target) : subscribe(args)));
        const started = Symbol.asyncIterator in result ? {} : markCoercionErrors(result);
        recordOperation(metrics, logger, ctx, { name: args.operationName ?? null, type: 'subscription', result: started, transport: 'ws' });
        return Symbol.asyncIterator in result ? result : started;
      },
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        // The payload is optional; when sent it must be an object (graphql-ws refuses others with 4400).
        const payload = ctx.connectionParams;
        if (!(payload === undefined || (typeof payload === 'object' && payload !== null))) return false;
        const given = payload?.authorization ?? payload?.Authorization;
        // A browser's GraphiQL may rely on the login it made for the page: the upgrade's own header.
        const authorization = typeof given === 'string' ? given : ctx.extra.request.headers.authorization;
        let who;
        try {
          who = await guard.auth.authenticate(authorization);
        } catch (error) {
          if (error instanceof BotgraphError) return false; // graphql-ws closes with 4403 Forbidden
          throw error;
        }
        const socket = ctx.extra.socket;
        const session: Session = { principal: who.principal, key: principalKey(who.principal, ctx.extra.request.socket.remoteAddress) };
        if (who.expiresAt !== null) {
          // A long-lived subscription must not outlive its credential: close at the token's expiry.
          const left = who.expiresAt - Date.now();
          if (left <= 0) return false;
          session.expiry = setTimeout(() => socket.close(CloseCode.Forbidden, 'Token expired'), Math.min(left, 2 ** 31 - 1));
          session.expiry.unref();
          socket.once('close', () => clearTimeout(session.expiry));
        }
        sessions.set(socket, session);
        return true;
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const session = sessions.get(ctx.extra.socket);
        if (!session) return [codeError('Not authenticated.', ErrorCode.UNAUTHENTICATED)];
        // graphql-ws registers this operation's id before calling onSubscribe: count the others.
        const others = Object.keys(ctx.subscriptions).filter((key) => key !== id).length;
        if (others >= options.maxSubscriptionsPerConnection) {
          const limit = options.maxSubscriptionsPerConnection;
          return [
            new BotgraphError(
              ErrorCode.TOO_MANY_SUBSCRIPTIONS,
              `This connection already holds ${limit} operations, the limit; open another or complete one.`,
              {
                details: { limit, value: others + 1 },
              },
            ),
          ];
        }
        const limited = await guard.rate.consume(session.key);
        if (limited) return [limited];
        let request = payload as typeof payload & { documentId?: unknown };
        try {
          if (guard.persisted) request = guard.persisted.resolve(request);
        } catch (error) {
          if (error instanceof BotgraphError) return [error];
          throw error;
        }
        if (guard.persisted && guard.policy.security.persistedOperationsOnly && !isAdmin(session.principal) && !guard.persisted.has(request.query)) {
          return [persistedRequired()];
        }
        // Parsed and validated once per document text (the guard's document cache).
        const checked = guard.documents.check(request.query);
        if ('errors' in checked) return checked.errors;
        const document = checked.document;
        const refusal = refuseOperation(guard.policy, {
          document,
          operationName: request.operationName,
          variables: request.variables,
          principal: session.principal,
        });
        if (refusal) return [refusal];
        const contextValue = options.makeContext(newOperationScope(options.deadlineMs), session.principal, session.key);
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          variableValues: request.variables ?? null,
          operationName: request.operationName ?? null,
          contextValue,
        };
        if (responses && cacheableOperation(getOperationAST(document, request.operationName))) {
          cacheKeys.set(args, responses.socketKeyOf(session.principal, request));
        }
        // Subscribers who see the same things (the principal's scope) with the same document share one execution.
        routes.set(args, {
          key: cohortKey(document, request.query, request.operationName, request.variables, session.principal.scopeKey),
          target: { socket: ctx.extra.socket, id },
        });
        return args;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const ctx = args.contextValue as Context;
        const lag = eventLagSeconds(result.data);
        if (lag !== null && operationType(args.document, args.operationName ?? null) === 'subscription') metrics.eventLag.observe(lag);
        const formatted = result.errors?.length ? { ...result, errors: result.errors.map((e) => formatOutsideApollo(options.format, e)) } : result;
        const withPartial = withResponsePolicy(formatted, ctx);
        return withPartial === result ? undefined : withPartial;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatOutsideApollo(options.format, e)),
    },
    wss,
  );

  return {
    cohorts,
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
    if (def.kind === Kind.OPERATION_DEFINITION && (!name || def.name?.value === name)) return def.operation;
  }
  return 'unknown';
}
