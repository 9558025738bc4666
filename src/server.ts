import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { ErrorCode } from './errors.js';
import { graphiqlAsset, graphiqlHtml } from './http/graphiql.js';
import { startProviders, type ProviderRegistry } from './providers.js';
import { resolvers } from './resolvers/index.js';

const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/** The SDL, read from `schema/` — the one source of truth, also fed to codegen. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8'))
    .join('\n');
}

/** Largest request body botgraph reads. GraphQL operations are small; anything bigger is abuse. */
const MAX_BODY_BYTES = 1_048_576;

export interface Botgraph {
  url: string;
  port: number;
  httpServer: Server;
  apollo: ApolloServer<Context>;
  registry: ProviderRegistry;
  close(): Promise<void>;
}

/** Appends the errors of providers that failed inside lists which still returned the others' data. */
const partialErrorsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single' || contextValue.partialErrors.length === 0) return;
        const result = response.body.singleResult;
        result.errors = [...(result.errors ?? []), ...contextValue.partialErrors.map((e) => e.toJSON())];
      },
    };
  },
};

/**
 * Errors botgraph raises on purpose are GraphQLErrors with a code and pass through. Anything else
 * is a bug: it is logged with its stack and the client sees only INTERNAL_SERVER_ERROR.
 */
function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      const { extensions, ...rest } = formatted;
      if (!extensions) return rest;
      // Apollo may add a stacktrace in development mode; botgraph never sends one.
      const { stacktrace: _stacktrace, ...safe } = extensions as Record<string, unknown>;
      return { ...rest, extensions: safe };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, retryable: false },
    };
  };
}

async function readJsonBody(req: IncomingMessage): Promise<{ ok: true; body: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: 'Request body too large.' };
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return { ok: true, body: undefined };
  const type = req.headers['content-type'] ?? '';
  const text = Buffer.concat(chunks).toString('utf8');
  if (!type.includes('json')) return { ok: true, body: text };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'Body is not valid JSON.' };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function graphqlHttpError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST', retryable: false } }] });
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

export interface StartOptions {
  logger: Logger;
}

/**
 * Starts botgraph: providers (with embedded simulators where no vendor URL is configured), Apollo
 * Server on `/graphql` over plain node:http, GraphiQL, and health endpoints.
 */
export async function startBotgraph(config: Config, { logger }: StartOptions): Promise<Botgraph> {
  const registry = await startProviders(config, logger);
  const httpServer = createServer();
  const apollo = new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as never,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), partialErrorsPlugin],
  });
  await apollo.start();

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((error) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error.' }] });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://botgraph.local');
    const path = url.pathname;

    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return void res.end();
    }
    if (path.startsWith('/graphiql/')) {
      const asset = graphiqlAsset(path.slice('/graphiql/'.length));
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'cache-control': 'public, max-age=86400' });
      return void res.end(asset.body);
    }
    if (path !== '/graphql') return sendJson(res, 404, { error: 'not found' });

    if (wantsHtml(req) && !url.searchParams.has('query')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(graphiqlHtml());
    }

    const parsed = await readJsonBody(req);
    if (!parsed.ok) return graphqlHttpError(res, parsed.status, parsed.message);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: parsed.body },
      context: async () => createContext(registry, logger),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${address.port}`;

  let closed = false;
  return {
    url,
    port: address.port,
    httpServer,
    apollo,
    registry,
    async close() {
      if (closed) return;
      closed = true;
      await apollo.stop();
      await registry.close();
    },
  };
}
