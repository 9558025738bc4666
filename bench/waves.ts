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
 * The upstream observer is botgraph's metrics (src/observability/metrics.ts): told each attempt's
 * route and duration when it ends, from which its start follows. It is wrapped here, not changed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { startBotgraph } from '../src/server.js';
import { freePort } from '../test/helpers/wait.js';
import { remoteVendorEnv } from './remote.js';

const INBOX = `{ conversations(first: 10) { totalCount nodes { id provider title status updatedAt bot { name } endUser { name } messages(first: 3) { nodes { sender text } } } } }`;
const only = (provider: string) => INBOX.replace('conversations(first: 10)', `conversations(first: 10, filter: { providers: [${provider}] })`);
const QUERIES: Record<string, string> = { inbox: INBOX, closer: only('CLOSER'), botone: only('BOTONE'), cxone: only('CXONE') };
const arg = process.argv[2] ?? 'inbox';
const query = QUERIES[arg] ?? arg;
const LATENCY_MS = Number(process.env.WAVES_LATENCY_MS ?? 50);

const calls: Array<{ provider: string; route: string; status: string; endedAt: number; seconds: number }> = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the instance as `this`
const observe = Metrics.prototype.request;
Metrics.prototype.request = function (this: Metrics, info) {
  calls.push({ provider: info.provider, route: info.route, status: String(info.status), endedAt: performance.now(), seconds: info.seconds });
  observe.call(this, info);
};

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
for (let run = 1; run <= runs; run++) {
  calls.length = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await gql();
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `\nrun ${run}: ${total.toFixed(1)} ms (CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms, system ${(cpu.system / 1000).toFixed(1)}), ${calls.length} upstream calls${res.errors ? `, errors: ${JSON.stringify(res.errors).slice(0, 200)}` : ''}`,
  );
  const rows = calls.map((c) => ({ ...c, start: c.endedAt - c.seconds * 1000 - t0, end: c.endedAt - t0 })).sort((a, b) => a.start - b.start);
  for (const c of rows) {
    console.log(`  ${c.start.toFixed(1).padStart(6)} → ${c.end.toFixed(1).padStart(6)} ms  ${c.provider.padEnd(6)} ${c.status} ${c.route}`);
  }
}
await faults(undefined);
clearTimeout(stop);
await app.close();
sims?.kill();
process.exit(0);
