/**
 * One vendor failing must not take the merged list down: for each provider and each kind of
 * failure, `conversations` still answers with the other providers' data, plus exactly one error for
 * the failed provider (`extensions { code, provider, retryable }` and a `path`), and nothing in it
 * leaks a credential, a URL with its query string or a stack trace. Clearing the fault makes the
 * same query whole again. A wrong credential at a remote vendor is PROVIDER_AUTH_FAILED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { FaultConfig } from '../../../src/simulators/common/faults.js';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { expectSafeErrors, PROVIDERS, type Provider } from './support.js';

const QUERY = `{ conversations(first: 30) { totalCount nodes { id provider title status bot { name } messages(first: 2) { nodes { text } } } } }`;

/**
 * `hang` runs against a botgraph with shorter upstream limits (1.5 s an attempt, 3 s in all), so that
 * a hang ends soon; still long enough that healthy calls on a loaded machine never time out. Every
 * other failure runs against one with the usual test limits: with a tight timeout, a slow 503 (or
 * its retries) on a loaded machine would become PROVIDER_TIMEOUT and test the wrong thing.
 */
const FAILURES: Array<{ name: string; fault: FaultConfig; code: string; retryable: boolean; hang?: true }> = [
  { name: '503', fault: { errorRate: 1, errorStatus: 503 }, code: 'PROVIDER_UNAVAILABLE', retryable: true },
  { name: 'a hang', fault: { hangRate: 1 }, code: 'PROVIDER_TIMEOUT', retryable: true, hang: true },
  { name: 'malformed JSON', fault: { malformedRate: 1 }, code: 'PROVIDER_BAD_RESPONSE', retryable: false },
  { name: '429', fault: { rateLimitRate: 1, retryAfterSeconds: 0 }, code: 'PROVIDER_RATE_LIMITED', retryable: true },
];

let bg: TestBotgraph;
let hangBg: TestBotgraph;
let simUrls: string[];
beforeAll(async () => {
  bg = await startTestBotgraph();
  hangBg = await startTestBotgraph({ UPSTREAM_TIMEOUT_MS: '1500', UPSTREAM_TOTAL_BUDGET_MS: '3000' });
  simUrls = [...PROVIDERS.map((p) => bg.sim(p).url), ...PROVIDERS.map((p) => hangBg.sim(p).url)];
});

function providersOf(res: { data?: any }): Set<string> {
  return new Set(res.data.conversations.nodes.map((n: { provider: string }) => n.provider));
}

describe.each(PROVIDERS)('%s failing', (provider: Provider) => {
  const others = PROVIDERS.filter((p) => p !== provider);

  it.each(FAILURES)('$name → the others’ data and one $code error, then whole again', async ({ fault, code, retryable, hang }) => {
    const app = hang ? hangBg : bg;
    app.sim(provider).faults.set(fault);
    let res;
    const started = Date.now();
    try {
      res = await app.gql(QUERY);
    } finally {
      app.sim(provider).faults.clear();
    }
    // A hang ends within the upstream budget (3 s) plus botgraph's own work.
    if (hang) expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.data?.conversations.nodes.length).toBe(30);
    expect(providersOf(res)).toEqual(new Set(others));
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors!;
    expect(error!.path).toEqual(['conversations']);
    expect(error!.extensions).toEqual({ code, provider, retryable });
    expect(error!.message).toContain(provider);
    expectSafeErrors(res.errors, simUrls);
    // The total counts what answered.
    expect(res.data.conversations.totalCount).toBeGreaterThan(700);

    const again = await app.gql(QUERY);
    expect(again.errors).toBeUndefined();
    expect(providersOf(again)).toEqual(new Set(PROVIDERS));
    expect(again.data.conversations.totalCount).toBeGreaterThan(res.data.conversations.totalCount);
  });
});

describe('two providers failing at once', () => {
  it('answers with the third, and one error per failed provider', async () => {
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 500 });
    bg.sim('CXONE').faults.set({ malformedRate: 1 });
    let res;
    try {
      res = await bg.gql(QUERY);
    } finally {
      bg.sim('CLOSER').faults.clear();
      bg.sim('CXONE').faults.clear();
    }
    expect(providersOf(res)).toEqual(new Set(['BOTONE']));
    expect(res.errors?.map((e) => [e.extensions?.provider, e.extensions?.code]).sort()).toEqual([
      ['CLOSER', 'PROVIDER_UNAVAILABLE'],
      ['CXONE', 'PROVIDER_BAD_RESPONSE'],
    ]);
    expectSafeErrors(res.errors, simUrls);
  });
});

describe('wrong credentials at a remote vendor', () => {
  let sim: CloserSimulator;
  let remote: TestBotgraph;
  const WRONG_KEY = 'wrong-closer-key-7f3a9';

  beforeAll(async () => {
    sim = await startCloserSimulator({ port: 0, host: '127.0.0.1' });
    remote = await startTestBotgraph({
      CLOSER_BASE_URL: sim.url,
      CLOSER_API_KEY: WRONG_KEY,
      CLOSER_WEBHOOK_SECRET: 'test-webhook-secret',
      BOTGRAPH_AUTH: 'off',
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('is one PROVIDER_AUTH_FAILED partial error beside the other providers’ data', async () => {
    const res = await remote.gql(QUERY);
    expect(providersOf(res)).toEqual(new Set(['BOTONE', 'CXONE']));
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['conversations']);
    expect(res.errors![0]!.extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'CLOSER', retryable: false });
    expectSafeErrors(res.errors, [WRONG_KEY, sim.url, sim.apiKey]);
    // The vendor was really asked (and said 401), once: a 401 is not retried. A list's first CLOSER
    // call is its bot list (one stream per bot, docs/providers/closer.md), so no list was read.
    expect(sim.stats.count('GET /openapi/bot')).toBe(1);
    expect(sim.stats.count('GET /openapi/bot/:botId/conversation')).toBe(0);
  });

  it('shows CLOSER as REMOTE and unhealthy, the simulated ones as healthy', async () => {
    const res = await remote.gql(`{ providers { provider mode healthy } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.providers).toEqual([
      { provider: 'CLOSER', mode: 'REMOTE', healthy: false },
      { provider: 'BOTONE', mode: 'SIMULATOR', healthy: true },
      { provider: 'CXONE', mode: 'SIMULATOR', healthy: true },
    ]);
  });
});
