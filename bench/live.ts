/**
 * A small, bounded benchmark of the live path (subscriptions): starts botgraph in-process with an
 * embedded CLOSER simulator (activity off, loopback only) and measures
 *
 *   1. fan-out latency: N subscribers (1, 50, 200, 500; ≤ 25 per socket) to `messageAdded` on one
 *      CLOSER conversation, M `sendMessage` mutations one after another; per delivered event, the
 *      time from the mutation's HTTP response (and from its request) to the subscriber's receipt,
 *      and the delivered count (must be N × M, no duplicates);
 *   2. upstream cost: simulator requests per poll interval for 1, 200 and 500 subscribers of one
 *      topic, and for 1, 10 and 50 distinct topics (one subscriber each), with a 100 ms poll;
 *   3. fan-out latency again with REDIS_URL (a private redis-server on a free port, never the
 *      machine's): two botgraph instances in this process share it and one CLOSER simulator;
 *      subscribers are split across both, mutations go to the first; with 500 subscribers, also the
 *      upstream cost across both instances (only the lease holder polls).
 *
 *   npx tsx bench/live.ts            # M = 20 mutations per row
 *   npx tsx bench/live.ts 50         # M = 50 (at most 100)
 *   BENCH_MAX_SECONDS=60 npx tsx bench/live.ts
 *
 * Bounded: M ≤ 100, N ≤ 500; each fan-out row stops sending once it used its share of
 * BENCH_MAX_SECONDS (default 90, at least 45), each event is waited for at most 5 s, each request times out after
 * 10 s, and the process exits at BENCH_MAX_SECONDS whatever happens (killing its redis-server).
 * Clients, botgraph and the simulator share one process and event loop: latencies include the
 * clients' own work (one WebSocket frame and JSON parse per subscriber per event).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startBotgraph, type Botgraph } from '../src/server.js';
import { startCloserSimulator, type CloserSimulator } from '../src/providers/closer/simulator/index.js';
import { freePort } from '../test/helpers/wait.js';

const M = Math.min(100, Math.max(1, Number(process.argv[2] ?? process.env.BENCH_M ?? 20) || 20));
const MAX_SECONDS = Math.min(600, Math.max(45, Number(process.env.BENCH_MAX_SECONDS ?? 90) || 90));
const FANOUT_N = [1, 50, 200, 500];
const SAME_TOPIC_N = [1, 200, 500];
const DISTINCT_K = [1, 10, 50];
/** The default WS_MAX_SUBSCRIPTIONS. */
const PER_SOCKET = 25;
/** How long one event may take to reach every subscriber before the row counts it as missing. */
const EVENT_TIMEOUT_MS = 5_000;
/** Phase 2: the poll interval (every pace) and the measuring window. */
const POLL_MS = 100;
const WINDOW_MS = 2_000;
/** Phases 1 and 3: short polls (250 ms), so that every message is also found by a poll within its row, and a failed dedupe would show as a duplicate. */
const FANOUT_ENV = { POLL_INTERVAL_MS: '250', POLL_FAST_INTERVAL_MS: '250', POLL_IDLE_INTERVAL_MS: '250', POLL_GRACE_MS: '200' };
const SUBSCRIPTION = `subscription($id: ID!) { messageAdded(conversationId: $id) { id text eventCursor } }`;
const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: { conversationId: $id, text: $text }) { message { id text } } }`;

const started = performance.now();
let phaseStart = 0;
const secondsLeft = () => MAX_SECONDS - (performance.now() - started) / 1000;
const agent = new Agent({ connections: 4, keepAliveTimeout: 10_000 });

// ---- cleanup: everything started is registered here, and undone in reverse order ----

const cleanups: Array<() => Promise<unknown>> = [];
let redisChild: ChildProcess | undefined;
let redisDir: string | undefined;
/** On any exit (the hard stop included), the redis-server and its directory go too. */
process.once('exit', () => {
  redisChild?.kill('SIGKILL');
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await Promise.race([fn().catch(() => {}), sleep(5_000)]);
}

// ---- helpers ----

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await request(`${url}/graphql`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = (await res.body.json()) as { data?: any; errors?: unknown[] };
  if (res.statusCode !== 200 || body.errors) throw new Error(`HTTP ${res.statusCode} ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The embedded simulator's admin token header (its `/__sim` routes need it), set once the app runs. */
let simHeaders: Readonly<Record<string, string>> = {};

async function simStats(simUrl: string, reset = false): Promise<{ total: number; routes: Record<string, number> }> {
  const res = await request(`${simUrl}/__sim/stats`, { method: reset ? 'DELETE' : 'GET', headers: simHeaders, dispatcher: agent });
  if (reset) {
    await res.body.dump();
    return { total: 0, routes: {} };
  }
  return (await res.body.json()) as { total: number; routes: Record<string, number> };
}

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const ms = (x: number) => (Number.isNaN(x) ? '—' : Math.abs(x) < 10 ? x.toFixed(1) : x.toFixed(0));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function startApp(env: Record<string, string>): Promise<Botgraph & { base: string }> {
  // Only these variables: no vendor URL or REDIS_URL from the environment can leak in.
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SIMULATOR_ACTIVITY: 'false',
    LOG_LEVEL: 'silent',
    BOTGRAPH_PROVIDERS: 'closer',
    CACHE_TTL_MS: '0',
    ...env,
  });
  const app = await startBotgraph(config, { logger: createLogger('silent') });
  cleanups.push(() => app.close());
  return Object.assign(app, { base: `http://127.0.0.1:${app.port}` });
}

/** Subscribers held by this instance's pollers on topics starting with `prefix` (live server-side). */
const subscribersOf = (app: Botgraph, prefix: string) =>
  app.live.pollers
    .snapshot()
    .filter((p) => p.topic.startsWith(prefix))
    .reduce((n, p) => n + p.subscribers, 0);
const pollsOf = (app: Botgraph, prefix: string) =>
  app.live.pollers
    .snapshot()
    .filter((p) => p.topic.startsWith(prefix))
    .reduce((n, p) => n + p.polls, 0);

async function closerConversations(app: Botgraph & { base: string }, n: number): Promise<Array<{ id: string; nativeId: string }>> {
  const data = await gql(
    app.base,
    `query($n: Int) { conversations(first: $n, filter: { providers: [CLOSER], statuses: [ACTIVE, COMPLETED] }) { nodes { id nativeId } } }`,
    { n },
  );
  return data.conversations.nodes;
}

/** A group of graphql-ws sockets on one instance, each holding at most PER_SOCKET subscriptions. */
class Sockets {
  private readonly clients: Client[] = [];
  private held = 0;
  errors: unknown[] = [];

  constructor(private readonly app: Botgraph) {}

  subscribe(conversationId: string, onEvent: (msg: { id: string; text: string }) => void): void {
    if (this.held % PER_SOCKET === 0) {
      this.clients.push(createClient({ url: `ws://127.0.0.1:${this.app.port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true }));
    }
    this.held++;
    this.clients.at(-1)!.subscribe<{ messageAdded: { id: string; text: string } }>(
      { query: SUBSCRIPTION, variables: { id: conversationId } },
      {
        next: (result) => {
          if (result.data) onEvent(result.data.messageAdded);
          else this.errors.push(result.errors);
        },
        error: (error) => this.errors.push(error),
        complete: () => {},
      },
    );
  }

  get sockets(): number {
    return this.clients.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map(async (c) => c.dispose()));
    this.held = 0;
  }
}

// ---- 1 and 3: fan-out latency ----

interface FanoutRow {
  n: number;
  sockets: number;
  sent: number;
  delivered: number;
  duplicates: number;
  /** ms from the mutation's response to each receipt, all events and subscribers. */
  fromResponse: number[];
  /** ms from the mutation's request to each receipt. */
  fromRequest: number[];
  /** fromResponse of the subscribers on the instance that took the mutation, and on the other one. */
  local: number[];
  remote: number[];
  /** ms from request to response of each mutation. */
  mutation: number[];
  /** Per event, ms from its first receipt to its last (the fan-out's own spread). */
  spread: number[];
}

/**
 * N subscribers to one conversation, spread round-robin over `apps` (subscriber i on apps[i % len],
 * except a single subscriber goes to the last app), then M mutations to apps[0], one at a time:
 * each waits until every subscriber got the previous event (or EVENT_TIMEOUT_MS).
 */
async function fanout(
  apps: Array<Botgraph & { base: string }>,
  conversation: { id: string; nativeId: string },
  n: number,
  budgetMs: number,
  /** Runs after the mutations, while every subscriber is still connected. */
  whileHeld?: () => Promise<void>,
): Promise<FanoutRow> {
  const deadline = performance.now() + budgetMs;
  const topic = `msg:CLOSER:${conversation.nativeId}`;
  const groups = apps.map((app) => new Sockets(app));
  const row: FanoutRow = {
    n,
    sockets: 0,
    sent: 0,
    delivered: 0,
    duplicates: 0,
    fromResponse: [],
    fromRequest: [],
    remote: [],
    local: [],
    mutation: [],
    spread: [],
  };
  /** text → receipt time (performance.now()) per subscriber; texts are unique per mutation. */
  const receipts = Array.from({ length: n }, () => new Map<string, number>());
  const onAppOf = (i: number) => (n === 1 ? apps.length - 1 : i % apps.length);
  const counts = new Map<string, number>();
  let strays = 0;
  try {
    for (let i = 0; i < n; i++) {
      const seen = receipts[i]!;
      groups[onAppOf(i)]!.subscribe(conversation.id, (msg) => {
        const t = performance.now();
        if (!msg.text.startsWith('bench ')) return void strays++;
        if (seen.has(msg.text)) return void row.duplicates++;
        seen.set(msg.text, t);
        counts.set(msg.text, (counts.get(msg.text) ?? 0) + 1);
      });
    }
    row.sockets = groups.reduce((s, g) => s + g.sockets, 0);
    await until(() => apps.reduce((s, app) => s + subscribersOf(app, topic), 0) >= n, `${n} subscribers on ${topic}`, 15_000);

    const sentAt: Array<{ text: string; t0: number; t1: number }> = [];
    for (let m = 0; m < M && performance.now() < deadline; m++) {
      const text = `bench ${n}-${m}-${Date.now()}`;
      const t0 = performance.now();
      const data = await gql(apps[0]!.base, SEND, { id: conversation.id, text });
      const t1 = performance.now();
      if (data.sendMessage.message?.text !== text) throw new Error(`sendMessage answered ${JSON.stringify(data.sendMessage)}`);
      sentAt.push({ text, t0, t1 });
      row.sent++;
      await until(() => (counts.get(text) ?? 0) >= n, `event ${m} at ${n} subscribers`, EVENT_TIMEOUT_MS).catch(() => {});
    }
    // Late duplicates (CLOSER's webhook batch, the next polls) would arrive within this.
    const polls = apps.reduce((s, app) => s + pollsOf(app, topic), 0);
    await until(() => apps.reduce((s, app) => s + pollsOf(app, topic), 0) >= polls + 2, 'two more polls', 3_000).catch(() => {});
    await sleep(150);
    await whileHeld?.();

    for (const { text, t0, t1 } of sentAt) {
      row.mutation.push(t1 - t0);
      let first = Infinity;
      let last = -Infinity;
      receipts.forEach((seen, i) => {
        const t = seen.get(text);
        if (t === undefined) return;
        row.delivered++;
        row.fromResponse.push(t - t1);
        row.fromRequest.push(t - t0);
        (onAppOf(i) === 0 ? row.local : row.remote).push(t - t1);
        first = Math.min(first, t);
        last = Math.max(last, t);
      });
      if (last >= first) row.spread.push(last - first);
    }
    const errors = groups.flatMap((g) => g.errors);
    if (errors.length > 0) process.stderr.write(`  N=${n}: ${errors.length} subscription error(s): ${JSON.stringify(errors[0])}\n`);
    if (strays > 0) process.stderr.write(`  N=${n}: ${strays} event(s) not sent by the bench\n`);
  } finally {
    await Promise.all(groups.map((g) => g.close()));
    // The next row starts with no poller: the grace period (200 ms) ends it.
    await until(() => apps.every((app) => app.live.pollers.snapshot().length === 0), 'pollers to stop', 5_000).catch(() => {});
  }
  for (const list of [row.fromResponse, row.fromRequest, row.remote, row.local, row.mutation, row.spread]) list.sort((a, b) => a - b);
  return row;
}

function fanoutTable(rows: FanoutRow[], split: boolean): string {
  const header = [
    'subscribers',
    'sockets',
    'events',
    'delivered',
    'expected',
    'dups',
    'mutation p50',
    'resp→recv p50',
    'p95',
    'max',
    'req→recv p50',
    'p95',
    'max',
    'spread p50',
    'spread max',
  ];
  if (split) header.push('resp→recv p50 on A', 'on B');
  const out = [header];
  for (const r of rows) {
    const cells = [
      String(r.n),
      String(r.sockets),
      String(r.sent),
      String(r.delivered),
      String(r.n * r.sent),
      String(r.duplicates),
      ms(percentile(r.mutation, 50)),
      ms(percentile(r.fromResponse, 50)),
      ms(percentile(r.fromResponse, 95)),
      ms(r.fromResponse.at(-1) ?? NaN),
      ms(percentile(r.fromRequest, 50)),
      ms(percentile(r.fromRequest, 95)),
      ms(r.fromRequest.at(-1) ?? NaN),
      ms(percentile(r.spread, 50)),
      ms(r.spread.at(-1) ?? NaN),
    ];
    if (split) cells.push(ms(percentile(r.local, 50)), ms(percentile(r.remote, 50)));
    out.push(cells);
  }
  return table(out);
}

// ---- 2: upstream cost per poll interval ----

interface CostRow {
  label: string;
  intervalMs: number;
  topics: number;
  subscribers: number;
  requests: number;
  polls: number;
  pollsByApp: number[];
  routes: string[];
}

/**
 * Simulator requests and polls over one window, both read right after a poll so that none
 * straddles the edges (as test/integration/subscriptions/polls.test.ts does).
 */
async function measureCost(apps: Botgraph[], simUrl: string): Promise<{ requests: number; polls: number; pollsByApp: number[]; routes: string[] }> {
  const polls = () => apps.map((app) => pollsOf(app, 'msg:'));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const settle = async () => {
    const p = sum(polls());
    await until(() => sum(polls()) > p, 'a poll', 3_000);
    await sleep(20);
  };
  await settle();
  await simStats(simUrl, true);
  const p0 = polls();
  await sleep(WINDOW_MS - 20);
  await settle();
  const pollsByApp = polls().map((p, i) => p - p0[i]!);
  const stats = await simStats(simUrl);
  const routes = Object.entries(stats.routes)
    .filter(([, k]) => k > 0)
    .map(([r]) => r);
  return { requests: stats.total, polls: sum(pollsByApp), pollsByApp, routes };
}

async function upstreamCost(): Promise<CostRow[]> {
  const app = await startApp({
    POLL_INTERVAL_MS: String(POLL_MS),
    POLL_FAST_INTERVAL_MS: String(POLL_MS),
    POLL_IDLE_INTERVAL_MS: String(POLL_MS),
    POLL_GRACE_MS: '200',
  });
  const simUrl = app.registry.simulators.CLOSER!.url;
  simHeaders = app.registry.simulatorAdminHeaders;
  const conversations = await closerConversations(app, Math.max(...DISTINCT_K) + 1);
  const rows: CostRow[] = [];

  // One topic, 1 → 200 → 500 subscribers (added to the same topic).
  const same = new Sockets(app);
  const target = conversations[0]!;
  let held = 0;
  try {
    for (const n of SAME_TOPIC_N) {
      for (; held < n; held++) same.subscribe(target.id, () => {});
      await until(() => subscribersOf(app, 'msg:') >= n, `${n} subscribers`, 15_000);
      const m = await measureCost([app], simUrl);
      rows.push({ label: `same topic, ${n} subscriber${n > 1 ? 's' : ''}`, intervalMs: POLL_MS, topics: 1, subscribers: n, ...m });
    }
  } finally {
    await same.close();
  }
  await until(() => app.live.pollers.snapshot().length === 0, 'pollers to stop', 5_000);

  // K distinct topics, one subscriber each (≤ 25 per socket).
  for (const k of DISTINCT_K) {
    const sockets = new Sockets(app);
    try {
      for (const c of conversations.slice(1, 1 + k)) sockets.subscribe(c.id, () => {});
      await until(() => app.live.pollers.snapshot().filter((p) => p.subscribers > 0).length >= k, `${k} topics`, 15_000);
      const m = await measureCost([app], simUrl);
      rows.push({ label: `${k} distinct topic${k > 1 ? 's' : ''}, 1 subscriber each`, intervalMs: POLL_MS, topics: k, subscribers: k, ...m });
    } finally {
      await sockets.close();
    }
    await until(() => app.live.pollers.snapshot().length === 0, 'pollers to stop', 5_000);
  }
  return rows;
}

function costTable(rows: CostRow[]): string {
  const out = [
    [
      'topics × subscribers',
      'interval ms',
      'requests',
      'polls',
      'polls by instance',
      'requests / interval',
      'requests / topic / interval',
      'requests / poll',
    ],
  ];
  for (const r of rows) {
    const intervals = WINDOW_MS / r.intervalMs;
    out.push([
      r.label,
      String(r.intervalMs),
      String(r.requests),
      String(r.polls),
      r.pollsByApp.join(' / '),
      (r.requests / intervals).toFixed(1),
      (r.requests / intervals / r.topics).toFixed(2),
      r.polls > 0 ? (r.requests / r.polls).toFixed(2) : '—',
    ]);
  }
  return table(out);
}

// ---- 3: Redis ----

/** A private redis-server on a free loopback port, no persistence; killed on any exit. */
async function startRedis(): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  redisChild = child;
  redisDir = dir;
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await Promise.race([probe.connect(), spawnError.then((e) => Promise.reject(e))]);
      if ((await probe.ping()) === 'PONG') return url;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('redis-server is not installed', { cause: error });
    } finally {
      probe.disconnect();
    }
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

async function redisFanout(phaseBudgetMs: number, costRows: CostRow[]): Promise<FanoutRow[]> {
  const redisUrl = await startRedis();
  const closer: CloserSimulator = await startCloserSimulator({ port: 0, host: '127.0.0.1', activity: false });
  cleanups.push(() => closer.close());
  const env = { ...FANOUT_ENV, REDIS_URL: redisUrl, CLOSER_BASE_URL: closer.url, CLOSER_API_KEY: closer.apiKey };
  const a = await startApp(env);
  const b = await startApp(env);
  // As in production: CLOSER's webhook points at one replica (here A).
  closer.setWebhook(`${a.base}/webhooks/closer`);
  const conversations = await closerConversations(a, FANOUT_N.length);
  await gql(a.base, SEND, { id: conversations[0]!.id, text: 'warm-up' }); // connections, Redis scripts
  const rows: FanoutRow[] = [];
  for (const [i, n] of FANOUT_N.entries()) {
    const share = (phaseBudgetMs - (performance.now() - phaseStart)) / (FANOUT_N.length - i);
    // With the most subscribers, also the upstream cost of their topic across both instances.
    const cost = async () => {
      const m = await measureCost([a, b], closer.url);
      const label = `same topic, ${n} subscribers on 2 instances (Redis)`;
      costRows.push({ label, intervalMs: Number(FANOUT_ENV.POLL_INTERVAL_MS), topics: 1, subscribers: n, ...m });
    };
    rows.push(await fanout([a, b], conversations[i]!, n, share, n === Math.max(...FANOUT_N) ? cost : undefined));
    process.stderr.write(`  redis N=${n}: ${rows.at(-1)!.sent} events\n`);
  }
  return rows;
}

// ---- main ----

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error(`bench: stopped after ${MAX_SECONDS} s`);
    process.exit(2);
  }, MAX_SECONDS * 1000);
  hardStop.unref();

  // Phase 2 takes a fixed ~15 s (6 windows of 2 s and their set-up), starts and cleanups ~15 s more;
  // the rest is shared by the two fan-out phases (phase 3 takes what phase 1 left of its half).
  const fanoutBudget = ((MAX_SECONDS - 30) / 2) * 1000;
  try {
    console.log(
      `botgraph live bench — M = ${M} sendMessage per row, ≤ ${PER_SOCKET} subscriptions per socket, node ${process.version}, BENCH_MAX_SECONDS = ${MAX_SECONDS}`,
    );
    console.log('ms columns: mutation = request → response; resp→recv / req→recv = from the response / the request to each');
    console.log("subscriber's receipt (all events × subscribers; < 0: the subscriber had it first); spread = an event's first to last receipt.");

    // 1. In memory.
    phaseStart = performance.now();
    const app = await startApp(FANOUT_ENV);
    const conversations = await closerConversations(app, FANOUT_N.length);
    await gql(app.base, SEND, { id: conversations[0]!.id, text: 'warm-up' }); // JIT, connections
    const memoryRows: FanoutRow[] = [];
    for (const [i, n] of FANOUT_N.entries()) {
      const share = (fanoutBudget - (performance.now() - phaseStart)) / (FANOUT_N.length - i);
      memoryRows.push(await fanout([app], conversations[i]!, n, share));
      process.stderr.write(`  memory N=${n}: ${memoryRows.at(-1)!.sent} events\n`);
    }
    await cleanup();
    console.log(`\n1. Fan-out, memory bus, one instance (POLL_INTERVAL_MS=${FANOUT_ENV.POLL_INTERVAL_MS}).\n`);
    console.log(fanoutTable(memoryRows, false));

    // 2. Upstream cost.
    const costRows = await upstreamCost();
    await cleanup();
    console.log(
      `\n2. Upstream cost of messageAdded topics (CLOSER), POLL_INTERVAL_MS=${POLL_MS}, window ${WINDOW_MS} ms = ${WINDOW_MS / POLL_MS} intervals.\n`,
    );
    console.log(costTable(costRows));
    console.log(`   routes called: ${[...new Set(costRows.flatMap((r) => r.routes))].join(', ')}`);

    // 3. Redis, two instances.
    phaseStart = performance.now();
    const redisCost: CostRow[] = [];
    const redisRows = await redisFanout(Math.min(fanoutBudget, (secondsLeft() - 8) * 1000), redisCost);
    await cleanup();
    console.log(
      `\n3. Fan-out, Redis Stream bus, two instances A and B (POLL_INTERVAL_MS=${FANOUT_ENV.POLL_INTERVAL_MS}); mutations to A, subscribers split A/B (a single one on B).\n`,
    );
    console.log(fanoutTable(redisRows, true));
    console.log(
      `\n3b. Upstream cost with Redis, measured while the ${Math.max(...FANOUT_N)} subscribers of row 3 were connected (window ${WINDOW_MS} ms).\n`,
    );
    console.log(costTable(redisCost));
    console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  } finally {
    await cleanup();
    await agent.close();
  }
}

main().catch(async (error) => {
  console.error(error);
  await cleanup();
  process.exit(1);
});
