import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import { newOperationScope, requestIdFrom, runOperationTraced, type OperationScope } from '../observability/operation.js';
import { extraValidationRules } from '../validation.js';
import { readBody, sendJson } from './body.js';
import type { createFormatError } from './format.js';
import { graphiqlHtml } from './graphiql.js';
import { withPartialErrors } from './policy.js';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { recordOperation } from '../observability/record.js';

/** Largest request body botgraph reads. GraphQL operations are small; anything bigger is abuse. */
export const MAX_BODY_BYTES = 1_048_576;

/** Appends the errors of providers that failed inside lists which still returned the others' data. */
const partialErrorsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        // Providers a list left out because they cannot apply its filter (search, cxoneQuery).
        if (contextValue.leftOut.length > 0) result.extensions = { ...result.extensions, leftOut: contextValue.leftOut };
        const withPartial = withPartialErrors(result, contextValue);
        if (withPartial.errors) result.errors = withPartial.errors;
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

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  format: ReturnType<typeof createFormatError>;
  metrics: Metrics;
  logger: Logger;
}

/** Apollo Server 5 over botgraph's schema, with its validation rules and error policy. */
export async function startApollo({ schema, httpServer, format, metrics, logger }: ApolloOptions): Promise<ApolloServer<Context>> {
  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: extraValidationRules,
    includeStacktraceInErrorResponses: false,
    formatError: format,
    // The schema is a federation subgraph, for which Apollo would add per-resolver timing traces
    // (ftv1) to any response whose request asks for them: that is a reporting agent's feature,
    // not a client's, and botgraph's timings are in its metrics and OpenTelemetry traces.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled(), partialErrorsPlugin, operationsPlugin(metrics, logger)],
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
): Promise<{ ok: true; body: unknown } | { ok: false; status: number; message: string }> {
  const raw = await readBody(req, res, MAX_BODY_BYTES);
  if (raw === null) return { ok: false, status: 413, message: 'Request body too large.' };
  if (raw.length === 0) return { ok: true, body: undefined };
  const type = req.headers['content-type'] ?? '';
  const text = raw.toString('utf8');
  if (!type.includes('json')) return { ok: true, body: text };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'Body is not valid JSON.' };
  }
}

function graphqlHttpError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST', retryable: false } }] });
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

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/** `/graphql` over HTTP: GraphiQL for a browser's GET, otherwise the operation through Apollo. */
export function graphqlRoute(apollo: ApolloServer<Context>, makeContext: (operation: OperationScope) => Context, deadlineMs: number) {
  return async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (wantsHtml(req) && !url.searchParams.has('query')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(graphiqlHtml());
    }
    // One operation: one request id (echoed back) and one deadline for every upstream call it makes.
    const operation = newOperationScope(deadlineMs, requestIdFrom(req.headers['x-request-id']));
    res.setHeader('x-request-id', operation.requestId);
    const parsed = await readJsonBody(req, res);
    if (!parsed.ok) return graphqlHttpError(res, parsed.status, parsed.message);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await runOperationTraced(operation, 'http', () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: parsed.body },
        context: async () => makeContext(operation),
      }),
    );
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      if (res.statusCode === 400 && isDocumentFailureAsJson(response.headers.get('content-type'), response.body.string)) res.statusCode = 200;
      return void res.end(response.body.string);
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
