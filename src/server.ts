import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { graphqlRoute, startApollo } from './http/apollo.js';
import { fileRoute } from './http/files.js';
import { createFormatError } from './http/format.js';
import { attachRouter } from './http/router.js';
import { webhookRoute } from './http/webhooks.js';
import { attachWebSocket } from './http/ws.js';
import { LiveService } from './subscriptions/live.js';
import { PollerRegistry } from './subscriptions/pollers.js';
import { startInfra, type Infra } from './infra.js';
import { startProviders, webhookReceivers, type ProviderRegistry } from './providers/registry.js';
import { liveEventSink } from './subscriptions/announce.js';
import { buildBotgraphSchema } from './schema.js';

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
    },
  });
  const live = new LiveService(infra.events, pollers);
  const makeContext = () => createContext(registry, infra, live, logger);
  const schema = buildBotgraphSchema();
  const format = createFormatError(logger);

  const httpServer = createServer();
  const apollo = await startApollo({ schema, httpServer, format });
  const ws = attachWebSocket({
    httpServer,
    schema,
    makeContext,
    format,
    maxSubscriptionsPerConnection: config.live.maxSubscriptionsPerConnection,
    connectionInitTimeoutMs: config.live.connectionInitTimeoutMs,
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
      graphql: graphqlRoute(apollo, makeContext),
      files: fileRoute(registry, logger),
      webhooks,
    },
    logger,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
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
    async close() {
      if (closed) return;
      closed = true;
      registry.detach();
      await ws.close();
      await pollers.close();
      await apollo.stop();
      await registry.close();
      await infra.close();
    },
  };
}
