/**
 * A bounded benchmark of analytics: a typical dashboard, the last 7 days by day × status ×
 * provider (counts, completion and handoff rates, durations), cold (a fresh botgraph: nothing
 * aggregated yet), warm (the same query again at once), and warm after the open day's copy
 * expired (STATS_OPEN_TTL_MS=0: today is read again, the 6 closed days are not). The reference,
 * in the same run, is what a dashboard does without `conversationStats`: page through
 * `conversations(first: 100)` over the same window and count on the client.
 *
 *   npx tsx bench/stats.ts        # R = 5 rounds (a fresh botgraph each)
 *   npx tsx bench/stats.ts 10     # R = 10 (at most 20)
 *
 * Bounded: R ≤ 20, each request times out after 30 s, the process exits after 240 s whatever happens.
 * Simulators run in-process (activity off, loopback only), as in bench/graph.ts.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startBotgraph, type Botgraph } from '../src/server.js';

const R = Math.min(20, Math.max(1, Number(process.argv[2] ?? process.env.BENCH_N ?? 5) || 5));
const PROVIDERS = ['CLOSER', 'BOTONE', 'CXONE'] as const;
const DAY = 86_400_000;

setTimeout(() => {
  console.error('bench/stats.ts: 240 s limit reached');
  process.exit(2);
}, 240_000).unref();

const DASHBOARD = `query($f: ConversationFilter) {
  conversationStats(filter: $f, groupBy: [PROVIDER, STATUS], bucket: DAY) {
    total exact upstreamCalls
    groups { key { bucketStart provider status } count exact completionRate handoffRate duration { mean p50 p90 } }
  } }`;
const PAGE = `query($f: ConversationFilter, $a: String) {
  conversations(first: 100, after: $a, filter: $f) { pageInfo { hasNextPage endCursor } nodes { provider status createdAt durationSeconds handoff } } }`;

async function gql(app: Botgraph, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${app.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function upstream(app: Botgraph, reset = false): Promise<number> {
  let total = 0;
  for (const p of PROVIDERS) {
    const sim = app.registry.simulators[p];
    if (!sim) continue;
    const res = await fetch(`${sim.url}/__sim/stats`, { method: reset ? 'DELETE' : 'GET', headers: app.registry.simulatorAdminHeaders });
    if (!reset) total += ((await res.json()) as { total: number }).total;
  }
  return total;
}

async function timed(app: Botgraph, run: () => Promise<unknown>): Promise<{ ms: number; calls: number }> {
  await upstream(app, true);
  const t = performance.now();
  await run();
  const ms = performance.now() - t;
  return { ms, calls: await upstream(app) };
}

async function start(env: Record<string, string> = {}): Promise<Botgraph> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SIMULATOR_ACTIVITY: 'false', CACHE_TTL_MS: '0', ...env });
  return startBotgraph(config, { logger: createLogger('silent') });
}

const rows: Record<string, Array<{ ms: number; calls: number }>> = { reference: [], cold: [], warm: [], 'warm, open day expired': [] };
const filter = () => ({ createdFrom: new Date(Math.floor(Date.now() / DAY) * DAY - 6 * DAY).toISOString() });

for (let round = 0; round < R; round++) {
  const app = await start();
  try {
    // The reference first, on its own botgraph state: it shares no aggregates with the stats query.
    rows.reference!.push(
      await timed(app, async () => {
        const f = filter();
        let after: string | null = null;
        const counts = new Map<string, number>();
        for (;;) {
          const page: any = await gql(app, PAGE, { f, a: after });
          for (const n of page.conversations.nodes) {
            const key = `${n.createdAt?.slice(0, 10)}|${n.provider}|${n.status}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          if (!page.conversations.pageInfo.hasNextPage) break;
          after = page.conversations.pageInfo.endCursor;
        }
        return counts;
      }),
    );
    rows.cold!.push(await timed(app, () => gql(app, DASHBOARD, { f: filter() })));
    rows.warm!.push(await timed(app, () => gql(app, DASHBOARD, { f: filter() })));
  } finally {
    await app.close();
  }
  const expiring = await start({ STATS_OPEN_TTL_MS: '0' });
  try {
    await gql(expiring, DASHBOARD, { f: filter() });
    rows['warm, open day expired']!.push(await timed(expiring, () => gql(expiring, DASHBOARD, { f: filter() })));
  } finally {
    await expiring.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const ref = median(rows.reference!.map((r) => r.ms));
console.log(`R = ${R} rounds, Node ${process.version}`);
console.log('| run | p50 ms | vs reference | upstream calls |');
console.log('|:--|--:|--:|--:|');
for (const [name, list] of Object.entries(rows)) {
  const ms = median(list.map((r) => r.ms));
  console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / ref).toFixed(2)}× | ${median(list.map((r) => r.calls))} |`);
}
process.exit(0);
