import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { BotgraphError, ErrorCode } from './errors.js';
import type { ProviderName } from './models.js';
import { readBody, sendJson } from './http/body.js';
import { createFormatError } from './http/format.js';
import { graphiqlAsset, graphiqlHtml } from './http/graphiql.js';
import { closerWebhookHandler } from './http/webhooks.js';
import { attachWebSocket } from './http/ws.js';
import { LiveService } from './subscriptions/live.js';
import { PollerRegistry } from './subscriptions/pollers.js';
import { extraValidationRules } from './validation.js';
import { startInfra, type Infra } from './infra.js';
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
  infra: Infra;
  /** The event log and the pollers behind subscriptions. */
  live: LiveService;
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

export interface StartOptions {
  logger: Logger;
}

/**
 * Starts botgraph: providers (with embedded simulators where no vendor URL is configured), Apollo
 * Server on `/graphql` over plain node:http, GraphiQL, and health endpoints.
 */
export async function startBotgraph(config: Config, { logger }: StartOptions): Promise<Botgraph> {
  const infra = await startInfra(config, logger);
  const registry = await startProviders(config, logger).catch(async (error) => {
    await infra.close();
    throw error;
  });
  const pollers = new PollerRegistry({
    bus: infra.events,
    leases: infra.leases,
    watermarks: infra.watermarks,
    logger,
    options: {
      intervalMs: config.live.pollIntervalMs,
      fastIntervalMs: config.live.pollFastIntervalMs,
      idleIntervalMs: config.live.pollIdleIntervalMs,
      graceMs: config.live.pollGraceMs,
      maxBackoffMs: 30_000,
    },
  });
  const live = new LiveService(infra.events, pollers);
  const makeContext = () => createContext(registry, infra, live, logger);
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
  const format = createFormatError(logger);
  const webhook = closerWebhookHandler({ bus: infra.events, secret: config.closer.webhookSecret, logger });

  const httpServer = createServer();
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
  const ws = attachWebSocket({
    httpServer,
    schema,
    makeContext,
    format,
    maxSubscriptionsPerConnection: config.live.maxSubscriptionsPerConnection,
    connectionInitTimeoutMs: config.live.connectionInitTimeoutMs,
  });

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
    if (path.startsWith('/files/')) return serveFile(req, res, path);
    if (path === '/webhooks/closer') return webhook(req, res, url);
    if (path !== '/graphql') return sendJson(res, 404, { error: 'not found' });

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
  }

  /**
   * `/files/<provider>/<fileId>` streams a vendor file with its content type. The browser sees only
   * this URL: the vendor's own URL and botgraph's credentials for it stay on the server.
   */
  async function serveFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const match = /^\/files\/([a-z]+)\/([^/]+)$/.exec(path);
    const provider = match?.[1]?.toUpperCase() as ProviderName | undefined;
    const runtime = provider ? registry.runtimes.get(provider) : undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (!match || !runtime?.openFile) return sendJson(res, 404, { error: 'not found', code: ErrorCode.NOT_FOUND });
    let fileId: string;
    try {
      fileId = decodeURIComponent(match[2] as string);
    } catch {
      return sendJson(res, 404, { error: 'not found', code: ErrorCode.NOT_FOUND });
    }
    try {
      const file = await runtime.openFile(fileId);
      const headers: Record<string, string> = {
        'content-type': file.contentType ?? 'application/octet-stream',
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
      };
      if (file.contentLength) headers['content-length'] = file.contentLength;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        // Destroying an undici body emits an abort error; unhandled, it would crash the process.
        file.body.on('error', () => {});
        file.body.destroy();
        return void res.end();
      }
      // With backpressure; a client that goes away ends the vendor stream too (then the catch below).
      await pipeline(file.body, res);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      const code = error instanceof BotgraphError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
      const status = code === ErrorCode.NOT_FOUND ? 404 : code === ErrorCode.FORBIDDEN_BY_PROVIDER ? 403 : code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : 502;
      if (code === ErrorCode.INTERNAL_SERVER_ERROR) logger.error({ err: error }, 'file download failed');
      sendJson(res, status, { error: error instanceof BotgraphError ? error.message : 'Internal server error.', code, provider });
    }
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${address.port}`;

  // The embedded CLOSER simulator delivers its webhooks here, as a real CLOSER would once configured.
  if (registry.closerSimulator) {
    const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const secret = config.closer.webhookSecret ? `?secret=${encodeURIComponent(config.closer.webhookSecret)}` : '';
    registry.closerSimulator.setWebhook(`http://${loopback}:${address.port}/webhooks/closer${secret}`);
  }

  let closed = false;
  return {
    url,
    port: address.port,
    httpServer,
    apollo,
    registry,
    infra,
    live,
    async close() {
      if (closed) return;
      closed = true;
      registry.closerSimulator?.setWebhook(undefined);
      await ws.close();
      await pollers.close();
      await apollo.stop();
      await registry.close();
      await infra.close();
    },
  };
}
