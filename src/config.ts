import { ConfigError, bool, int, str, type Env } from './env.js';
import type { ProviderName } from './models.js';
import { ADAPTERS, adapterBySlug, type ProviderConfigs } from './providers/registry.js';

export { ConfigError } from './env.js';

/**
 * The only place that reads `process.env`. Everything else receives a `Config`. A bad value stops
 * the process at start with a message that names the variable, never later at the first request.
 */

/*
 * Defaults are written once: each beside its `@default`, in these objects, whose types are the
 * config sections. `loadConfig` and everything downstream (pollers, WebSocket) read them from here.
 */

const UPSTREAM_DEFAULTS = {
  /** One attempt at a vendor call. @default 10000 */
  timeoutMs: 10_000,
  /** All attempts of one vendor call together. @default 25000 */
  totalBudgetMs: 25_000,
  /** @default 3 */
  maxAttempts: 3,
};
export type UpstreamConfig = typeof UPSTREAM_DEFAULTS;

const SIMULATOR_DEFAULTS = {
  /** Live traffic in the embedded simulators. @default true */
  activity: true,
  /** @default 1 */
  seed: 1,
  /** Mean ms between live events per simulator. @default 1500 */
  activityIntervalMs: 1_500,
};
export type SimulatorConfig = typeof SIMULATOR_DEFAULTS;

const LIVE_DEFAULTS = {
  /** Between polls of a topic. @default 2000 */
  pollIntervalMs: 2_000,
  /** For conversations in a handoff. @default 1000 */
  pollFastIntervalMs: 1_000,
  /** For topics with nothing new for a minute. @default 5000 */
  pollIdleIntervalMs: 5_000,
  /** A topic keeps polling this long after its last subscriber left. @default 5000 */
  pollGraceMs: 5_000,
  /** A topic's lease in Redis; a dead replica's topics move within about this long. @default 5000 */
  leaseMs: 5_000,
  /** Subscriptions one WebSocket may hold at once. @default 25 */
  maxSubscriptionsPerConnection: 25,
  /** A socket that sends no `connection_init` within this is closed (4408). @default 3000 */
  connectionInitTimeoutMs: 3_000,
};
export type LiveConfig = typeof LIVE_DEFAULTS;

const SERVER_DEFAULTS = {
  /** @default 4000 */
  port: 4_000,
  /** @default '0.0.0.0' */
  host: '0.0.0.0',
  /** @default 'info' */
  logLevel: 'info',
};

/**
 * Each provider's section (`closer`, `botone`, `cxone`) is its adapter's: the adapter names its
 * variables and parses them (`src/providers/<vendor>/config.ts`), from the environment handed over here.
 */
export interface Config extends Readonly<typeof SERVER_DEFAULTS>, ProviderConfigs {
  /** @default every provider in the registry */
  providers: ProviderName[];
  upstream: UpstreamConfig;
  simulator: SimulatorConfig;
  /** Set: idempotency keys, pub/sub and leases live in Redis, shared by replicas. */
  redisUrl: string | null;
  live: LiveConfig;
}

export function loadConfig(env: Env = process.env): Config {
  const known = ADAPTERS.map((a) => a.slug);
  const providersRaw = str(env, 'BOTGRAPH_PROVIDERS') ?? known.join(',');
  const providers: ProviderName[] = [];
  for (const slug of providersRaw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const adapter = adapterBySlug(slug);
    if (!adapter) throw new ConfigError('BOTGRAPH_PROVIDERS', `unknown provider "${slug}" (known: ${known.join(', ')})`);
    if (!providers.includes(adapter.name)) providers.push(adapter.name);
  }
  // Every section is parsed, enabled or not: a bad variable fails at start either way.
  const sections = Object.fromEntries(ADAPTERS.map((a) => [a.slug, a.config.parse(env)])) as ProviderConfigs;

  return {
    port: int(env, 'PORT', SERVER_DEFAULTS.port, 0, 65535),
    host: str(env, 'HOST') ?? SERVER_DEFAULTS.host,
    logLevel: str(env, 'LOG_LEVEL') ?? SERVER_DEFAULTS.logLevel,
    providers,
    ...sections,
    upstream: {
      timeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS', UPSTREAM_DEFAULTS.timeoutMs, 1, 600_000),
      totalBudgetMs: int(env, 'UPSTREAM_TOTAL_BUDGET_MS', UPSTREAM_DEFAULTS.totalBudgetMs, 1, 3_600_000),
      maxAttempts: int(env, 'UPSTREAM_MAX_ATTEMPTS', UPSTREAM_DEFAULTS.maxAttempts, 1, 10),
    },
    simulator: {
      ...simulatorSection(env),
    },
    redisUrl: redisUrl(env),
    live: {
      pollIntervalMs: int(env, 'POLL_INTERVAL_MS', LIVE_DEFAULTS.pollIntervalMs, 50, 3_600_000),
      pollFastIntervalMs: int(env, 'POLL_FAST_INTERVAL_MS', LIVE_DEFAULTS.pollFastIntervalMs, 50, 3_600_000),
      pollIdleIntervalMs: int(env, 'POLL_IDLE_INTERVAL_MS', LIVE_DEFAULTS.pollIdleIntervalMs, 50, 3_600_000),
      pollGraceMs: int(env, 'POLL_GRACE_MS', LIVE_DEFAULTS.pollGraceMs, 0, 3_600_000),
      leaseMs: int(env, 'LEASE_MS', LIVE_DEFAULTS.leaseMs, 100, 3_600_000),
      maxSubscriptionsPerConnection: int(env, 'WS_MAX_SUBSCRIPTIONS', LIVE_DEFAULTS.maxSubscriptionsPerConnection, 1, 10_000),
      connectionInitTimeoutMs: int(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', LIVE_DEFAULTS.connectionInitTimeoutMs, 100, 600_000),
    },
  };
}

/** The simulator knobs shared by the embedded simulators and `npm run simulators`. */
function simulatorSection(env: Env): SimulatorConfig {
  return {
    activity: bool(env, 'SIMULATOR_ACTIVITY', SIMULATOR_DEFAULTS.activity),
    seed: int(env, 'SIMULATOR_SEED', SIMULATOR_DEFAULTS.seed, 0, 2 ** 31 - 1),
    activityIntervalMs: int(env, 'SIMULATOR_ACTIVITY_INTERVAL_MS', SIMULATOR_DEFAULTS.activityIntervalMs, 10, 3_600_000),
  };
}

function redisUrl(env: Env): string | null {
  const raw = str(env, 'REDIS_URL');
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('REDIS_URL', 'must be redis:// or rediss://');
  return raw;
}

/** `npm run simulators`: the standalone simulators on their fixed ports. */
export interface SimulatorCliConfig extends SimulatorConfig {
  /** @default '127.0.0.1' */
  host: string;
  /** Serve `/__sim/faults`. @default true */
  admin: boolean;
  /** Where the standalone CLOSER simulator posts its webhooks. @default none */
  closerWebhookUrl: string | null;
}

export function loadSimulatorCliConfig(env: Env = process.env): SimulatorCliConfig {
  const webhook = str(env, 'SIMULATOR_CLOSER_WEBHOOK_URL');
  if (webhook !== undefined) {
    try {
      new URL(webhook);
    } catch {
      throw new ConfigError('SIMULATOR_CLOSER_WEBHOOK_URL', 'not a URL');
    }
  }
  return {
    host: str(env, 'SIMULATOR_HOST') ?? '127.0.0.1',
    ...simulatorSection(env),
    admin: bool(env, 'SIMULATOR_ADMIN', true),
    closerWebhookUrl: webhook ?? null,
  };
}
