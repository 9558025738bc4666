/**
 * `npx tsx bench/waves.ts [query]`: the wave structure of one query with every vendor answering
 * after 50 ms. Starts botgraph in-process with its embedded simulators (activity off, cache off),
 * runs the query once to warm up, then 3 times with the latency on, and prints each upstream call's
 * start and end relative to the request's start, in start order. A call that starts only after
 * another ended waited for its answer (or for something that did): that is a wave.
 *
 * `query` is `inbox` (default; bench/compare.ts's), `closer`, `botone`, `cxone` (the inbox of one
 * provider) or any GraphQL document. The times include the simulators' own work, which shares this
 * process and event loop.
 *
 * `WAVES_REMOTE=1` starts the three simulators in a child process instead (as bench/compare.ts
 * does) and botgraph in REMOTE mode against them: the times are then botgraph's own work plus the
 * wire, without the simulators' work on the same event loop.
 *
 * Each call is seen through undici's diagnostics channels, which botgraph's client publishes on:
 * when it was made (`undici:request:create`), when its request went onto the socket
 * (`undici:client:sendHeaders`: undici 7 writes a request on a reused keep-alive socket only in the
 * next check phase, so whatever else the event loop has to do comes first), and when its answer's
 * headers arrived (`undici:request:headers`).
 */
import { spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { routeOf } from '../src/observability/metrics.js';
import { startBotgraph } from '../src/server.js';
import { freePort } from '../test/helpers/wait.js';
import { remoteVendorEnv } from './remote.js';

const INBOX = `{ conversations(first: 10) { totalCount nodes { id provider title status updatedAt bot { name } endUser { name } messages(first: 3) { nodes { sender text } } } } }`;
const only = (provider: string) => INBOX.replace('conversations(first: 10)', `conversations(first: 10, filter: { providers: [${provider}] })`);
const QUERIES: Record<string, string> = { inbox: INBOX, closer: only('CLOSER'), botone: only('BOTONE'), cxone: only('CXONE') };
const arg = process.argv[2] ?? 'inbox';
const query = QUERIES[arg] ?? arg;
const LATENCY_MS = Number(process.env.WAVES_LATENCY_MS ?? 50);

interface Call {
  origin: string;
  path: string;
  made: number;
  written?: number;
  answered?: number;
  status?: number;
}
type UndiciRequest = { origin?: string; path: string };
const calls = new Map<UndiciRequest, Call>();
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: UndiciRequest };
  calls.set(request, { origin: request.origin ?? '', path: request.path.split('?')[0] ?? '', made: performance.now() });
});
subscribe('undici:client:sendHeaders', (message) => {
  const call = calls.get((message as { request: UndiciRequest }).request);
  if (call) call.written = performance.now();
});
subscribe('undici:request:headers', (message) => {
  const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
  const call = calls.get(request);
  if (call) {
    call.answered = performance.now();
    call.status = response.statusCode;
  }
});

const remote = process.env.WAVES_REMOTE === '1';
const simUrls: string[] = [];
let sims: ReturnType<typeof spawn> | undefined;
if (remote) {
  const ports = [await freePort(), await freePort(), await freePort()];
  simUrls.push(...ports.map((port) => `http://127.0.0.1:${port}`));
  sims = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/simulators/cli.ts', import.meta.url))], {
    env: {
      PATH: process.env.PATH ?? '',
      SIMULATOR_CLOSER_PORT: String(ports[0]),
      SIMULATOR_BOTONE_PORT: String(ports[1]),
      SIMULATOR_CXONE_PORT: String(ports[2]),
      SIMULATOR_ACTIVITY: 'false',
      SIMULATOR_ADMIN: 'true',
    },
    stdio: 'ignore',
  });
  for (const u of simUrls) {
    for (;;) {
      const up = await fetch(`${u}/__sim/stats`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  SIMULATOR_ACTIVITY: 'false',
  CACHE_TTL_MS: '0',
  RATE_LIMIT_OPS_PER_SECOND: '0',
  UPSTREAM_TIMEOUT_MS: '10000',
  ...(remote ? remoteVendorEnv(simUrls) : {}),
});
const app = await startBotgraph(config, { logger: createLogger('silent') });
const stop = setTimeout(() => {
  console.error('bench/waves: stopped after 60 s');
  process.exit(2);
}, 60_000);
const url = `http://127.0.0.1:${app.port}/graphql`;
const gql = async () => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { errors?: unknown[] };
};
const simulators = remote
  ? simUrls.map((url) => ({ url, headers: {} }))
  : Object.values(app.registry.simulators).map((sim) => ({ url: sim.url, headers: app.registry.simulatorAdminHeaders }));
const faults = (body: unknown) =>
  Promise.all(
    simulators.map((sim) =>
      fetch(`${sim.url}/__sim/faults`, {
        method: body === undefined ? 'DELETE' : 'PUT',
        headers: { 'content-type': 'application/json', ...sim.headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    ),
  );

await gql();
await faults({ latencyMs: LATENCY_MS });
const runs = Math.min(200, Number(process.env.WAVES_RUNS ?? 3));
/** The vendor behind each simulator origin: only their calls are the request's upstream calls. */
const providerOf = new Map<string, string>(
  remote
    ? ['CLOSER', 'BOTONE', 'CXONE'].map((p, i) => [new URL(simUrls[i]!).origin, p])
    : Object.entries(app.registry.simulators).map(([p, sim]) => [new URL(sim.url).origin, p]),
);
const ms = (t: number | undefined, t0: number) => (t === undefined ? '—' : (t - t0).toFixed(1)).padStart(6);
for (let run = 1; run <= runs; run++) {
  calls.clear();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await gql();
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const upstream = [...calls.values()].filter((c) => providerOf.has(c.origin)).sort((a, b) => a.made - b.made);
  console.log(
    `\nrun ${run}: ${total.toFixed(1)} ms (CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms, system ${(cpu.system / 1000).toFixed(1)}), ${upstream.length} upstream calls${res.errors ? `, errors: ${JSON.stringify(res.errors).slice(0, 200)}` : ''}`,
  );
  console.log('    made  written  answered (ms after the request started)');
  for (const c of upstream) {
    console.log(
      `  ${ms(c.made, t0)}   ${ms(c.written, t0)}   ${ms(c.answered, t0)}  ${providerOf.get(c.origin)!.padEnd(6)} ${c.status ?? '—'} ${routeOf(c.path)}`,
    );
  }
}
await faults(undefined);
clearTimeout(stop);
await app.close();
sims?.kill();
process.exit(0);
