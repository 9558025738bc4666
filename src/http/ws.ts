import type { Server } from 'node:http';
import { GraphQLError, execute, parse, subscribe, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Context } from '../context.js';
import { ErrorCode } from '../errors.js';
import { newOperationScope, runInOperation, runOutsideOperation, type OperationScope } from '../observability/operation.js';
import { allValidationRules } from '../validation.js';
import { formatOutsideApollo, type createFormatError } from './format.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  makeContext: (operation: OperationScope) => Context;
  /** Every query or mutation over the socket gets this deadline, as over HTTP. */
  deadlineMs: number;
  format: ReturnType<typeof createFormatError>;
  /** @default 25 */
  maxSubscriptionsPerConnection: number;
  /** @default 3000 */
  connectionInitTimeoutMs: number;
}

/**
 * graphql-ws on `/graphql`, beside HTTP. Apollo's validation rules and plugins do not run here, so
 * this applies the same validation (graphql's rules plus botgraph's), the same error policy, and
 * the socket's own limits.
 */
export function attachWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const codeError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

  const disposable = useServer<Record<string, unknown> | undefined, { context?: Context }>(
    {
      schema: options.schema,
      // A query or mutation is one operation with its own deadline, as over HTTP. A subscription's
      // events are resolved long after it started: they run outside any operation.
      execute: (args) => {
        const operation = (args.contextValue as Context).operation;
        return operation ? runInOperation(operation, () => execute(args)) : execute(args);
      },
      subscribe: (args) => runOutsideOperation(() => subscribe(args)),
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
          return [codeError((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
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
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((e) => formatOutsideApollo(options.format, e)) };
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
