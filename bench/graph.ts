/**
 * A small, bounded benchmark of the unified graph: starts botgraph in-process with its three
 * embedded simulators (activity off, loopback only), runs a fixed set of queries N times
 * sequentially and then N times with concurrency 10 over keep-alive HTTP (undici), and prints
 * p50/p95 latency and the upstream calls each query costs (read from the simulators' /__sim/stats).
 *
 *   npx tsx bench/graph.ts            # N = 40 per query and mode
 *   npx tsx bench/graph.ts 100        # N = 100 (at most 500)
 *   BENCH_MAX_SECONDS=30 npx tsx bench/graph.ts
 *
 * Every run is bounded: N ≤ 500, each query/mode stops early after BENCH_MAX_SECONDS / (queries × 2)
 * seconds, each request times out after 10 s, and the whole process exits after BENCH_MAX_SECONDS + 30 s.
 * The simulators run in the same process (and event loop) as botgraph, so latencies include their work.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startBotgraph, type Botgraph } from '../src/server.js';

const N = Math.min(500, Math.max(1, Number(process.argv[2] ?? process.env.BENCH_N ?? 40) || 40));
const CONCURRENCY = 10;
const MAX_SECONDS = Math.min(600, Math.max(5, Number(process.env.BENCH_MAX_SECONDS ?? 120) || 120));
const PROVIDERS = ['CLOSER', 'BOTONE', 'CXONE'] as const;

interface BenchQuery {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
}

/** IDs and a cursor some queries need, taken once before measuring. */
const fixtures = { cursor: '', cxoneId: '', mixedIds: [] as string[] };

const QUERIES: BenchQuery[] = [
  {
    name: 'acceptance (30, bot, endUser, 5 msgs)',
    query: `{ conversations(first: 30) { totalCount nodes { provider title status bot { name } endUser { name } messages(first: 5) { nodes { sender text } } } } }`,
  },
  { name: 'merged page 1 (100 ids)', query: `{ conversations(first: 100) { pageInfo { endCursor } nodes { id updatedAt } } }` },
  {
    name: 'merged page 2 (100 ids, after)',
    query: `query($a: String) { conversations(first: 100, after: $a) { nodes { id updatedAt } } }`,
    variables: () => ({ a: fixtures.cursor }),
  },
  { name: 'CLOSER 50 + bots', query: `{ conversations(first: 50, filter: { providers: [CLOSER] }) { nodes { id bot { name } } } }` },
  {
    name: 'Bot.one 10 + messages',
    query: `{ conversations(first: 10, filter: { providers: [BOTONE] }) { nodes { id messages(first: 5) { nodes { text } } } } }`,
  },
  {
    name: 'CXone 20 + tracker events',
    query: `{ conversations(first: 20, filter: { providers: [CXONE] }) { nodes { id trackerEvents { type } messages(first: 5) { nodes { text } } } } }`,
  },
  { name: 'WITH_OPERATOR (50)', query: `{ conversations(first: 50, filter: { statuses: [WITH_OPERATOR] }) { nodes { id status } } }` },
  {
    name: 'node(id) CXone conversation',
    query: `query($id: ID!) { node(id: $id) { id ... on Conversation { title } } }`,
    variables: () => ({ id: fixtures.cxoneId }),
  },
  {
    name: 'nodes(9 ids, 3 providers)',
    query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { title } } }`,
    variables: () => ({ ids: fixtures.mixedIds }),
  },
  { name: 'providers { healthy }', query: `{ providers { provider healthy } }` },
];

const agent = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 10_000 });

async function post(url: string, q: BenchQuery): Promise<any> {
  const res = await request(`${url}/graphql`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: q.query, variables: q.variables?.() }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = (await res.body.json()) as { data?: any; errors?: unknown[] };
  if (res.statusCode !== 200 || body.errors) throw new Error(`${q.name}: HTTP ${res.statusCode} ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function simStats(app: Botgraph, reset = false): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of PROVIDERS) {
    const sim = app.registry.simulators[p];
    if (!sim) continue;
    const res = await request(`${sim.url}/__sim/stats`, {
      method: reset ? 'DELETE' : 'GET',
      headers: app.registry.simulatorAdminHeaders,
      dispatcher: agent,
    });
    if (reset) {
      await res.body.dump();
      continue;
    }
    const body = (await res.body.json()) as { total?: number };
    out[p] = body.total ?? 0;
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface PhaseResult {
  runs: number;
  p50: number;
  p95: number;
  rps: number;
  /** Upstream calls per run, per simulator. */
  calls: Record<string, number>;
}

async function phase(app: Botgraph, q: BenchQuery, concurrency: number, budgetMs: number): Promise<PhaseResult> {
  await simStats(app, true);
  const latencies: number[] = [];
  const deadline = performance.now() + budgetMs;
  let started = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (started < N && performance.now() < deadline) {
      started += 1;
      const t = performance.now();
      await post(app.url.replace('localhost', '127.0.0.1'), q);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const totals = await simStats(app);
  latencies.sort((a, b) => a - b);
  const calls = Object.fromEntries(Object.entries(totals).map(([p, n]) => [p, n / latencies.length]));
  return { runs: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), rps: (latencies.length / elapsed) * 1000, calls };
}

const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : x.toFixed(0));
const perRun = (x: number | undefined) => (x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(2));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const hardStop = setTimeout(
    () => {
      console.error(`bench: stopped after ${MAX_SECONDS + 30} s`);
      process.exit(2);
    },
    (MAX_SECONDS + 30) * 1000,
  );
  hardStop.unref();

  // Only these variables: no vendor URL from the environment can turn this into a remote benchmark.
  // The per-principal rate limit is off: the bench is one anonymous client measuring the graph, and
  // its concurrent rows run past 100 operations per second.
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SIMULATOR_ACTIVITY: 'false',
    LOG_LEVEL: 'silent',
    CACHE_TTL_MS: '0',
    RATE_LIMIT_OPS_PER_SECOND: '0',
  });
  const app = await startBotgraph(config, { logger: createLogger('silent') });
  try {
    const url = app.url.replace('localhost', '127.0.0.1');
    const first = await post(url, QUERIES[1]!);
    fixtures.cursor = first.conversations.pageInfo.endCursor;
    const byProvider = async (p: string, n: number) =>
      (
        await post(url, { name: 'fixture', query: `{ conversations(first: ${n}, filter: { providers: [${p}] }) { nodes { id } } }` })
      ).conversations.nodes.map((c: { id: string }) => c.id);
    fixtures.cxoneId = (await byProvider('CXONE', 5))[4];
    fixtures.mixedIds = [...(await byProvider('CLOSER', 3)), ...(await byProvider('BOTONE', 3)), ...(await byProvider('CXONE', 3))];
    // Warm up: JIT, keep-alive connections, each query once.
    for (const q of QUERIES) await post(url, q);

    const budgetMs = (MAX_SECONDS * 1000) / (QUERIES.length * 2);
    const header = [
      'query',
      'seq p50 ms',
      'seq p95 ms',
      `c${CONCURRENCY} p50 ms`,
      `c${CONCURRENCY} p95 ms`,
      `c${CONCURRENCY} req/s`,
      'CLOSER calls',
      'BOTONE calls',
      'CXONE calls',
    ];
    const rows: string[][] = [header];
    for (const q of QUERIES) {
      const seq = await phase(app, q, 1, budgetMs);
      const conc = await phase(app, q, CONCURRENCY, budgetMs);
      rows.push([q.name, ms(seq.p50), ms(seq.p95), ms(conc.p50), ms(conc.p95), conc.rps.toFixed(0), ...PROVIDERS.map((p) => perRun(seq.calls[p]))]);
      process.stderr.write(`  ${q.name}: ${seq.runs} sequential, ${conc.runs} concurrent runs\n`);
    }
    console.log(
      `\nbotgraph bench — N = ${N} per query and mode, concurrency ${CONCURRENCY}, node ${process.version}, embedded simulators (activity off)`,
    );
    console.log('Upstream calls are per run, averaged over the sequential runs (CXone reuses its cached export pages across requests).\n');
    console.log(table(rows));
  } finally {
    await app.close();
    await agent.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
