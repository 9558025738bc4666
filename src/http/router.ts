import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import cors from 'cors';
import type { Logger } from 'pino';
import { originAllowed } from '../limits/guard.js';
import { sendJson } from './body.js';
import { graphiqlAsset } from './graphiql.js';
import { sendAsset } from './static.js';
import { serverTiming } from './timing.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface Routes {
  graphql: Handler;
  files: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** By path (`/webhooks/<provider>`): the providers that receive pushed events. */
  webhooks: ReadonlyMap<string, Handler>;
  /** The reference agent console (src/http/console.ts); absent where it is not served. */
  console?: Handler;
  /** Readiness (`/readyz`). */
  readyz: Handler;
  /** Prometheus metrics on this port; null when they are served on METRICS_PORT instead. */
  metrics: Handler | null;
  /** `/__sim/<slug>/<route>`: the embedded simulators' admin routes, for admins (src/http/simulatorAdmin.ts). */
  simulators?: Handler;
}

/**
 * CORS for browser apps on other origins (`CORS_ORIGINS`), with the `cors` package. Credentials
 * (cookies) are never allowed: clients send `Authorization`, which `*` may carry. A preflight from
 * an origin not listed is answered 403, so the browser refuses the real request.
 */
function corsHandler(origins: readonly string[]) {
  const middleware = cors({
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'apollo-client-name',
      'apollo-client-version',
    ],
    exposedHeaders: ['retry-after', 'server-timing'],
    maxAge: 600,
    credentials: false,
  });
  /** True when the request was answered (a preflight). */
  return (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS' && origin && !originAllowed(origins, origin, req.headers.host)) {
      sendJson(res, 403, { error: 'origin not allowed' });
      return Promise.resolve(true);
    }
    return new Promise((resolve, reject) => {
      // `cors` ends a preflight itself (204) and calls next() for everything else.
      res.once('finish', () => resolve(true));
      middleware(req, res, (error?: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('CORS middleware failed', { cause: error })) : resolve(false),
      );
    });
  };
}

/**
 * botgraph's HTTP routes on one node:http server. Each route lives in its own module; this only
 * dispatches by path, and turns a handler that throws into a 500 without a stack trace.
 */
export function attachRouter(
  httpServer: Server,
  routes: Routes,
  logger: Logger,
  options: { corsOrigins: readonly string[] } = { corsOrigins: [] },
): void {
  const applyCors = corsHandler(options.corsOrigins);
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
    const started = process.hrtime.bigint();
    // Server time of every answer, for clients and for the limit tests (target: refusals < 50 ms).
    const writeHead = res.writeHead.bind(res);
    res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
      if (!this.headersSent) this.setHeader('server-timing', serverTiming(this, Number(process.hrtime.bigint() - started) / 1e6));
      return writeHead(...(args as [number]));
    } as ServerResponse['writeHead'];
    if (await applyCors(req, res)) return;

    // Liveness: the process serves HTTP. Whether it can do useful work is /readyz.
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return routes.readyz(req, res, url);
    if (path === '/metrics' && routes.metrics) return routes.metrics(req, res, url);
    if (routes.simulators && path.startsWith('/__sim/')) return routes.simulators(req, res, url);
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return void res.end();
    }
    if (path.startsWith('/graphiql/')) {
      const asset = graphiqlAsset(path.slice('/graphiql/'.length));
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      return sendAsset(req, res, url, asset);
    }
    if (path.startsWith('/files/')) return routes.files(req, res, path);
    if (routes.console && (path === '/console' || path.startsWith('/console/'))) return routes.console(req, res, url);
    const webhook = routes.webhooks.get(path);
    if (webhook) return webhook(req, res, url);
    if (path === '/graphql') return routes.graphql(req, res, url);
    return sendJson(res, 404, { error: 'not found' });
  }
}
