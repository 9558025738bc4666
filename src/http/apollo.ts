import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import { extraValidationRules } from '../validation.js';
import { readBody, sendJson } from './body.js';
import type { createFormatError } from './format.js';
import { graphiqlHtml } from './graphiql.js';

/** Largest request body botgraph reads. GraphQL operations are small; anything bigger is abuse. */
export const MAX_BODY_BYTES = 1_048_576;

/** Appends the errors of providers that failed inside lists which still returned the others' data. */
const partialErrorsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        if (contextValue.leftOut.length > 0) result.extensions = { ...result.extensions, leftOut: contextValue.leftOut };
        if (contextValue.partialErrors.length === 0) return;
        result.errors = [...(result.errors ?? []), ...contextValue.partialErrors.map((e) => e.toJSON())];
      },
    };
  },
};

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: Server;
  format: ReturnType<typeof createFormatError>;
}

/** Apollo Server 5 over botgraph's schema, with its validation rules and error policy. */
export async function startApollo({ schema, httpServer, format }: ApolloOptions): Promise<ApolloServer<Context>> {
  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: extraValidationRules,
    includeStacktraceInErrorResponses: false,
    formatError: format,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), partialErrorsPlugin],
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

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/** `/graphql` over HTTP: GraphiQL for a browser's GET, otherwise the operation through Apollo. */
export function graphqlRoute(apollo: ApolloServer<Context>, makeContext: () => Context) {
  return async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (wantsHtml(req) && !url.searchParams.has('query')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(graphiqlHtml());
    }
    const parsed = await readJsonBody(req, res);
    if (!parsed.ok) return graphqlHttpError(res, parsed.status, parsed.message);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: parsed.body },
      context: async () => makeContext(),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
