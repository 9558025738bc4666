import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendJson } from './body.js';
import { graphiqlAsset } from './graphiql.js';
import { sendAsset } from './static.js';

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
}

/**
 * botgraph's HTTP routes on one node:http server. Each route lives in its own module; this only
 * dispatches by path, and turns a handler that throws into a 500 without a stack trace.
 */
export function attachRouter(httpServer: Server, routes: Routes, logger: Logger): void {
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

    // Liveness: the process serves HTTP. Whether it can do useful work is /readyz.
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return routes.readyz(req, res, url);
    if (path === '/metrics' && routes.metrics) return routes.metrics(req, res, url);
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
