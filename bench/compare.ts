/**
 * `npm run bench:compare`: botgraph against a reference, in one run, each server in its own process.
 *
 *   1. a bare Apollo Server 5 `{ hello }` (bench/compare/hello.ts), the reference;
 *   2. the three standalone simulators (src/simulators/cli.ts, activity off, on free ports);
 *   3. botgraph (src/main.ts) in REMOTE mode, its vendor URLs pointing at 2, with CACHE_TTL_MS=0;
 *      later a second botgraph with CACHE_TTL_MS=2000 for the repeated-inbox row, and a third with
 *      RESPONSE_CACHE_ENTRIES=0 as well (the entity cache alone).
 *
 * It prints:
 *   - throughput (autocannon, 10 connections) and CPU per request (process.cpuUsage() of each
 *     server, read over IPC by bench/compare/stats.ts): R = req/s ÷ hello's req/s, and the CPU
 *     ratio = CPU per request ÷ hello's;
 *   - latency with every vendor answering after 50 ms (the simulators' /__sim/faults): p50 and p99
 *     of sequential requests minus each query's critical path (the fewest 50 ms waves it needs);
 *   - fan-out: N subscribers of one `messageAdded` topic (25 per socket, clients in child
 *     processes): the mutation's response time, the last delivery after that response, and RSS
 *     per idle subscriber; N = 0 and 10,000, and 100,000 with BENCH_BIG=1.
 *
 * Bounded: each load row runs BENCH_LOAD_SECONDS (default 4, at most 30) after a 1 s warm-up; the
 * latency rows are BENCH_LATENCY_N (default 40, at most 200) requests each; fan-out rows send 10
 * mutations (3 at 100,000) and give each event at most 30 s; the whole run exits at
 * BENCH_MAX_SECONDS (default 300, at most 900) whatever happens, killing every child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { freePort } from '../test/helpers/wait.js';
import { remoteVendorEnv } from './remote.js';

const num = (name: string, fallback: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Number(process.env[name] ?? fallback) || fallback));
const LOAD_SECONDS = num('BENCH_LOAD_SECONDS', 4, 1, 30);
const LATENCY_N = num('BENCH_LATENCY_N', 40, 5, 200);
const MAX_SECONDS = num('BENCH_MAX_SECONDS', 300, 60, 900);
const BIG = process.env.BENCH_BIG === '1';
/** Which parts run: `load`, `latency`, `fanout` (comma-separated). @default all three */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'load,latency,fanout').split(',').map((p) => p.trim()));
const VENDOR_LATENCY_MS = 50;
const PER_SOCKET = 25;
/**
 * The pause before each measured mutation (after the previous one's response, or its last
 * delivery), in every fan-out row alike. A row with subscribers must wait for the deliveries
 * between mutations, and a server that idled for tens of ms answers more slowly than one answering
 * back to back (caches, CPU, scheduling): on this machine with no subscriber, 3.3 ms back to back
 * against 7.2 ms at 300 ms apart. Without the same pause the 0-subscriber baseline is the fast
 * case and the ratio measures the pause, not the subscribers.
 */
const MUTATION_PAUSE_MS = 100;
const CACHE_TTL_ON = '2000';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const agent = new Agent({ connections: 4, keepAliveTimeout: 10_000 });
const started = performance.now();
const now = () => performance.timeOrigin + performance.now();

// ---- queries (the issue's) and their critical paths with 50 ms vendors ----

const INBOX = `{ conversations(first: 10) { totalCount nodes { id provider title status updatedAt bot { name } endUser { name } messages(first: 3) { nodes { sender text } } } } }`;
const inboxOf = (provider: string) => INBOX.replace('conversations(first: 10)', `conversations(first: 10, filter: { providers: [${provider}] })`);
const NODE = `query($id: ID!) { node(id: $id) { id ... on Conversation { title status messages(first: 5) { nodes { sender text } } } } }`;
const SUBSCRIPTION = `subscription($id: ID!) { messageAdded(conversationId: $id) { id text eventCursor } }`;
const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: { conversationId: $id, text: $text }) { message { id } } }`;
/**
 * The fewest vendor round trips a query needs, one after another ("waves"; the critical path is
 * their number × 50 ms), and how many calls each holds, derived from the routes it actually called
 * in this run and what each route's input comes from. Every measured request has a request before
 * it (the warm-up), which told botgraph what only a vendor answer says: how many pages each Bot.one
 * bot's list has, and which bots CLOSER has. botgraph sends those reads with the ones that tell it
 * (docs/providers/botone.md "Waves", docs/providers/closer.md "Conversation streams"), so:
 *   1. no vendor answer of this request needed: CLOSER's bot list, its per-bot lists
 *      (`/openapi/bot/:botId/conversation`) and its all-bots list, every page of each Bot.one bot's
 *      list, CXone's exports (one per token), and a by-id read (node(id) + messages: the
 *      conversation and its messages need only the id, so 1 wave);
 *   2. anything read for a listed conversation: CLOSER's end users and messages.
 */
function wavesOf(routes: Record<string, number>): number[] {
  const sizes: number[] = [];
  const called = Object.entries(routes).filter(([, n]) => n > 0);
  const isList = (route: string) => route === 'GET /openapi/bot' || route.endsWith('/conversations') || route.endsWith('/:botId/conversation');
  const lists = called.some(([r]) => isList(r));
  for (const [route, n] of called) {
    const depth = isList(route) || !lists ? 1 : 2;
    sizes[depth - 1] = (sizes[depth - 1] ?? 0) + n;
  }
  return Array.from(sizes, (n) => n ?? 0);
}

// ---- children ----

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const hardStop = setTimeout(() => {
  console.error(`bench:compare: stopped at BENCH_MAX_SECONDS=${MAX_SECONDS}`);
  process.exit(2);
}, MAX_SECONDS * 1000);

function start(script: string, args: string[], env: Record<string, string>, stats = true): ChildProcess {
  const child = fork(here(script), args, {
    execArgv: ['--import', 'tsx', ...(stats ? ['--expose-gc', '--import', here('./compare/stats.ts')] : []), '--max-old-space-size=4096'],
    // Only what the child needs: no vendor URL, REDIS_URL or token from this shell leaks in.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
}

let seq = 0;
interface Stats {
  cpuMs: number;
  rss: number;
}
function stats(child: ChildProcess, gc = false): Promise<Stats> {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no stats answer')), 30_000);
    const onMessage = (m: any) => {
      if (m?.type !== 'stats' || m.seq !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ cpuMs: (m.cpu.user + m.cpu.system) / 1000, rss: m.rss });
    };
    child.on('message', onMessage);
    child.send({ type: 'stats', seq: id, gc });
  });
}

/** A JSON request and its answer, with the response headers (`Server-Timing`, for the latency rows). */
async function send(url: string, body: unknown, method = 'POST'): Promise<{ body: any; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  return { body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function post(url: string, body: unknown, method = 'POST'): Promise<any> {
  return (await send(url, body, method)).body;
}

/** An operation's data and response headers; its errors are thrown. */
async function gqlWithHeaders(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data: any; headers: Record<string, string | string[] | undefined> }> {
  const { body, headers } = await send(url, { query, variables });
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return { data: body.data, headers };
}

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  return (await gqlWithHeaders(url, query, variables)).data;
}

async function waitUp(url: string, what: string): Promise<void> {
  const end = performance.now() + 90_000;
  for (;;) {
    try {
      await gql(url, '{ __typename }');
      return;
    } catch (error) {
      if (performance.now() > end) throw new Error(`${what} did not come up: ${(error as Error).message}`, { cause: error });
      await sleep(100);
    }
  }
}

// ---- measuring ----

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
};
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits)) : '—');

interface LoadRow {
  name: string;
  rps: number;
  cpuMsPerRequest: number;
  simCpuMsPerRequest: number;
  upstream: number;
  errors: number;
}

async function load(url: string, body: unknown, server: ChildProcess, sims: ChildProcess | null): Promise<Omit<LoadRow, 'name' | 'upstream'>> {
  const opts = {
    url,
    method: 'POST' as const,
    connections: 10,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  await autocannon({ ...opts, duration: 1 });
  const before = await stats(server);
  const simBefore = sims ? await stats(sims) : null;
  const result = await autocannon({ ...opts, duration: LOAD_SECONDS });
  const after = await stats(server);
  const simAfter = sims ? await stats(sims) : null;
  const n = result.requests.total;
  return {
    rps: n / LOAD_SECONDS,
    cpuMsPerRequest: (after.cpuMs - before.cpuMs) / n,
    simCpuMsPerRequest: simBefore && simAfter ? (simAfter.cpuMs - simBefore.cpuMs) / n : 0,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

/** Upstream calls of one request, by route; nothing else may run meanwhile. */
async function upstreamCalls(simUrls: string[], run: () => Promise<unknown>): Promise<{ total: number; routes: Record<string, number> }> {
  await Promise.all(simUrls.map((u) => post(`${u}/__sim/stats`, undefined, 'DELETE')));
  await run();
  const snaps = await Promise.all(simUrls.map((u) => post(`${u}/__sim/stats`, undefined, 'GET')));
  const routes: Record<string, number> = {};
  for (const snap of snaps) for (const [r, n] of Object.entries(snap.routes as Record<string, number>)) if (n > 0) routes[r] = n;
  return { total: snaps.reduce((n, s) => n + s.total, 0), routes };
}

/**
 * Sequential requests: wall time at the client, and botgraph's own part of each, `total − upstream`
 * of its Server-Timing (the time it had no vendor call in flight: before the first wave, between
 * waves, after the last), which the vendors' lateness and the transport do not touch.
 */
async function latency(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ p50: number; p99: number; ownP50: number; ownP99: number }> {
  const once = async () => {
    const timing = String((await gqlWithHeaders(url, query, variables)).headers['server-timing'] ?? '');
    const dur = (name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing)?.[1] ?? NaN);
    return dur('total') - (dur('upstream') || 0);
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  const own: number[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const t0 = performance.now();
    own.push(await once());
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), ownP50: percentile(own, 50), ownP99: percentile(own, 99) };
}

/**
 * The floor the transport and the simulator's timers set on this machine: a bare undici client
 * sending the query's waves (as many concurrent GETs in each as botgraph sends) of one small
 * CLOSER read, one wave after another, with the same 50 ms latency. What botgraph adds over a
 * critical path is measured against this as well as against the nominal path.
 */
async function vendorFloor(closerUrl: string, apiKey: string, waves: number[]): Promise<{ p50: number; p99: number }> {
  // As many connections as botgraph may open (UpstreamHttp's agent), not the bench's 4.
  const wide = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  const get = async () => {
    const res = await request(`${closerUrl}/openapi/bot?page=1&limit=100`, { dispatcher: wide, headers: { 'x-api-key': apiKey } });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`vendor floor: CLOSER answered ${res.statusCode}`);
  };
  const times: number[] = [];
  for (let i = 0; i < LATENCY_N + 3; i++) {
    const t0 = performance.now();
    for (const n of waves) await Promise.all(Array.from({ length: n }, get));
    if (i >= 3) times.push(performance.now() - t0);
  }
  await wide.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

// ---- fan-out ----

interface FanoutRow {
  subscribers: number;
  processes: number;
  live: number;
  mutations: number;
  responseP50: number;
  lastAfterResponseP50: number;
  lastAfterResponseMax: number;
  firstAfterResponseP50: number;
  rssPerSubscriberKiB: number;
  rssMiB: number;
  duplicates: number;
  errors: number;
  subscribeSeconds: number;
}

async function fanout(
  base: string,
  server: ChildProcess,
  conversationId: string,
  n: number,
  processes: number,
  mutations: number,
): Promise<FanoutRow> {
  const url = `${base}/graphql`;
  const wsUrl = `${base.replace('http', 'ws')}/graphql`;
  let tag = 0;
  const send = async () => {
    const text = `bench ${n} ${++tag} ${Date.now()}`;
    const t0 = performance.now();
    await gql(url, SEND, { id: conversationId, text });
    return { text, responseMs: performance.now() - t0, respondedAt: now() };
  };
  if (n === 0) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) await send();
    for (let i = 0; i < mutations; i++) {
      await sleep(MUTATION_PAUSE_MS);
      times.push((await send()).responseMs);
    }
    const s = await stats(server, true);
    return {
      subscribers: 0,
      processes: 0,
      live: 0,
      mutations,
      responseP50: percentile(times, 50),
      lastAfterResponseP50: NaN,
      lastAfterResponseMax: NaN,
      firstAfterResponseP50: NaN,
      rssPerSubscriberKiB: NaN,
      rssMiB: s.rss / 2 ** 20,
      duplicates: 0,
      errors: 0,
      subscribeSeconds: 0,
    };
  }
  const rss0 = (await stats(server, true)).rss;
  const clients = Array.from({ length: processes }, () => start('./compare/clients.ts', [], {}, false));
  const delivered = new Map<string, Array<{ n: number; first: number; last: number }>>();
  let duplicates = 0;
  for (const c of clients) {
    c.on('message', (m: any) => {
      if (m.type === 'delivered') {
        const list = delivered.get(m.text) ?? [];
        list.push(m);
        delivered.set(m.text, list);
      } else if (m.type === 'duplicate') duplicates++;
    });
  }
  const t0 = performance.now();
  const per = Math.ceil(n / processes);
  await Promise.all(
    clients.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          c.on('message', (m: any) => m.type === 'opened' && resolve());
          c.send({
            type: 'open',
            wsUrl,
            query: SUBSCRIPTION,
            variables: { id: conversationId },
            count: Math.min(per, n - i * per),
            perSocket: PER_SOCKET,
          });
        }),
    ),
  );
  // A subscriber is live once it received an event: send until every one has (a subscribe is
  // acknowledged by nothing in graphql-ws).
  const waitAll = async (text: string, timeoutMs: number) => {
    const end = performance.now() + timeoutMs;
    while ((delivered.get(text)?.length ?? 0) < processes && performance.now() < end) await sleep(2);
    return delivered.get(text) ?? [];
  };
  let live = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const warm = await send();
    const got = await waitAll(warm.text, 15_000);
    if (got.length === processes) {
      live = n;
      break;
    }
  }
  const subscribeSeconds = (performance.now() - t0) / 1000;
  const rss1 = (await stats(server, true)).rss;
  const responses: number[] = [];
  const lasts: number[] = [];
  const firsts: number[] = [];
  if (live === n) {
    for (let i = 0; i < mutations; i++) {
      await sleep(MUTATION_PAUSE_MS);
      const m = await send();
      responses.push(m.responseMs);
      const got = await waitAll(m.text, 30_000);
      if (got.length < processes) continue;
      lasts.push(Math.max(...got.map((g) => g.last)) - m.respondedAt);
      firsts.push(Math.min(...got.map((g) => g.first)) - m.respondedAt);
    }
  }
  let errors = 0;
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.on('message', (m: any) => {
            if (m.type !== 'errors') return;
            errors += m.errors;
            if (m.firstError) console.error(`subscriber error: ${m.firstError}`);
            resolve();
          });
          c.send({ type: 'errors' });
        }),
    ),
  );
  for (const c of clients) c.send({ type: 'close' });
  await Promise.all(clients.map((c) => Promise.race([new Promise((r) => c.once('exit', r)), sleep(20_000).then(() => c.kill('SIGKILL'))])));
  return {
    subscribers: n,
    processes,
    live,
    mutations: responses.length,
    responseP50: percentile(responses, 50),
    lastAfterResponseP50: percentile(lasts, 50),
    lastAfterResponseMax: Math.max(...lasts),
    firstAfterResponseP50: percentile(firsts, 50),
    rssPerSubscriberKiB: (rss1 - rss0) / n / 1024,
    rssMiB: rss1 / 2 ** 20,
    duplicates,
    errors,
    subscribeSeconds,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

// ---- the run ----

const [helloPort, botPort, cachedPort] = [await freePort(), await freePort(), await freePort()];
const simPorts = [await freePort(), await freePort(), await freePort()] as const;
const simUrls = simPorts.map((port) => `http://127.0.0.1:${port}`);
const hello = start('./compare/hello.ts', [String(helloPort)], {});
const sims = start('../src/simulators/cli.ts', [], {
  SIMULATOR_CLOSER_PORT: String(simPorts[0]),
  SIMULATOR_BOTONE_PORT: String(simPorts[1]),
  SIMULATOR_CXONE_PORT: String(simPorts[2]),
  SIMULATOR_ACTIVITY: 'false',
  SIMULATOR_ADMIN: 'true',
});
const remoteEnv = (port: number, cacheTtl: string) => ({
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  CACHE_TTL_MS: cacheTtl,
  ...remoteVendorEnv(simUrls),
  // The bench is one principal sending far more than the default 100 operations per second.
  RATE_LIMIT_OPS_PER_SECOND: '0',
  // The bench's own subscribers are the only ones; the pollers' reads are not what is measured.
  POLL_INTERVAL_MS: '2000',
  // Thousands of sockets connect at once in the fan-out rows; the 3 s default would refuse the slow ones.
  WS_CONNECTION_INIT_TIMEOUT_MS: '60000',
});
const helloUrl = `http://127.0.0.1:${helloPort}/`;
await waitUp(helloUrl, 'hello');
for (const u of simUrls) {
  const end = performance.now() + 60_000;
  while (!(await post(`${u}/__sim/stats`, undefined, 'GET').catch(() => undefined))) {
    if (performance.now() > end) throw new Error(`simulator ${u} did not come up`);
    await sleep(100);
  }
}
const bot = start('../src/main.ts', [], remoteEnv(botPort, '0'));
const botUrl = `http://127.0.0.1:${botPort}/graphql`;
await waitUp(botUrl, 'botgraph');
console.log(`bench:compare: up after ${((performance.now() - started) / 1000).toFixed(1)} s; load rows ${LOAD_SECONDS} s each, 10 connections`);

const closerId: string = (await gql(botUrl, `{ conversations(first: 1, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id } } }`))
  .conversations.nodes[0].id;
const nodeBody = { query: NODE, variables: { id: closerId } };
for (const q of [INBOX, inboxOf('CXONE'), inboxOf('CLOSER')]) await gql(botUrl, q);
await gql(botUrl, NODE, { id: closerId });

// Upstream calls first, while nothing else runs (a load row's last requests finish after it).
const rows = [
  ['inbox, cache off', { query: INBOX }],
  ['inbox CXone only, cache off', { query: inboxOf('CXONE') }],
  ['inbox CLOSER only, cache off', { query: inboxOf('CLOSER') }],
  ['node(id) CLOSER + messages, cache off', nodeBody],
] as const;
const calls = new Map<string, { total: number; routes: Record<string, number> }>();
for (const [name, body] of rows) calls.set(name, await upstreamCalls(simUrls, () => post(botUrl, body)));

// 1. throughput and CPU
const loadRows: LoadRow[] = [];
if (PARTS.has('load')) {
  const helloRow = await load(helloUrl, { query: '{ hello }' }, hello, null);
  loadRows.push({ name: 'hello (reference)', ...helloRow, upstream: 0 });
  for (const [name, body] of rows) loadRows.push({ name, ...(await load(botUrl, body, bot, sims)), upstream: calls.get(name)!.total });
  // The whole cache (entity cache and response cache), then the entity cache alone: what the
  // response cache adds on top of 0 upstream calls.
  for (const [label, extra] of [
    ['', {}],
    [', entity cache only (RESPONSE_CACHE_ENTRIES=0)', { RESPONSE_CACHE_ENTRIES: '0' }],
  ] as const) {
    const cached = start('../src/main.ts', [], { ...remoteEnv(cachedPort, CACHE_TTL_ON), ...extra });
    const cachedUrl = `http://127.0.0.1:${cachedPort}/graphql`;
    await waitUp(cachedUrl, 'botgraph (cache on)');
    await gql(cachedUrl, INBOX);
    const upstream = await upstreamCalls(simUrls, () => post(cachedUrl, { query: INBOX }));
    loadRows.push({
      name: `inbox, CACHE_TTL_MS=${CACHE_TTL_ON}${label} (repeated)`,
      ...(await load(cachedUrl, { query: INBOX }, cached, sims)),
      upstream: upstream.total,
    });
    await stop(cached);
  }

  console.log('\n### Throughput and CPU (autocannon, 10 connections)\n');
  console.log(
    table([
      ['query', 'req/s', 'R (÷ hello req/s)', 'CPU ms/req', 'CPU ratio (÷ hello)', 'simulators CPU ms/req', 'upstream calls/req', 'errors'],
      ...loadRows.map((r) => [
        r.name,
        fmt(r.rps, 3),
        fmt(r.rps / helloRow.rps, 2),
        fmt(r.cpuMsPerRequest, 2),
        fmt(r.cpuMsPerRequest / helloRow.cpuMsPerRequest, 2),
        r.name.startsWith('hello') ? '—' : fmt(r.simCpuMsPerRequest, 2),
        String(r.upstream),
        String(r.errors),
      ]),
    ]),
  );
}

// 2. latency with 50 ms vendors
if (PARTS.has('latency')) {
  for (const u of simUrls) await post(`${u}/__sim/faults`, { latencyMs: VENDOR_LATENCY_MS }, 'PUT');
  const nodeLatency = await latency(botUrl, NODE, { id: closerId });
  const inboxLatency = await latency(botUrl, INBOX);
  const waves = {
    node: wavesOf(calls.get('node(id) CLOSER + messages, cache off')!.routes),
    inbox: wavesOf(calls.get('inbox, cache off')!.routes),
  };
  const closerKey = remoteVendorEnv(simUrls).CLOSER_API_KEY!;
  const floor = { node: await vendorFloor(simUrls[0]!, closerKey, waves.node), inbox: await vendorFloor(simUrls[0]!, closerKey, waves.inbox) };
  for (const u of simUrls) await post(`${u}/__sim/faults`, undefined, 'DELETE');
  const criticalPath = { node: waves.node.length * VENDOR_LATENCY_MS, inbox: waves.inbox.length * VENDOR_LATENCY_MS };
  console.log(`\n### Latency, every vendor answering after ${VENDOR_LATENCY_MS} ms (${LATENCY_N} sequential requests)\n`);
  console.log(
    table([
      ['query', 'critical path ms', 'p50 ms', 'p99 ms', 'p50 − critical path', 'p99 − critical path', 'botgraph own p50', 'own p99'],
      [
        'node(id) CLOSER + messages(first: 5)',
        String(criticalPath.node),
        fmt(nodeLatency.p50, 3),
        fmt(nodeLatency.p99, 3),
        fmt(nodeLatency.p50 - criticalPath.node),
        fmt(nodeLatency.p99 - criticalPath.node),
        fmt(nodeLatency.ownP50),
        fmt(nodeLatency.ownP99),
      ],
      [
        'inbox (10, bot, endUser, 3 messages)',
        String(criticalPath.inbox),
        fmt(inboxLatency.p50, 3),
        fmt(inboxLatency.p99, 3),
        fmt(inboxLatency.p50 - criticalPath.inbox),
        fmt(inboxLatency.p99 - criticalPath.inbox),
        fmt(inboxLatency.ownP50),
        fmt(inboxLatency.ownP99),
      ],
      ...(['node', 'inbox'] as const).map((q) => [
        `vendor floor for ${q === 'node' ? 'node(id)' : 'the inbox'}: bare undici, waves of ${waves[q].join(', ')} GETs`,
        String(criticalPath[q]),
        fmt(floor[q].p50, 3),
        fmt(floor[q].p99, 3),
        fmt(floor[q].p50 - criticalPath[q]),
        fmt(floor[q].p99 - criticalPath[q]),
        '—',
        '—',
      ]),
    ]),
  );
  console.log(
    "botgraph own = Server-Timing `total − upstream`: the time botgraph had no vendor call in flight; the rest of `p50 − critical path` is time with calls outstanding (the vendors' lateness, the transport, and botgraph's work while some call of the wave is still out).",
  );
  for (const [name, c] of calls) console.log(`upstream calls of ${name}: ${JSON.stringify(c.routes)}`);
  console.log(
    `critical paths: node(id) ${criticalPath.node} ms (one wave: the conversation and its messages need only the id); inbox ${criticalPath.inbox} ms (${criticalPath.inbox / VENDOR_LATENCY_MS} waves: CLOSER's bot list and per-bot lists, Bot.one's pages, CXone's exports; then CLOSER's end users and messages when the page holds CLOSER conversations)`,
  );
}

// 3. fan-out
if (PARTS.has('fanout')) {
  const fanRows: FanoutRow[] = [];
  const printFanout = () => {
    console.log(`\n### Fan-out: messageAdded on one CLOSER conversation, ${PER_SOCKET} per socket, clients in child processes\n`);
    console.log(
      table([
        [
          'subscribers',
          'client processes',
          'live',
          'subscribe s',
          'mutations',
          'response p50 ms',
          'first delivery after response p50',
          'last delivery after response p50',
          'max',
          'RSS / idle subscriber KiB',
          'RSS MiB',
          'dups',
          'errors',
        ],
        ...fanRows.map((r) => [
          String(r.subscribers),
          String(r.processes),
          String(r.live),
          fmt(r.subscribeSeconds, 2),
          String(r.mutations),
          fmt(r.responseP50, 3),
          fmt(r.firstAfterResponseP50, 3),
          fmt(r.lastAfterResponseP50, 3),
          fmt(r.lastAfterResponseMax, 3),
          fmt(r.rssPerSubscriberKiB, 3),
          fmt(r.rssMiB, 3),
          String(r.duplicates),
          String(r.errors),
        ]),
      ]),
    );
  };
  // Printed after each row: a 100,000 row that runs out of time still leaves the others.
  for (const [n, processes, mutations] of [[0, 0, 20], [10_000, 2, 10], ...(BIG ? [[100_000, 4, 3]] : [])] as const) {
    fanRows.push(await fanout(`http://127.0.0.1:${botPort}`, bot, closerId, n, processes, mutations));
    printFanout();
  }
}

console.log(`\nbench:compare: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
await Promise.all([stop(bot), stop(sims), stop(hello)]);
clearTimeout(hardStop);
await agent.close();
process.exit(0);
