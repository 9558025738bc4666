import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { ProviderName } from '../../src/models.js';
import { startBotgraph, type Botgraph } from '../../src/server.js';
import type { SimulatorHandle } from '../../src/simulators/common/options.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  extensions?: Record<string, any>;
}

export interface TestBotgraph {
  app: Botgraph;
  url: string;
  /** POSTs an operation to /graphql with fetch and returns the parsed body. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  sim(provider: ProviderName): SimulatorHandle;
  /** Resets every simulator's request counters. */
  resetStats(): Promise<void>;
  /** Reads one simulator's counters over HTTP, as any client would. */
  stats(provider: ProviderName): Promise<{ total: number; routes: Record<string, number> }>;
  close(): Promise<void>;
}

/**
 * Starts a real botgraph on a free port with its embedded simulators (no live activity unless the
 * env says so), and registers its shutdown with the test file's afterAll.
 */
export async function startTestBotgraph(env: Record<string, string> = {}): Promise<TestBotgraph> {
  // The circuit breaker only opens after 1000 calls in its window here: tests that inject faults
  // count exact upstream calls and must not see it. test/integration/ops/ tests it with its own settings.
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SIMULATOR_ACTIVITY: 'false',
    UPSTREAM_TIMEOUT_MS: '2000',
    UPSTREAM_TOTAL_BUDGET_MS: '4000',
    BREAKER_MIN_CALLS: '1000',
    // The entity cache is off in tests, so that every exact upstream-call count holds; the cache's
    // own tests (test/integration/datasources/entity-cache.test.ts) turn it on.
    CACHE_TTL_MS: '0',
    // Compiled queries from the first execution (src/http/compiled.ts), so that every integration
    // test checks them; ws-http-parity.test.ts compares them with graphql-js's answers.
    GRAPHQL_COMPILE_AFTER: '0',
    ...env,
  });
  const app = await startBotgraph(config, { logger: createLogger(env.LOG_LEVEL ?? 'silent') });
  const url = `http://127.0.0.1:${app.port}`;
  const handle: TestBotgraph = {
    app,
    url,
    async gql(query, variables) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    sim(provider) {
      const sim = app.registry.simulators[provider];
      if (!sim) throw new Error(`${provider} has no embedded simulator`);
      return sim;
    },
    async resetStats() {
      await Promise.all(
        Object.values(app.registry.simulators).map((s) =>
          fetch(`${s.url}/__sim/stats`, { method: 'DELETE', headers: app.registry.simulatorAdminHeaders }),
        ),
      );
    },
    async stats(provider) {
      const res = await fetch(`${handle.sim(provider).url}/__sim/stats`, { headers: app.registry.simulatorAdminHeaders });
      return (await res.json()) as { total: number; routes: Record<string, number> };
    },
    close: () => app.close(),
  };
  afterAll(() => handle.close());
  return handle;
}

const ALL_PROVIDERS = ['CLOSER', 'BOTONE', 'CXONE'] as const;
export type CallCounts = Record<(typeof ALL_PROVIDERS)[number] | 'total', number>;

/** The upstream calls `run` caused, per embedded simulator and in all, counted at `/__sim/stats`. */
export async function upstreamCallsOf(bg: TestBotgraph, run: () => Promise<unknown>): Promise<CallCounts> {
  await bg.resetStats();
  await run();
  const totals = await Promise.all(ALL_PROVIDERS.map(async (p) => [p, (await bg.stats(p)).total] as const));
  return { ...(Object.fromEntries(totals) as Record<(typeof ALL_PROVIDERS)[number], number>), total: totals.reduce((sum, [, n]) => sum + n, 0) };
}
