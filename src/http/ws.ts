import type { Server } from 'node:http';
import { GraphQLError, parse, subscribe, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Context } from '../context.js';
import { ErrorCode } from '../errors.js';
import { CohortRegistry, cohortKey, type CohortTarget } from '../subscriptions/cohorts.js';
import { allValidationRules } from '../validation.js';
import { formatOutsideApollo, type createFormatError } from './format.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  makeContext: () => Context;
  format: ReturnType<typeof createFormatError>;
  /** @default 25 */
  maxSubscriptionsPerConnection: number;
  /** @default 3000 */
  connectionInitTimeoutMs: number;
}

/** Valid subscription documents kept by their text (oldest dropped first). */
const MAX_CACHED_DOCUMENTS = 1_000;
const MAX_CACHED_QUERY_LENGTH = 20_000;

/**
 * graphql-ws on `/graphql`, beside HTTP. Apollo's validation rules and plugins do not run here, so
 * this applies the same validation (graphql's rules plus botgraph's), the same error policy, and
 * the socket's own limits.
 */
export function attachWebSocket(options: WebSocketOptions): { cohorts: CohortRegistry; close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const codeError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });
  /** The error policy applied to a result once, whatever the number of sockets it goes to. */
  const formatResult = (result: ExecutionResult): ExecutionResult =>
    result.errors?.length ? { ...result, errors: result.errors.map((e) => formatOutsideApollo(options.format, e)) as never } : result;
  const cohorts = new CohortRegistry(
    (result) => JSON.stringify(formatResult(result)),
    (contextValue) => (contextValue as Context).liveStreams,
  );
  const documents = new Map<string, DocumentNode>();
  /** What `subscribe` needs beside the execution arguments: the cohort key and where frames go. */
  const routes = new WeakMap<ExecutionArgs, { key: string | null; target: CohortTarget }>();

  const disposable = useServer<Record<string, unknown> | undefined, { context?: Context }>(
    {
      schema: options.schema,
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
        // Thousands of subscribers send the same few documents: parse and validate each text once,
        // and share the (immutable) document, which is also most of an idle subscription's memory.
        let document = documents.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query);
          } catch (error) {
            return [codeError((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
          }
          const errors = validate(options.schema, document, allValidationRules);
          if (errors.length > 0) {
            return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
          }
          if (payload.query.length <= MAX_CACHED_QUERY_LENGTH) {
            if (documents.size >= MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value as string);
            documents.set(payload.query, document);
          }
        }
        const contextValue = options.makeContext();
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue,
        };
        // Sec's principal decides what a subscriber may see; until it exists everyone sees the same.
        const scopeKey = (contextValue as { principal?: { scopeKey?: string } }).principal?.scopeKey ?? '';
        routes.set(args, {
          key: cohortKey(document, payload.query, payload.operationName, payload.variables, scopeKey),
          target: { socket: ctx.extra.socket, id },
        });
        return args;
      },
      subscribe: (args) => {
        const route = routes.get(args);
        return route ? cohorts.subscribe(args, route.key, route.target) : subscribe(args);
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return formatResult(result);
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
