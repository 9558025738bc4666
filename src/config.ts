import { ConfigError, bool, int, ratio, str, type Env } from './env.js';
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

/** Conversation analytics (`conversationStats`, docs/stats.md). */
const STATS_DEFAULTS = {
  /** Vendor calls one stats query may make; past it, streams are estimated with stated bounds. @default 60 */
  maxCalls: 60,
  /** A day that is not over is read again when its copy is older than this. @default 10000 */
  openTtlMs: 10_000,
  /** Message reads (CLOSER messages, Bot.one details) one stats query may make for message measures. @default 100 */
  maxDetailReads: 100,
};
export type StatsConfig = typeof STATS_DEFAULTS;
/** Operating botgraph: deadlines, circuit breakers, metrics and traces (README "Operating botgraph"). */
const OPS_DEFAULTS = {
  /** Every upstream call of one GraphQL operation shares this deadline, writes included (`OPERATION_DEADLINE_MS`). @default 10000 */
  operationDeadlineMs: 10_000,
  /** Per-provider circuit breaker. */
  breaker: {
    /** Opens when more than this share of calls in the window failed (`BREAKER_FAILURE_RATIO`). @default 0.5 */
    failureRatio: 0.5,
    /** The sliding window, in ms (`BREAKER_WINDOW_MS`). @default 10000 */
    windowMs: 10_000,
    /** Calls in the window before it may open (`BREAKER_MIN_CALLS`). @default 5 */
    minCalls: 5,
    /** Open this long before one probe call (`BREAKER_HALF_OPEN_MS`). @default 5000 */
    halfOpenAfterMs: 5_000,
  },
  /** Serve `/metrics` on this port instead of the main one (`METRICS_PORT`). @default null (main port) */
  metricsPort: null as number | null,
  /** OTLP/HTTP traces endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`); tracing is off without it. @default null */
  otlpEndpoint: null as string | null,
  /**
   * What an open circuit makes `/readyz` say (`READYZ_OPEN_CIRCUIT`): `unready` (503) or `degraded`
   * (200, for a deployment that prefers serving the other providers). @default 'unready'
   */
  readyzOpenCircuit: 'unready' as 'unready' | 'degraded',
};
export type OpsConfig = typeof OPS_DEFAULTS;

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
  stats: StatsConfig;
  ops: OpsConfig;
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
    stats: {
      maxCalls: int(env, 'STATS_MAX_CALLS', STATS_DEFAULTS.maxCalls, 1, 100_000),
      openTtlMs: int(env, 'STATS_OPEN_TTL_MS', STATS_DEFAULTS.openTtlMs, 0, 86_400_000),
      maxDetailReads: int(env, 'STATS_MAX_DETAIL_READS', STATS_DEFAULTS.maxDetailReads, 0, 100_000),
    },
    ops: opsSection(env),
  };
}

function readyzOpenCircuit(env: Env): OpsConfig['readyzOpenCircuit'] {
  const raw = (str(env, 'READYZ_OPEN_CIRCUIT') ?? OPS_DEFAULTS.readyzOpenCircuit).toLowerCase();
  if (raw !== 'unready' && raw !== 'degraded') throw new ConfigError('READYZ_OPEN_CIRCUIT', 'must be unready or degraded');
  return raw;
}

function opsSection(env: Env): OpsConfig {
  const d = OPS_DEFAULTS;
  const metricsPort = str(env, 'METRICS_PORT') === undefined ? d.metricsPort : int(env, 'METRICS_PORT', 0, 0, 65535);
  const otlp = str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? d.otlpEndpoint;
  if (otlp !== null) {
    let url: URL;
    try {
      url = new URL(otlp);
    } catch {
      throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT', 'must be http or https (OTLP over HTTP)');
  }
  return {
    operationDeadlineMs: int(env, 'OPERATION_DEADLINE_MS', d.operationDeadlineMs, 1, 3_600_000),
    breaker: {
      failureRatio: ratio(env, 'BREAKER_FAILURE_RATIO', d.breaker.failureRatio),
      windowMs: int(env, 'BREAKER_WINDOW_MS', d.breaker.windowMs, 100, 3_600_000),
      minCalls: int(env, 'BREAKER_MIN_CALLS', d.breaker.minCalls, 1, 100_000),
      halfOpenAfterMs: int(env, 'BREAKER_HALF_OPEN_MS', d.breaker.halfOpenAfterMs, 10, 3_600_000),
    },
    metricsPort,
    otlpEndpoint: otlp,
    readyzOpenCircuit: readyzOpenCircuit(env),
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
  /**
   * Ports of the standalone simulators by provider slug (`SIMULATOR_<SLUG>_PORT`, e.g.
   * `SIMULATOR_CLOSER_PORT`). @default 4101, 4102, … in registry order
   */
  ports: Record<keyof ProviderConfigs, number>;
}

/** The first standalone simulator's port; the others follow in registry order. */
const FIRST_SIMULATOR_PORT = 4_101;

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
    ports: Object.fromEntries(
      ADAPTERS.map((a, i) => [a.slug, int(env, `SIMULATOR_${a.slug.toUpperCase()}_PORT`, FIRST_SIMULATOR_PORT + i, 0, 65535)]),
    ) as Record<keyof ProviderConfigs, number>,
  };
}
