/**
 * Scale-out test rig: one private redis-server, the three vendor simulators in the test process
 * (so every replica talks to the SAME upstream), and N botgraph replicas, each its own OS process
 * (`node --import tsx src/main.ts`) configured only through the environment, as in production.
 *
 * Every child is tracked: `stop()` (call it from afterAll) kills what is still running, and a
 * process `exit` hook SIGKILLs anything left if the test process ends another way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { cxoneRemoteEnv } from './remote-env.js';
import { startBotoneSimulator, type BotoneSimulator } from '../../src/providers/botone/simulator/index.js';
import { startCloserSimulator, type CloserSimulator } from '../../src/providers/closer/simulator/index.js';
import { startCxoneSimulator, type CxoneSimulator } from '../../src/providers/cxone/simulator/index.js';
import { startRedis, type TestRedis } from './redis.js';
import { freePort, waitFor } from './wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every replica process this test process started and has not seen exit. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** What replicas require on `/webhooks/closer` (CLOSER is REMOTE for them). */
export const REPLICA_WEBHOOK_SECRET = 'replica-webhook-secret';

export { freePort, waitFor };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Replica {
  /** 'A', 'B', 'C', … in start order. */
  name: string;
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output: string[];
  exited: Promise<Exit>;
  readonly alive: boolean;
}

export interface ClusterOptions {
  /** Replicas to start at once. @default 3 */
  replicas?: number;
  /** Extra environment for every replica (overrides the defaults below). */
  env?: Record<string, string>;
}

export interface Cluster {
  redis: TestRedis;
  /** A command connection for assertions (lease and watermark keys). */
  redisClient: Redis;
  closer: CloserSimulator;
  botone: BotoneSimulator;
  cxone: CxoneSimulator;
  replicas: Replica[];
  /** The environment every replica gets (without PORT). */
  env: Record<string, string>;
  /** Starts one more replica and waits until it answers `/healthz`. */
  startReplica(extraEnv?: Record<string, string>): Promise<Replica>;
  /** Sends `signal` and waits (bounded) for the exit. */
  kill(replica: Replica, signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
  /** The replica whose pid the lease of `topic` names, or null when nobody holds it. */
  leaseHolder(topic: string): Promise<Replica | null>;
  /** Kills every replica, closes the simulators and Redis. Safe to call twice. */
  stop(): Promise<void>;
}

/** The defaults of the rig: short polls and leases so that a test sees several cycles in seconds. */
export const RIG = { pollIntervalMs: 200, leaseMs: 1_000, graceMs: 500 } as const;

function tail(output: string[], n = 40): string {
  return output.join('').split('\n').slice(-n).join('\n');
}

/**
 * Starts one botgraph replica process and waits for `/healthz`. `preload`: more `--import` modules, after tsx.
 * The wait is long on purpose: tsx compiles every module at start, which takes tens of seconds on a
 * loaded 2-core machine; a replica that is up answers at once.
 */
export async function startReplicaProcess(name: string, env: Record<string, string>, timeoutMs = 90_000, preload: string[] = []): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), 'src/main.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let alive = true;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      alive = false;
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const replica: Replica = {
    name,
    pid: child.pid as number,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    child,
    output,
    exited,
    get alive() {
      return alive;
    },
  };
  try {
    await waitFor(
      async () => {
        if (!alive) throw new Error(`replica ${name} exited during start:\n${tail(output)}`);
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        return res.ok;
      },
      `replica ${name} to answer /healthz`,
      timeoutMs,
      50,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- output of ${name} ---\n${tail(output)}`, { cause: error });
  }
  return replica;
}

async function killReplica(replica: Replica, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 12_000): Promise<Exit> {
  if (!replica.alive) return replica.exited;
  replica.child.kill(signal);
  const result = await Promise.race([replica.exited, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  replica.child.kill('SIGKILL');
  return replica.exited;
}

/**
 * Redis, the three simulators (activity off: a test makes every change itself) and `replicas`
 * botgraph processes pointed at them. Register `cluster.stop` with afterAll right away.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started: Array<() => Promise<unknown>> = [];
  const replicas: Replica[] = [];
  const stopAll = async () => {
    await Promise.all(replicas.map((r) => killReplica(r, 'SIGKILL', 5_000)));
    for (const stop of started.reverse()) await stop().catch(() => {});
  };
  try {
    const redis = await startRedis();
    started.push(() => redis.stop());
    const [closer, botone, cxone] = await Promise.all([
      startCloserSimulator({ port: 0, activity: false, webhookBatchMs: 20 }),
      startBotoneSimulator({ port: 0, activity: false }),
      startCxoneSimulator({ port: 0, activity: false }),
    ]);
    started.push(
      () => closer.close(),
      () => botone.close(),
      () => cxone.close(),
    );
    const redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    started.push(async () => redisClient.disconnect());

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Off, as in every test helper: replica tests count upstream calls.
      CACHE_TTL_MS: '0',
      REDIS_URL: redis.url,
      CLOSER_BASE_URL: closer.url,
      CLOSER_API_KEY: closer.apiKey,
      CLOSER_WEBHOOK_SECRET: REPLICA_WEBHOOK_SECRET,
      // Replicas talk to standalone simulators as REMOTE providers: tests run them open on purpose.
      BOTGRAPH_AUTH: 'off',
      BOTONE_BASE_URL: botone.url,
      BOTONE_USERNAME: botone.username,
      BOTONE_PASSWORD: botone.password,
      BOTONE_BOT_IDS: botone.botIds.join(','),
      ...cxoneRemoteEnv(cxone),
      SIMULATOR_ACTIVITY: 'false',
      POLL_INTERVAL_MS: String(RIG.pollIntervalMs),
      POLL_FAST_INTERVAL_MS: String(RIG.pollIntervalMs),
      POLL_IDLE_INTERVAL_MS: String(RIG.pollIntervalMs),
      POLL_GRACE_MS: String(RIG.graceMs),
      LEASE_MS: String(RIG.leaseMs),
      UPSTREAM_TIMEOUT_MS: '2000',
      UPSTREAM_TOTAL_BUDGET_MS: '4000',
      // As in startTestBotgraph: fault-injecting tests count exact calls; the breaker has its own tests.
      BREAKER_MIN_CALLS: '1000',
      ...options.env,
    };

    let next = 0;
    const startReplica = async (extraEnv: Record<string, string> = {}) => {
      const name = String.fromCharCode(65 + next++);
      const replica = await startReplicaProcess(name, { ...env, ...extraEnv });
      replicas.push(replica);
      return replica;
    };
    const count = options.replicas ?? 3;
    await Promise.all(Array.from({ length: count }, () => startReplica()));
    replicas.sort((a, b) => a.name.localeCompare(b.name));

    let stopped = false;
    return {
      redis,
      redisClient,
      closer,
      botone,
      cxone,
      replicas,
      env,
      startReplica,
      kill: killReplica,
      async leaseHolder(topic) {
        const value = await redisClient.get(`botgraph:lease:${topic}`);
        if (value === null) return null;
        const pid = Number(value.split('-')[0]);
        const replica = replicas.find((r) => r.pid === pid);
        if (!replica) throw new Error(`lease ${topic} is held by ${value}, which is none of this cluster's replicas`);
        return replica;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Clients

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  extensions?: Record<string, any>;
}

/**
 * POSTs an operation to a replica's /graphql. When the request itself fails and `replica` is a
 * started process, the error says whether it still runs and ends with the tail of its output: a
 * replica that died unexpectedly says why.
 */
export async function gql<T = any>(
  replica: Pick<Replica, 'url'> & Partial<Pick<Replica, 'name' | 'alive' | 'output'>>,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  let res: Response;
  try {
    res = await fetch(`${replica.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    if (!replica.output) throw error;
    throw new Error(
      `replica ${replica.name} (${replica.alive ? 'running' : 'exited'}) did not answer: ${(error as Error).message}\n${tail(replica.output)}`,
      {
        cause: error,
      },
    );
  }
  return (await res.json()) as GraphQLResponse<T>;
}

/** A graphql-ws client on one replica that never retries on its own: the test decides where to reconnect. */
export function wsClient(replica: Pick<Replica, 'wsUrl'>): Client & { closeEvents: Array<{ code: number; reason: string }> } {
  const closeEvents: Array<{ code: number; reason: string }> = [];
  const client = createClient({
    url: replica.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The subscriptions' sinks get the close; graphql-ws would also print it.
    onNonLazyError: () => {},
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        closeEvents.push({ code: e.code ?? 0, reason: String(e.reason ?? '') });
      },
    },
  });
  return Object.assign(client, { closeEvents });
}

export { collect, type Collected } from './live.js';
