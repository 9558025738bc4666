import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { originAllowed, type Guard } from '../limits/guard.js';
import { refuseOperation } from '../limits/operation.js';
import { persistedRequired } from '../limits/persisted.js';
import { principalKey } from '../limits/rate.js';
import { allRules, asTokenLimitError, parseLimited } from '../limits/rules.js';
import { MAX_BODY_BYTES, type MakeContext } from './apollo.js';
import { formatOutsideApollo, type createFormatError } from './format.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  makeContext: MakeContext;
  format: ReturnType<typeof createFormatError>;
  guard: Guard;
  /** @default 25 */
  maxSubscriptionsPerConnection: number;
  /** @default 3000 */
  connectionInitTimeoutMs: number;
}

interface Session {
  principal: Principal;
  key: string;
  expiry?: NodeJS.Timeout;
}

/**
 * graphql-ws on `/graphql`, beside HTTP. Apollo's validation rules and plugins do not run here, so
 * this applies the same policy: the upgrade's `Origin` against CORS_ORIGINS, the principal from
 * `connectionParams.authorization` at connection_init (4403 when refused, and again when a token
 * expires), the same document limits, rate limit and operation checks, and the same error policy.
 */
export function attachWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const { guard } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    // The same cap as an HTTP body: a bigger message closes the socket (1009) before it is parsed.
    maxPayload: MAX_BODY_BYTES,
    // A browser page from an origin not in CORS_ORIGINS is refused before the upgrade (403), so a
    // foreign page cannot ride a user's network position (cross-site WebSocket hijacking). Clients
    // that send no Origin (servers, CLIs) are judged by their credentials alone.
    verifyClient: ({ origin, req }: { origin: string | undefined; req: IncomingMessage }, done: (ok: boolean, status?: number, message?: string) => void) =>
      !origin || originAllowed(guard.origins, origin, req.headers.host) ? done(true) : done(false, 403, 'Origin not allowed'),
  });
  const codeError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });
  const sessions = new WeakMap<WebSocket, Session>();

  const disposable = useServer<Record<string, unknown> | undefined, { context?: Context }>(
    {
      schema: options.schema,
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
          const close = () => socket.close(CloseCode.Forbidden, 'Token expired');
          const left = who.expiresAt - Date.now();
          if (left <= 0) return false;
          session.expiry = setTimeout(close, Math.min(left, 2 ** 31 - 1));
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
          return [
            codeError(
              `This connection already holds ${options.maxSubscriptionsPerConnection} operations, the limit; open another or complete one.`,
              ErrorCode.TOO_MANY_SUBSCRIPTIONS,
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
        let document: DocumentNode;
        try {
          document = parseLimited(request.query, guard.policy.limits);
        } catch (error) {
          const message = (error as Error).message;
          return [asTokenLimitError(message) ?? codeError(message, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(options.schema, document, allRules(guard.policy.limits));
        if (errors.length > 0) {
          // A limit rule's error carries its own code; graphql's own rules are GRAPHQL_VALIDATION_FAILED.
          return errors.map((e) =>
            e instanceof BotgraphError ? e : new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          );
        }
        const refusal = refuseOperation(guard.policy, {
          document,
          operationName: request.operationName,
          variables: request.variables,
          principal: session.principal,
        });
        if (refusal) return [refusal];
        return {
          schema: options.schema,
          document,
          variableValues: request.variables ?? null,
          operationName: request.operationName ?? null,
          contextValue: options.makeContext(session.principal, session.key),
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
