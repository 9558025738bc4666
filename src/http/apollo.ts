import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Authenticated } from '../auth/authenticate.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import { BotgraphError } from '../errors.js';
import { gatewayOf, type Execute } from './compiled.js';
import type { Guard } from '../limits/guard.js';
import { introspectionAllowed, refuseOperation, variablesRefusal } from '../limits/operation.js';
import { persistedRequired } from '../limits/persisted.js';
import { principalKey } from '../limits/rate.js';
import { limitRules } from '../limits/rules.js';
import {
  freshnessExtension,
  newOperationScope,
  requestIdFrom,
  runOperationTraced,
  upstreamTiming,
  type OperationScope,
} from '../observability/operation.js';
import { readBody, sendJson } from './body.js';
import { responseCachePlugin, type KeptResponse, type ResponseCache } from './responseCache.js';
import type { createFormatError } from './format.js';
import { graphiqlHtml } from './graphiql.js';
import { withResponsePolicy } from './policy.js';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { recordOperation } from '../observability/record.js';
import { addServerTiming } from './timing.js';

/** Largest request body botgraph reads. GraphQL operations are small; anything bigger is abuse. */
export const MAX_BODY_BYTES = 1_048_576;

/** Appends the errors of providers that failed inside lists which still returned the others' data. */
const partialErrorsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        const withPolicy = withResponsePolicy(result, contextValue);
        if (withPolicy.errors) result.errors = withPolicy.errors;
        if (withPolicy.extensions) result.extensions = withPolicy.extensions;
      },
    };
  },
};

/**
 * `extensions.freshness`: how old the vendor data of a response may be. `fetchedAt` is when the
 * oldest vendor read it used was made, `cachedReads` how many reads the entity cache answered
 * (CACHE_TTL_MS). Absent when the operation read nothing from a vendor.
 */
const freshnessPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const extension = freshnessExtension(contextValue.operation);
        if (extension) response.body.singleResult.extensions = { ...response.body.singleResult.extensions, freshness: extension };
      },
    };
  },
};

/** A cursor handed out must be readable on every replica: its table write finishes first. */
const cursorsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue }) {
        await contextValue.cursors.flush();
      },
    };
  },
};

/** One metric sample and one log line per operation (src/observability/record.ts). */
function operationsPlugin(metrics: Metrics, logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation, operationName }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : {};
          recordOperation(metrics, logger, contextValue, {
            name: operationName ?? null,
            type: operation?.operation ?? 'unknown',
            result,
            transport: 'http',
          });
        },
      };
    },
  };
}

/**
 * The checks that need the principal or the variables (src/limits/operation.ts), after validation
 * and before any resolver; the same function runs in graphql-ws's onSubscribe.
 */
function operationPolicyPlugin(guard: Guard): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, contextValue }) {
          const principal = contextValue.principal;
          if (guard.persisted && guard.policy.security.persistedOperationsOnly && !isAdmin(principal) && !guard.persisted.has(request.query ?? '')) {
            throw persistedRequired();
          }
          const refusal = refuseOperation(guard.policy, { document, operationName: request.operationName, variables: request.variables, principal });
          if (refusal) throw refusal;
        },
      };
    },
  };
}

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  format: ReturnType<typeof createFormatError>;
  metrics: Metrics;
  logger: Logger;
  guard: Guard;
  responses: ResponseCache;
  /** Executes in Apollo's place (src/http/compiled.ts). @default none: Apollo executes with graphql-js */
  execute?: Execute | undefined;
}

/** Apollo Server 5 over botgraph's schema, with its validation rules, limits and error policy. */
export async function startApollo({
  schema,
  httpServer,
  format,
  metrics,
  logger,
  guard,
  responses,
  execute,
}: ApolloOptions): Promise<ApolloServer<Context>> {
  const apollo = new ApolloServer<Context>({
    ...(execute ? { gateway: gatewayOf(schema, execute) } : { schema }),
    validationRules: limitRules(guard.policy.limits),
    // graphql's parser stops at the token limit, before building a huge AST.
    parseOptions: { maxTokens: guard.policy.limits.maxTokens },
    // Introspection is decided per principal in operationPolicyPlugin (admins may in production).
    introspection: true,
    // With a trusted-documents manifest, clients must not register documents of their own (APQ).
    ...(guard.persisted ? { persistedQueries: false as const } : {}),
    includeStacktraceInErrorResponses: false,
    formatError: format,
    // The schema is a federation subgraph, for which Apollo would add per-resolver timing traces
    // (ftv1) to any response whose request asks for them: that is a reporting agent's feature,
    // not a client's, and botgraph's timings are in its metrics and OpenTelemetry traces.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // botgraph's schema has no @cacheControl hints; Apollo's default plugin would still wrap every
      // field resolution to compute a policy nobody reads (measured: a share of the inbox profile).
      ApolloServerPluginCacheControlDisabled(),
      partialErrorsPlugin,
      freshnessPlugin,
      // After the two above: it keeps a response as they shaped it.
      responseCachePlugin(responses),
      cursorsPlugin,
      operationsPlugin(metrics, logger),
      operationPolicyPlugin(guard),
    ],
    // main.ts owns SIGTERM/SIGINT and calls close(). Apollo's own handler (on outside NODE_ENV=test)
    // would stop Apollo alone and re-raise the signal, killing the process before sockets close
    // with 1001 and topic leases are released.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  return apollo;
}

async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ ok: true; body: unknown; text: string } | { ok: false; status: number; message: string; limit?: Record<string, unknown> }> {
  const raw = await readBody(req, res, MAX_BODY_BYTES);
  if (raw === null) {
    // Reading stops at the limit, so the size is the client's own Content-Length when it sent one,
    // else a lower bound (more than the limit), flagged as such like the token limit's.
    const declared = Number(req.headers['content-length']);
    const value = Number.isFinite(declared) && declared > MAX_BODY_BYTES ? declared : MAX_BODY_BYTES + 1;
    const limit = { limit: MAX_BODY_BYTES, value, ...(value === declared ? {} : { valueIsLowerBound: true }) };
    return { ok: false, status: 413, message: `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`, limit };
  }
  if (raw.length === 0) return { ok: true, body: undefined, text: '' };
  const type = req.headers['content-type'] ?? '';
  const text = raw.toString('utf8');
  if (!type.includes('json')) return { ok: true, body: text, text };
  try {
    return { ok: true, body: JSON.parse(text), text };
  } catch {
    return { ok: false, status: 400, message: 'Body is not valid JSON.' };
  }
}

function graphqlHttpError(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST', retryable: false, ...extra } }] });
}

/** A refusal before Apollo (credentials, rate, persisted id), shaped as GraphQL over HTTP would. */
function sendRefusal(res: ServerResponse, status: number, error: BotgraphError, headers: Record<string, string> = {}): void {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  for (const [key, value] of Object.entries(headers)) res.setHeader(key, value);
  sendJson(res, status, { errors: [{ message: error.message, extensions }] });
}

/** The failures of a well-formed request whose document or variables are wrong. */
const DOCUMENT_FAILURES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * GraphQL over HTTP: with `application/json` a parse, validation or variable-coercion failure
 * SHOULD be 200 (the body says what failed); 400 is for `application/graphql-response+json`, which
 * Apollo keeps. A request that is not well-formed (no query, bad JSON) stays 400.
 */
function isDocumentFailureAsJson(contentType: string | undefined, body: string): boolean {
  if (!contentType?.startsWith('application/json')) return false;
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    return parsed.data === undefined && !!parsed.errors?.length && parsed.errors.every((e) => DOCUMENT_FAILURES.has(e.extensions?.code ?? ''));
  } catch {
    return false;
  }
}

/** A response-cache hit: the kept bytes and headers, and the operation's one metric sample and log line. */
function sendKept(res: ServerResponse, kept: KeptResponse, ctx: Pick<Context, 'operation' | 'principal'>, metrics: Metrics, logger: Logger): void {
  for (const [key, value] of kept.headers) res.setHeader(key, value);
  res.statusCode = kept.status;
  res.end(kept.body);
  recordOperation(metrics, logger, ctx, { name: kept.operationName, type: 'query', result: {}, transport: 'http', cachedResponse: true });
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export type MakeContext = (operation: OperationScope | undefined, principal: Principal, principalKey: string) => Context;

/**
 * `/graphql` over HTTP: GraphiQL for a browser's GET, otherwise the operation through Apollo. The
 * principal is decided here, once per request, from `Authorization`, before the body is read.
 */
export interface RouteOptions {
  deadlineMs: number;
  responses: ResponseCache;
  metrics: Metrics;
  logger: Logger;
}

export function graphqlRoute(
  apollo: ApolloServer<Context>,
  makeContext: MakeContext,
  guard: Guard,
  { deadlineMs, responses, metrics, logger }: RouteOptions,
) {
  return async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let who: Authenticated;
    try {
      who = await guard.auth.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof BotgraphError)) throw error;
      // A browser asking for GraphiQL gets the login prompt (any user name, the API key as password).
      const challenge = wantsHtml(req) ? 'Basic realm="botgraph", charset="UTF-8"' : 'Bearer realm="botgraph"';
      return sendRefusal(res, 401, error, { 'www-authenticate': challenge });
    }
    const principal = who.principal;
    if (wantsHtml(req) && !url.searchParams.has('query')) {
      // GraphiQL is served only where it can work: where this principal may introspect.
      if (!introspectionAllowed(guard.policy.security, principal)) {
        if (guard.auth.required) {
          res.setHeader('www-authenticate', 'Basic realm="botgraph", charset="UTF-8"');
          return sendJson(res, 403, { error: 'GraphiQL is only for admins in this deployment.' });
        }
        return sendJson(res, 404, { error: 'not found' });
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(graphiqlHtml());
    }
    const key = principalKey(principal, req.socket.remoteAddress);
    const limited = await guard.rate.consume(key);
    if (limited) return sendRefusal(res, 429, limited, { 'retry-after': String(Math.ceil((limited.retryAfterMs ?? 1000) / 1000)) });

    // One operation: one request id (echoed back) and one deadline for every upstream call it makes.
    const operation = newOperationScope(deadlineMs, requestIdFrom(req.headers['x-request-id']));
    addServerTiming(res, () => upstreamTiming(operation));
    res.setHeader('x-request-id', operation.requestId);
    const parsed = await readJsonBody(req, res);
    if (!parsed.ok) return graphqlHttpError(res, parsed.status, parsed.message, parsed.limit);
    let body = parsed.body;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      try {
        if (guard.persisted) body = guard.persisted.resolve(body as Record<string, unknown>);
      } catch (error) {
        if (error instanceof BotgraphError) return sendRefusal(res, 400, error);
        throw error;
      }
      // Checked before parsing: a huge variables object is refused without walking the document.
      const tooBig = variablesRefusal(guard.policy.limits, (body as { variables?: unknown }).variables);
      if (tooBig) return sendRefusal(res, 400, tooBig);
    }
    // The response cache (src/http/responseCache.ts): the same request from the same principal,
    // nothing invalidated since and within the TTL, is answered with the bytes sent before, without
    // Apollo. A miss is keyed here and kept below, if the plugin found it may be.
    const method = (req.method ?? 'GET').toUpperCase();
    let cacheKey: string | null = null;
    if (responses.enabled && (method === 'GET' || method === 'POST')) {
      cacheKey = responses.keyOf(principal, method, req.headers, method === 'GET' ? url.search : parsed.text);
      const kept = await responses.lookup(cacheKey);
      // Traced as any operation, so a trace viewer shows the hit (no upstream span beneath it).
      if (kept) return runOperationTraced(operation, 'http', async () => sendKept(res, kept, { operation, principal }, metrics, logger));
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await runOperationTraced(operation, 'http', () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: url.search, body },
        context: async () => makeContext(operation, principal, key),
      }),
    );
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      if (res.statusCode === 400 && isDocumentFailureAsJson(response.headers.get('content-type'), response.body.string)) res.statusCode = 200;
      if (cacheKey !== null) responses.keep(cacheKey, { status: res.statusCode, headers: [...response.headers] }, operation);
      return void res.end(response.body.string);
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
