import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnreachableCaseError } from '../../errors.js';
import { FaultController, faultConfigSchema, type FaultConfig } from './faults.js';
import { SIMULATOR_ADMIN_HEADER, type SimulatorAdmin } from './options.js';
import { RequestStats } from './stats.js';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export interface SimRequest {
  method: string;
  path: string;
  /** Path parameters, from `:name` segments of the route pattern, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
  /** True when a body was sent with a JSON content type but did not parse. */
  bodyInvalid: boolean;
  rawBody: Buffer;
}

export interface SimResponse {
  status: number;
  /** Serialised as the JSON body. */
  json?: unknown;
  /** A raw body (files); takes precedence over `json`. */
  body?: Buffer | string;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface SimRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path with `:name` placeholders, e.g. `/openapi/bot/:botId/flow`. Also the route's name in stats. */
  pattern: string;
  handler: SimHandler;
}

export interface HttpSimulatorOptions {
  /** Used in log lines and the stats payload. */
  name: string;
  routes: SimRoute[];
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Serves `/__sim/faults` so another process can change faults; `/__sim/stats` is always served.
   * With `{ token }` every `/__sim` route answers 401 unless the request carries the token
   * (`x-sim-admin-token`, compared in constant time). @default false
   */
  admin?: SimulatorAdmin;
  /** The faults in force at start. @default {} */
  faults?: FaultConfig;
  /** Builds the vendor's own error body for a status; used for 404/405 and injected errors. */
  errorResponse: (status: number, message: string, extraHeaders?: Record<string, string>) => SimResponse;
}

export interface HttpSimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4101`. */
  url: string;
  port: number;
  faults: FaultController;
  stats: RequestStats;
  close(): Promise<void>;
}

interface CompiledRoute extends SimRoute {
  regex: RegExp;
  names: string[];
  key: string;
}

function compile(route: SimRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}/?$`), names, key: `${route.method} ${route.pattern}` };
}

/**
 * A malformed escape (`/conversation/%zz`) is the client's mistake, not a server fault: the raw
 * segment goes to the handler, whose own validation answers it (usually 404), instead of a 500.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Waits until `performance.now()` reaches `at` (a timer: it may fire a millisecond late). Waiting
 * the last milliseconds out turn by turn (`setImmediate`) was tried for exactness and measured
 * worse: the spinning simulator takes CPU from botgraph on a 2-core machine.
 */
async function waitUntil(at: number): Promise<void> {
  const left = at - performance.now();
  if (left > 0) await sleep(left);
}

/** A request body over the limit; answered 413 rather than as a simulator fault. */
class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit = 1_048_576): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Keep reading (and dropping) past the limit: a client still uploading would otherwise see a reset, not our 413.
    if (size > limit) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  if (tooLarge) throw new BodyTooLargeError('body too large');
  return Buffer.concat(chunks);
}

/** A response as it goes on the wire: status, headers and the body already serialised. */
interface Prepared {
  status: number;
  headers: Record<string, string>;
  payload: Buffer | string | undefined;
}

function prepare(response: SimResponse, breakJson = false): Prepared {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | string | undefined = response.body;
  if (payload === undefined && response.json !== undefined) {
    payload = JSON.stringify(response.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
    // A malformed body is a valid-looking JSON prefix, as a proxy that cut the stream would leave it.
    if (breakJson) payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
  }
  return { status: response.status, headers, payload };
}

function write(res: ServerResponse, prepared: Prepared): void {
  res.writeHead(prepared.status, prepared.headers);
  res.end(prepared.payload);
}

function send(res: ServerResponse, response: SimResponse, breakJson = false): void {
  write(res, prepare(response, breakJson));
}

/**
 * The HTTP shell every simulator shares: routing, body parsing, request stats, fault injection
 * and the `/__sim` admin endpoints. Vendor behaviour lives entirely in the routes.
 */
export async function startHttpSimulator(options: HttpSimulatorOptions): Promise<HttpSimulator> {
  const routes = options.routes.map(compile);
  const faults = new FaultController(options.faults ?? {});
  const stats = new RequestStats(routes.map((r) => r.key));
  const sockets = new Set<Socket>();
  let closing = false;

  const adminToken = typeof options.admin === 'object' ? sha256(options.admin.token) : null;
  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const json = (status: number, body?: unknown) => send(res, { status, ...(body === undefined ? {} : { json: body }) });
    if (adminToken) {
      const given = req.headers[SIMULATOR_ADMIN_HEADER];
      if (typeof given !== 'string' || !timingSafeEqual(sha256(given), adminToken)) return json(401, { error: 'admin token required' });
    }
    if (path === '/__sim/stats') {
      if (req.method === 'GET') return json(200, { simulator: options.name, ...stats.snapshot() });
      if (req.method === 'DELETE') {
        stats.reset();
        return json(204);
      }
      return json(405, { error: 'method not allowed' });
    }
    if (path === '/__sim/faults' && options.admin) {
      if (req.method === 'GET') return json(200, faults.get());
      if (req.method === 'DELETE') {
        faults.clear();
        return json(204);
      }
      if (req.method === 'PUT') {
        const raw = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          return json(400, { error: 'body is not JSON' });
        }
        const result = faultConfigSchema.safeParse(parsed);
        if (!result.success) return json(400, { error: 'invalid fault config', issues: result.error.issues });
        return json(200, faults.set(result.data));
      }
      return json(405, { error: 'method not allowed' });
    }
    return json(404, { error: 'no such admin endpoint' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Stamped before anything else: see the latency below.
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const path = url.pathname;
    try {
      if (path.startsWith('/__sim/')) return await handleAdmin(req, res, path);

      const method = req.method ?? 'GET';
      let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
      let pathMatched = false;
      for (const route of routes) {
        const m = route.regex.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = decodePathSegment(m[i + 1] as string);
        });
        match = { route, params };
        break;
      }
      if (!match) {
        stats.record(`${method} (unmatched)`);
        return send(res, options.errorResponse(pathMatched ? 405 : 404, pathMatched ? 'Method Not Allowed' : 'Not Found'));
      }

      const { route, params } = match;
      stats.record(route.key);

      // The body arrives before the injected latency, as at a real vendor that is slow to act: a
      // client that gives up (or dies) meanwhile does not stop the write from happening. The
      // request's fate (hang, 429, error) is decided as it arrives.
      const rawBody = await readBody(req);
      const delay = faults.delayMs(route.key);
      const decision = faults.decide(route.key);
      if (decision.kind !== 'none') {
        if (delay > 0) await waitUntil(arrived + delay);
        switch (decision.kind) {
          case 'hang':
            // Never answer; close() destroys the socket.
            return;
          case 'rateLimit':
            return send(res, options.errorResponse(429, 'Too Many Requests', { 'retry-after': String(decision.retryAfterSeconds) }));
          case 'error':
            return send(res, options.errorResponse(decision.status, 'Injected failure'));
          default:
            throw new UnreachableCaseError(decision);
        }
      }

      // A write acts after the latency (slow to act, above). A read is answered `latencyMs` after it
      // arrived, not after the simulator's own work on top: the answer is built and serialised
      // during the wait, so a benchmark's "vendor at 50 ms" does not add the simulator's work to
      // botgraph's overhead over a critical path (a timer and a busy process still may).
      const isRead = method === 'GET' || method === 'HEAD';
      if (delay > 0 && !isRead) await waitUntil(arrived + delay);
      // One process plays a vendor's many servers: a read that arrived with others is stamped
      // (above) before any of them is built, so that each is answered `latencyMs` after its own
      // arrival, not after the answers built before it (each takes 0.3 to 0.6 ms to build, and an
      // inbox sends 13 at once). The poll phase stamps them all; this yields to it.
      if (delay > 0 && isRead) await new Promise<void>((resolve) => setImmediate(resolve));
      let body: unknown;
      let bodyInvalid = false;
      if (rawBody.length > 0) {
        const type = req.headers['content-type'] ?? '';
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          bodyInvalid = type.includes('json') || type === '';
        }
      }
      const response = await route.handler({
        method,
        path,
        params,
        query: url.searchParams,
        headers: req.headers,
        body,
        bodyInvalid,
        rawBody,
      });
      const prepared = prepare(response, response.status < 300 && faults.malformed(route.key));
      if (delay > 0 && isRead) await waitUntil(arrived + delay);
      write(res, prepared);
    } catch (error) {
      if (!res.headersSent && error instanceof BodyTooLargeError) send(res, options.errorResponse(413, 'Payload Too Large'));
      else if (!res.headersSent) send(res, options.errorResponse(500, 'Internal Server Error'));
      else res.destroy(error as Error);
    }
  };
  // Every failure is answered inside `handle`; the promise is detached on purpose.
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    faults,
    stats,
    async close() {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hung requests and idle keep-alive sockets would otherwise hold close() open forever.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
