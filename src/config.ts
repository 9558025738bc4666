import { readFileSync } from 'node:fs';
import { KeyParseError, parseApiKeys, parseApiKeysFile, type ApiKeyEntry } from './auth/keys.js';
import { DEFAULT_CURSOR_TTL_MS } from './pagination/cursors.js';
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
   * Executions of an operation of a document by graphql-js before it runs as a compiled query
   * (`GRAPHQL_COMPILE_AFTER`, 0 to compile on first sight, `off` never; why not on first sight:
   * src/http/compiled.ts). Nothing is compiled while tracing is on. @default 10
   */
  compileAfter: 10 as number | null,
  /**
   * What an open circuit makes `/readyz` say (`READYZ_OPEN_CIRCUIT`): `unready` (503) or `degraded`
   * (200, for a deployment that prefers serving the other providers). @default 'unready'
   */
  readyzOpenCircuit: 'unready' as 'unready' | 'degraded',
};
export type OpsConfig = typeof OPS_DEFAULTS;

export interface JwtConfig {
  /** Where the identity provider publishes its signing keys (JWKS); cached, refetched on an unknown `kid`. */
  jwksUrl: string;
  /** Required `iss`. @default none (not checked) */
  issuer: string | null;
  /** Required `aud`. @default none (not checked) */
  audience: string | null;
  /** The claim holding the role (viewer, operator, admin). @default 'botgraph_role' */
  roleClaim: string;
  /** The claim holding the scope (a list of PROVIDER or PROVIDER:botId). @default 'botgraph_scope' */
  scopeClaim: string;
  /** Least time between two refetches of the key set for an unknown `kid` (rotation). `AUTH_JWKS_COOLDOWN_MS`. @default 30000 */
  jwksCooldownMs: number;
  /** Age after which the cached key set is refetched, so a removed key stops working. `AUTH_JWKS_CACHE_MAX_AGE_MS`. @default 600000 */
  jwksCacheMaxAgeMs: number;
}

export interface AuthConfig {
  /** `required` when a key or a JWKS is configured; `open` in the demo or with BOTGRAPH_AUTH=off. */
  mode: 'required' | 'open';
  /** Why auth is open (for the one warning line at start): every provider simulated, or BOTGRAPH_AUTH=off. */
  openReason: 'demo' | 'off' | null;
  /** From BOTGRAPH_API_KEYS and BOTGRAPH_API_KEYS_FILE. @default none */
  apiKeys: ApiKeyEntry[];
  /** From AUTH_JWKS_URL and friends. @default none */
  jwt: JwtConfig | null;
}

const LIMITS_DEFAULTS = {
  /** Deepest selection (leaf fields count; introspection does not). `MAX_DEPTH`. @default 13 */
  maxDepth: 13,
  /** Aliases per operation. `MAX_ALIASES`. @default 30 */
  maxAliases: 30,
  /** Tokens per document (graphql's parser stops at the limit). `MAX_TOKENS`. @default 5000 */
  maxTokens: 5_000,
  /** Directives per operation. `MAX_DIRECTIVES`. @default 20 */
  maxDirectives: 20,
  /** Estimated upstream cost per operation (src/limits/cost.ts). `MAX_COST`. @default 20000 */
  maxCost: 20_000,
  /** Size of an operation's variables as JSON, in bytes. `MAX_VARIABLES_BYTES`. @default 65536 */
  maxVariablesBytes: 65_536,
  /** Operations per second and principal; 0 turns the limit off. `RATE_LIMIT_OPS_PER_SECOND`. @default 100 */
  opsPerSecond: 100,
  /**
   * Operations a principal may run beyond its per-second budget, per burst window (the token-bucket
   * allowance; 0: none). `RATE_LIMIT_BURST`. @default 100
   */
  rateBurst: 100,
  /** The window the burst allowance refills over, in seconds. `RATE_LIMIT_BURST_WINDOW_SECONDS`. @default 10 */
  rateBurstWindowSeconds: 10,
  /** Distinct live topics one principal may keep polled at once (per replica). `LIVE_TOPICS_PER_PRINCIPAL`. @default 50 */
  liveTopicsPerPrincipal: 50,
};
export type LimitsConfig = typeof LIMITS_DEFAULTS;

export interface SecurityConfig {
  /** `NODE_ENV=production`: no suggestions, introspection and GraphiQL only for admins. @default false */
  production: boolean;
  /** `GRAPHQL_INTROSPECTION`: introspection (and GraphiQL) for everyone. @default true outside production, false in it */
  introspection: boolean;
  /** `CORS_ORIGINS`: browser origins allowed on HTTP and on the WebSocket upgrade; `*` any. @default none */
  corsOrigins: string[];
  /** `PERSISTED_OPERATIONS_FILE`: hash → document, as codegen's client preset or Apollo's manifest writes. @default none */
  persistedOperationsFile: string | null;
  /** `PERSISTED_OPERATIONS_ONLY`: refuse documents not in the file, except for admins. @default false */
  persistedOperationsOnly: boolean;
}
/** The shared entity cache (src/datasources/cache.ts, README "Caching" under "Scale-out with Redis"). */
const CACHE_DEFAULTS = {
  /**
   * How long a vendor read is kept and served to later requests, in ms (`CACHE_TTL_MS`); 0 turns
   * the cache off. Writes, webhooks and polled changes drop what they touch at once, so this bounds
   * only changes botgraph cannot see. The test helpers start botgraph with 0, so that their exact
   * upstream-call counts hold; the cache's own tests turn it on. @default 2000
   */
  ttlMs: 2_000,
  /**
   * The most whole query responses kept per process (`RESPONSE_CACHE_ENTRIES`): a repeated query
   * by the same principal, with nothing invalidated since and within the TTL, is answered without
   * executing (src/http/responseCache.ts). 0 keeps only the entity cache; `CACHE_TTL_MS=0` turns
   * both off. @default 1000
   */
  responseEntries: 1_000,
};
export type CacheConfig = typeof CACHE_DEFAULTS;

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
  /**
   * How long a conversation-list cursor stays usable (`CURSOR_TTL_MS`): its position is kept
   * server-side (memory, or Redis with REDIS_URL) and the cursor is a short token.
   * @default 3600000 (DEFAULT_CURSOR_TTL_MS)
   */
  cursorTtlMs: number;
  stats: StatsConfig;
  cache: CacheConfig;
  ops: OpsConfig;
  auth: AuthConfig;
  limits: LimitsConfig;
  security: SecurityConfig;
}

export function loadConfig(env: Env = process.env): Config {
  const known = ADAPTERS.map((a) => a.slug);
  const providersRaw = str(env, 'BOTGRAPH_PROVIDERS') ?? known.join(',');
  const providers: ProviderName[] = [];
  for (const slug of providersRaw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const adapter = adapterBySlug(slug);
    if (!adapter) throw new ConfigError('BOTGRAPH_PROVIDERS', `unknown provider "${slug}" (known: ${known.join(', ')})`);
    if (!providers.includes(adapter.name)) providers.push(adapter.name);
  }
  // Every section is parsed, enabled or not: a bad variable fails at start either way.
  const sections = Object.fromEntries(ADAPTERS.map((a) => [a.slug, a.config.parse(env)])) as ProviderConfigs;
  // The enabled providers that talk to a real vendor: with any, auth is required (authConfig).
  const remote = ADAPTERS.filter((a) => providers.includes(a.name) && (sections[a.slug] as { baseUrl?: string | null }).baseUrl).map(
    (a) => `${a.name}_BASE_URL`,
  );

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
    cursorTtlMs: int(env, 'CURSOR_TTL_MS', DEFAULT_CURSOR_TTL_MS, 1_000, 7 * 86_400_000),
    stats: {
      maxCalls: int(env, 'STATS_MAX_CALLS', STATS_DEFAULTS.maxCalls, 1, 100_000),
      openTtlMs: int(env, 'STATS_OPEN_TTL_MS', STATS_DEFAULTS.openTtlMs, 0, 86_400_000),
      maxDetailReads: int(env, 'STATS_MAX_DETAIL_READS', STATS_DEFAULTS.maxDetailReads, 0, 100_000),
    },
    cache: {
      ttlMs: int(env, 'CACHE_TTL_MS', CACHE_DEFAULTS.ttlMs, 0, 3_600_000),
      responseEntries: int(env, 'RESPONSE_CACHE_ENTRIES', CACHE_DEFAULTS.responseEntries, 0, 100_000),
    },
    ops: opsSection(env),
    auth: authConfig(env, remote),
    limits: {
      maxDepth: int(env, 'MAX_DEPTH', LIMITS_DEFAULTS.maxDepth, 1, 1000),
      maxAliases: int(env, 'MAX_ALIASES', LIMITS_DEFAULTS.maxAliases, 0, 10_000),
      maxTokens: int(env, 'MAX_TOKENS', LIMITS_DEFAULTS.maxTokens, 10, 1_000_000),
      maxDirectives: int(env, 'MAX_DIRECTIVES', LIMITS_DEFAULTS.maxDirectives, 0, 10_000),
      maxCost: int(env, 'MAX_COST', LIMITS_DEFAULTS.maxCost, 1, 1_000_000_000),
      maxVariablesBytes: int(env, 'MAX_VARIABLES_BYTES', LIMITS_DEFAULTS.maxVariablesBytes, 2, 1_048_576),
      opsPerSecond: int(env, 'RATE_LIMIT_OPS_PER_SECOND', LIMITS_DEFAULTS.opsPerSecond, 0, 1_000_000),
      rateBurst: int(env, 'RATE_LIMIT_BURST', LIMITS_DEFAULTS.rateBurst, 0, 10_000_000),
      rateBurstWindowSeconds: int(env, 'RATE_LIMIT_BURST_WINDOW_SECONDS', LIMITS_DEFAULTS.rateBurstWindowSeconds, 1, 86_400),
      liveTopicsPerPrincipal: int(env, 'LIVE_TOPICS_PER_PRINCIPAL', LIMITS_DEFAULTS.liveTopicsPerPrincipal, 1, 100_000),
    },
    security: securityConfig(env),
  };
}

function securityConfig(env: Env): SecurityConfig {
  const production = str(env, 'NODE_ENV') === 'production';
  const origins = (str(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin (scheme://host[:port])`);
    }
    if (url.origin !== origin.replace(/\/$/, ''))
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin (scheme://host[:port], no path)`);
  }
  if (origins.includes('*') && origins.length > 1) throw new ConfigError('CORS_ORIGINS', '`*` cannot be combined with named origins');
  const persisted = str(env, 'PERSISTED_OPERATIONS_FILE') ?? null;
  const only = bool(env, 'PERSISTED_OPERATIONS_ONLY', false);
  if (only && persisted === null) throw new ConfigError('PERSISTED_OPERATIONS_ONLY', 'needs PERSISTED_OPERATIONS_FILE');
  return {
    production,
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', !production),
    corsOrigins: origins.map((o) => o.replace(/\/$/, '')),
    persistedOperationsFile: persisted,
    persistedOperationsOnly: only,
  };
}

function authConfig(env: Env, remoteVariables: string[]): AuthConfig {
  const switchRaw = (str(env, 'BOTGRAPH_AUTH') ?? '').toLowerCase();
  if (switchRaw !== '' && switchRaw !== 'on' && switchRaw !== 'off') throw new ConfigError('BOTGRAPH_AUTH', 'must be on or off');
  const apiKeys: ApiKeyEntry[] = [];
  const keysRaw = str(env, 'BOTGRAPH_API_KEYS');
  if (keysRaw !== undefined) {
    try {
      apiKeys.push(...parseApiKeys(keysRaw));
    } catch (error) {
      if (error instanceof KeyParseError) throw new ConfigError('BOTGRAPH_API_KEYS', error.message);
      throw error;
    }
  }
  const keysFile = str(env, 'BOTGRAPH_API_KEYS_FILE');
  if (keysFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keysFile, 'utf8');
    } catch {
      throw new ConfigError('BOTGRAPH_API_KEYS_FILE', `cannot read ${keysFile}`);
    }
    try {
      apiKeys.push(...parseApiKeysFile(text));
    } catch (error) {
      if (error instanceof KeyParseError) throw new ConfigError('BOTGRAPH_API_KEYS_FILE', error.message);
      throw error;
    }
  }
  const jwksUrl = str(env, 'AUTH_JWKS_URL');
  let jwt: JwtConfig | null = null;
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError('AUTH_JWKS_URL', 'not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('AUTH_JWKS_URL', 'must be https (or http)');
    jwt = {
      jwksUrl: url.toString(),
      issuer: str(env, 'AUTH_JWT_ISSUER') ?? null,
      audience: str(env, 'AUTH_JWT_AUDIENCE') ?? null,
      roleClaim: str(env, 'AUTH_JWT_ROLE_CLAIM') ?? 'botgraph_role',
      scopeClaim: str(env, 'AUTH_JWT_SCOPE_CLAIM') ?? 'botgraph_scope',
      jwksCooldownMs: int(env, 'AUTH_JWKS_COOLDOWN_MS', 30_000, 0, 86_400_000),
      jwksCacheMaxAgeMs: int(env, 'AUTH_JWKS_CACHE_MAX_AGE_MS', 600_000, 1_000, 86_400_000),
    };
  } else {
    for (const name of ['AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE']) {
      if (str(env, name) !== undefined) throw new ConfigError(name, 'needs AUTH_JWKS_URL');
    }
  }
  const configured = apiKeys.length > 0 || jwt !== null;
  if (switchRaw === 'off') return { mode: 'open', openReason: 'off', apiKeys: [], jwt: null };
  if (configured) return { mode: 'required', openReason: null, apiKeys, jwt };
  if (switchRaw === 'on')
    throw new ConfigError('BOTGRAPH_API_KEYS', 'BOTGRAPH_AUTH=on needs BOTGRAPH_API_KEYS, BOTGRAPH_API_KEYS_FILE or AUTH_JWKS_URL');
  if (remoteVariables.length > 0) {
    throw new ConfigError(
      'BOTGRAPH_API_KEYS',
      `is required (or BOTGRAPH_API_KEYS_FILE or AUTH_JWKS_URL) because ${remoteVariables.join(', ')} ${remoteVariables.length > 1 ? 'talk' : 'talks'} to a real vendor; set BOTGRAPH_AUTH=off to run open anyway`,
    );
  }
  return { mode: 'open', openReason: 'demo', apiKeys: [], jwt: null };
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
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT', 'must be http or https (OTLP over HTTP)');
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
    compileAfter: str(env, 'GRAPHQL_COMPILE_AFTER') === 'off' ? null : int(env, 'GRAPHQL_COMPILE_AFTER', d.compileAfter ?? 0, 0, 1_000_000),
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
  /** Sent as `x-botgraph-webhook-secret` with every webhook (botgraph's CLOSER_WEBHOOK_SECRET). @default none */
  closerWebhookSecret: string | null;
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
    closerWebhookSecret: str(env, 'SIMULATOR_CLOSER_WEBHOOK_SECRET') ?? null,
    ports: Object.fromEntries(
      ADAPTERS.map((a, i) => [a.slug, int(env, `SIMULATOR_${a.slug.toUpperCase()}_PORT`, FIRST_SIMULATOR_PORT + i, 0, 65535)]),
    ) as Record<keyof ProviderConfigs, number>,
  };
}
