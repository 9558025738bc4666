import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { OPEN_PRINCIPAL, type Principal } from './auth/principal.js';
import type { Authenticator } from './auth/authenticate.js';
import { createContext, type Context } from './context.js';
import { admitAdmin } from './http/admin.js';
import { graphqlRoute, startApollo } from './http/apollo.js';
import { compiledExecutor } from './http/compiled.js';
import { fileRoute } from './http/files.js';
import { createFormatError } from './http/format.js';
import { attachRouter } from './http/router.js';
import { webhookRoute } from './http/webhooks.js';
import { sendJson } from './http/body.js';
import { readiness } from './observability/health.js';
import type { Metrics } from './observability/metrics.js';
import { consoleRoute } from './http/console.js';
import { simulatorAdminRoute } from './http/simulatorAdmin.js';
import { attachWebSocket } from './http/ws.js';
import type { CohortRegistry } from './subscriptions/cohorts.js';
import { LiveService } from './subscriptions/live.js';
import { PollerRegistry } from './subscriptions/pollers.js';
import { startInfra, type Infra } from './infra.js';
import { startProviders, webhookReceivers, type ProviderRegistry } from './providers/registry.js';
import { liveEventSink } from './subscriptions/announce.js';
import { buildBotgraphSchema } from './schema.js';
import { ResponseCache } from './http/responseCache.js';
import { createGuard } from './limits/guard.js';
import { StatsService } from './stats/service.js';
import { MemorySegmentStore, RedisSegmentStore } from './stats/store.js';
import type { OperationScope } from './observability/operation.js';

export { loadTypeDefs } from './schema.js';

export interface Botgraph {
  url: string;
  port: number;
  httpServer: Server;
  apollo: ApolloServer<Context>;
  registry: ProviderRegistry;
  infra: Infra;
  /** The event log and the pollers behind subscriptions. */
  live: LiveService;
  /** Subscribers sharing one execution per event (src/subscriptions/cohorts.ts). */
  cohorts: CohortRegistry;
  /** Analytics: the aggregates and the live stats cohorts. */
  stats: StatsService;
  /** Whole query responses kept for the same principal's identical query (src/http/responseCache.ts). */
  responses: ResponseCache;
  close(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
}

/**
 * Starts botgraph: providers (with embedded simulators where no vendor URL is configured), Apollo
 * Server on `/graphql` over plain node:http, graphql-ws beside it, GraphiQL, files, the CLOSER
 * webhook and health. Each piece is its own module under `src/http/`; this only wires them.
 */
export async function startBotgraph(config: Config, { logger }: StartOptions): Promise<Botgraph> {
  const infra = await startInfra(config, logger);
  const metrics = infra.metrics;
  const registry = await startProviders(config, logger, metrics, infra.cache).catch(async (error) => {
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
    },
  });
  const live = new LiveService(infra.events, pollers);
  for (const [provider, breaker] of registry.breakers) {
    metrics.circuitState(provider, breaker.state);
    breaker.onStateChange((state) => {
      metrics.circuitState(provider, state);
      metrics.circuitTransitions.inc({ provider, state });
      logger.warn({ provider, circuit: state }, 'circuit breaker changed state');
    });
  }
  metrics.gauge('botgraph_pollers', 'Topics with a poller in this process (polling or standing by for the lease).', () => pollers.snapshot().length);
  metrics.gauge('botgraph_subscribers', 'Subscriptions holding a topic in this process.', () =>
    pollers.snapshot().reduce((sum, p) => sum + p.subscribers, 0),
  );
  metrics.gauge('botgraph_poller_polls', 'Polls made by the pollers now running in this process.', () =>
    pollers.snapshot().reduce((sum, p) => sum + p.polls, 0),
  );
  const schema = buildBotgraphSchema();
  let guard;
  try {
    guard = createGuard(config, schema, infra.redis, logger);
  } catch (error) {
    await registry.close();
    await infra.close();
    throw error;
  }
  const topics = guard.topics;
  // The stats service needs contexts of its own (live cohorts), and every context carries it.
  // eslint-disable-next-line prefer-const -- assigned once below; makeContext closes over it before the service exists
  let stats: StatsService | undefined;
  const makeContext = (operation: OperationScope | undefined, principal: Principal, principalKey: string) => {
    const ctx = createContext(registry, infra, live, logger, operation, principal, { principalKey, topics });
    if (stats) ctx.stats = stats;
    return ctx;
  };
  stats = new StatsService({
    bus: infra.events,
    pollers,
    store: infra.redis ? new RedisSegmentStore(infra.redis) : new MemorySegmentStore(),
    config: config.stats,
    logger,
    makeContext: () => makeContext(undefined, OPEN_PRINCIPAL, OPEN_PRINCIPAL.name),
  });
  const format = createFormatError(logger, { production: config.security.production });
  if (config.auth.mode === 'open') {
    logger.warn(
      config.auth.openReason === 'off'
        ? 'auth is OFF (BOTGRAPH_AUTH=off): anyone who reaches this port may read and act as an operator'
        : 'auth is off: every provider is an embedded simulator (demo); set BOTGRAPH_API_KEYS or AUTH_JWKS_URL to require credentials',
    );
  }

  const httpServer = createServer();
  const responses = new ResponseCache(infra.cache, config.cache.responseEntries, Date.now, (hit) => metrics.cacheLookup('responses', hit));
  // Compiled queries on both transports; with tracing on, graphql-js executes: its instrumentation makes the resolver spans.
  const { otlpEndpoint, compileAfter } = config.ops;
  const execute = otlpEndpoint === null && compileAfter !== null ? compiledExecutor(schema, compileAfter) : undefined;
  const apollo = await startApollo({ schema, httpServer, format, metrics, logger, guard, responses, execute });
  const ws = attachWebSocket({
    httpServer,
    schema,
    makeContext,
    deadlineMs: config.ops.operationDeadlineMs,
    format,
    guard,
    metrics,
    logger,
    maxSubscriptionsPerConnection: config.live.maxSubscriptionsPerConnection,
    connectionInitTimeoutMs: config.live.connectionInitTimeoutMs,
    responses,
    execute,
  });
  // `/webhooks/<slug>` for each provider whose adapter receives pushed events.
  const webhooks = new Map<string, ReturnType<typeof webhookRoute>>();
  const events = liveEventSink(infra.events);
  for (const [slug, receiver] of webhookReceivers(config, events, logger)) {
    webhooks.set(`/webhooks/${slug}`, webhookRoute(receiver, logger));
  }
  attachRouter(
    httpServer,
    {
      graphql: graphqlRoute(apollo, makeContext, guard, { deadlineMs: config.ops.operationDeadlineMs, responses, metrics, logger }),
      files: fileRoute(registry, logger),
      webhooks,
      console: consoleRoute(logger),
      readyz: async (_req, res) => {
        const ready = await readiness({ redis: infra.redis, breakers: registry.breakers, openCircuit: config.ops.readyzOpenCircuit });
        sendJson(res, ready.status === 'unready' ? 503 : 200, ready);
      },
      metrics: config.ops.metricsPort === null ? metricsRoute(metrics, guard.auth) : null,
      simulators: simulatorAdminRoute(registry, guard.auth),
    },
    logger,
    { corsOrigins: config.security.corsOrigins },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const metricsServer = config.ops.metricsPort === null ? null : await startMetricsServer(metrics, config.ops.metricsPort, config.host);
  const address = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${address.port}`;

  // Embedded simulators that push (CLOSER's webhooks) deliver here, as the real vendor would once configured.
  const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  registry.attach(`http://${loopback}:${address.port}`);

  let closed = false;
  return {
    url,
    port: address.port,
    httpServer,
    apollo,
    registry,
    infra,
    live,
    responses,
    cohorts: ws.cohorts,
    stats,
    async close() {
      if (closed) return;
      closed = true;
      registry.detach();
      await ws.close();
      await stats.close();
      // Gives this replica's live topics back to the shared cap at once (a crash lets them expire).
      await guard.topics.close();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await pollers.close();
      await apollo.stop();
      await registry.close();
      await infra.close();
    },
  };
}

/**
 * `/metrics` in Prometheus' text format. On the public port it is admin-only whenever auth is on:
 * series name providers, routes and principals' traffic. (METRICS_PORT is for a private network.)
 */
function metricsRoute(metrics: Metrics, auth?: Authenticator) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(await admitAdmin(auth, req, res, '/metrics is for admin keys only.'))) return;
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
}

/** METRICS_PORT: `/metrics` alone on its own port (keep it off the public network). */
async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<Server> {
  const route = metricsRoute(metrics);
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://botgraph.local').pathname === '/metrics') return void route(req, res);
    sendJson(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
