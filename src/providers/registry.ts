/**
 * The providers botgraph knows: one adapter per vendor folder, one line each. Everything else
 * (config, runtimes, embedded simulators, webhooks, files, capabilities) is a loop over this list.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ProviderBreaker, type Breakers } from '../datasources/breaker.js';
import type { EntityCache } from '../datasources/cache.js';
import type { ProviderRuntime } from '../datasources/types.js';
import type { UpstreamObserver } from '../observability/metrics.js';
import type { SimulatorHandle } from '../simulators/common/options.js';
import { botoneAdapter } from './botone/adapter.js';
import { closerAdapter } from './closer/adapter.js';
import { cxoneAdapter } from './cxone/adapter.js';
import type { EmbeddedSimulator, LiveEventSink, ProviderAdapter, WebhookReceiver, WriteName } from './types.js';

/** In this order everywhere: `Query.providers`, the default `BOTGRAPH_PROVIDERS`, the simulators CLI. */
export const ADAPTERS = [closerAdapter, botoneAdapter, cxoneAdapter] as const;

export type Adapter = (typeof ADAPTERS)[number];
/** The GraphQL `Provider` values: the adapters' names. */
export type ProviderName = Adapter['name'];
/** Each adapter's config section, under its slug (`config.closer`, …). */
export type ProviderConfigs = { [A in Adapter as A['slug']]: A extends ProviderAdapter<string, infer C, string> ? C : never };

export const PROVIDERS: readonly ProviderName[] = ADAPTERS.map((a) => a.name);

/**
 * An adapter whose config type is not known here: the registry handles every vendor's section as
 * opaque and hands it back to the adapter that parsed it, so `any` is confined to this alias.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAdapter = ProviderAdapter<ProviderName, any>;

const BY_NAME = new Map<string, AnyAdapter>(ADAPTERS.map((a) => [a.name, a]));
const BY_SLUG = new Map<string, AnyAdapter>(ADAPTERS.map((a) => [a.slug, a]));

export function isProviderName(value: string): value is ProviderName {
  return BY_NAME.has(value);
}

/** The adapter of a provider. */
export function adapterOf(provider: ProviderName): AnyAdapter {
  return BY_NAME.get(provider) as AnyAdapter;
}

/** The provider whose datasource implements a write addressed by something other than an ID (Bot.one's custom block tokens). */
export function providerImplementing(write: WriteName): ProviderName | undefined {
  return ADAPTERS.find((a) => a.writes.includes(write))?.name;
}

/** The adapter with this slug (`/files/<slug>/…`, `BOTGRAPH_PROVIDERS`), if any. */
export function adapterBySlug(slug: string): AnyAdapter | undefined {
  return BY_SLUG.get(slug);
}

/** The adapter whose config section this is. */
function sectionOf(config: Config, adapter: AnyAdapter): unknown {
  return (config as unknown as Record<string, unknown>)[adapter.slug];
}

/** The webhook receiver of every adapter that has one, by slug (served at `/webhooks/<slug>`). */
export function webhookReceivers(config: Config, events: LiveEventSink, logger: Logger): Map<string, WebhookReceiver> {
  const receivers = new Map<string, WebhookReceiver>();
  for (const adapter of ADAPTERS as readonly AnyAdapter[]) {
    if (adapter.webhook) receivers.set(adapter.slug, adapter.webhook({ config: sectionOf(config, adapter), events, logger }));
  }
  return receivers;
}

export interface ProviderRegistry {
  runtimes: Map<ProviderName, ProviderRuntime>;
  /** The embedded simulators started for providers with no configured base URL. */
  simulators: Partial<Record<ProviderName, SimulatorHandle>>;
  /**
   * What opens the embedded simulators' `/__sim` routes: a random token made at start, held by this
   * process only. botgraph serves those routes to admins at `/__sim/<slug>/…` (src/http/simulatorAdmin.ts).
   */
  simulatorAdminHeaders: Readonly<Record<string, string>>;
  /** Tells the embedded simulators where botgraph listens (CLOSER then posts its webhooks there). */
  attach(botgraphUrl: string): void;
  /** Stops embedded simulators from talking to botgraph; first thing at shutdown. */
  detach(): void;
  /** One circuit breaker per enabled provider, shared by all of its clients. */
  breakers: Breakers;
  close(): Promise<void>;
}

/**
 * Builds one runtime per enabled provider. A provider without a base URL gets its embedded
 * simulator on loopback, with the simulator's demo credentials, so `npm start` needs no account.
 * The simulator code is imported only then: a production start never loads it.
 */
export async function startProviders(config: Config, logger: Logger, observer?: UpstreamObserver, cache?: EntityCache): Promise<ProviderRegistry> {
  const runtimes = new Map<ProviderName, ProviderRuntime>();
  const simulators: Partial<Record<ProviderName, SimulatorHandle>> = {};
  const embedded: Array<EmbeddedSimulator<unknown>> = [];
  // Loopback only, and `/__sim` (stats, faults) only with this process's random token.
  const adminToken = randomBytes(32).toString('base64url');
  const options = { ...config.simulator, host: '127.0.0.1', port: 0, admin: { token: adminToken } };
  const breakers: Breakers = new Map();

  try {
    for (const provider of config.providers) {
      const adapter = adapterOf(provider);
      const breaker = new ProviderBreaker(provider, config.ops.breaker);
      breakers.set(provider, breaker);
      const kept = cache?.forProvider(provider, adapter.cacheTags);
      const upstream = { ...config.upstream, breaker, ...(observer ? { observer } : {}), ...(kept ? { cache: kept } : {}) };
      let section = sectionOf(config, adapter);
      let baseUrl = adapter.config.baseUrl(section);
      const mode = baseUrl ? 'REMOTE' : 'SIMULATOR';
      if (!baseUrl) {
        const simulator = (await (await adapter.loadSimulator()).startEmbedded(section, options)) as EmbeddedSimulator<{ baseUrl: string }>;
        embedded.push(simulator);
        simulators[provider] = simulator.handle;
        section = simulator.config;
        baseUrl = simulator.config.baseUrl;
      }
      runtimes.set(provider, adapter.createRuntime({ config: { ...(section as object), baseUrl }, upstream, mode, logger }));
    }
  } catch (error) {
    await Promise.all(Object.values(simulators).map((s) => s.close()));
    throw error;
  }

  return {
    runtimes,
    simulators,
    // The simulators' SIMULATOR_ADMIN_HEADER (a literal: production code imports no simulator module statically).
    simulatorAdminHeaders: { 'x-sim-admin-token': adminToken },
    breakers,
    attach(botgraphUrl) {
      for (const simulator of embedded) simulator.attach?.(botgraphUrl);
    },
    detach() {
      for (const simulator of embedded) simulator.detach?.();
    },
    async close() {
      await Promise.all([...runtimes.values()].map((r) => r.close()));
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}
