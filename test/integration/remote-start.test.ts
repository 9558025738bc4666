/**
 * A production start, every provider REMOTE (standalone simulators stand in for the vendors), loads
 * no simulator code: the simulators are imported only for a provider without a base URL. The child
 * process logs every module it loads (test/helpers/module-log); a demo start is the control.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotoneSimulator, type BotoneSimulator } from '../../src/providers/botone/simulator/index.js';
import { startCloserSimulator, type CloserSimulator } from '../../src/providers/closer/simulator/index.js';
import { startCxoneSimulator, type CxoneSimulator } from '../../src/providers/cxone/simulator/index.js';
import { startReplicaProcess, type Replica } from '../helpers/replicas.js';
import { cxoneRemoteEnv } from '../helpers/remote-env.js';

const PRELOAD = ['./test/helpers/module-log/register.mjs'];
const SIMULATOR_CODE = /\/src\/(providers\/[^/]+\/simulator|simulators)\//;

let dir: string;
let closer: CloserSimulator;
let botone: BotoneSimulator;
let cxone: CxoneSimulator;
const children: Replica[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'botgraph-modules-'));
  [closer, botone, cxone] = await Promise.all([startCloserSimulator(), startBotoneSimulator(), startCxoneSimulator()]);
});

afterAll(async () => {
  for (const child of children) {
    if (child.alive) child.child.kill('SIGKILL');
    await child.exited;
  }
  await Promise.all([closer?.close(), botone?.close(), cxone?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string>): Promise<{ replica: Replica; modules: () => string[] }> {
  const log = join(dir, `${name}.log`);
  const replica = await startReplicaProcess(
    name,
    { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIMULATOR_ACTIVITY: 'false', BOTGRAPH_MODULE_LOG: log, ...env },
    30_000,
    PRELOAD,
  );
  children.push(replica);
  return { replica, modules: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

async function gql(url: string, query: string) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: unknown[] };
}

const QUERY = `{ providers { provider mode enabled } conversations(first: 3) { nodes { id messages(first: 1) { nodes { text } } } } }`;

describe('what a start loads', () => {
  it('every provider REMOTE: no simulator module, even after serving a query', async () => {
    const { replica, modules } = await start('remote', {
      CLOSER_BASE_URL: closer.url,
      CLOSER_API_KEY: closer.apiKey,
      // REMOTE providers need auth and the webhook secret; this test runs open on purpose.
      CLOSER_WEBHOOK_SECRET: 'remote-start-secret',
      BOTGRAPH_AUTH: 'off',
      BOTONE_BASE_URL: botone.url,
      BOTONE_USERNAME: botone.username,
      BOTONE_PASSWORD: botone.password,
      BOTONE_BOT_IDS: botone.botIds.join(','),
      ...cxoneRemoteEnv(cxone),
    });
    const res = await gql(replica.url, QUERY);
    expect(res.errors).toBeUndefined();
    expect(res.data.providers.map((p: { mode: string }) => p.mode)).toEqual(['REMOTE', 'REMOTE', 'REMOTE']);
    expect(res.data.conversations.nodes).toHaveLength(3);

    const loaded = modules();
    // The log works: the adapters and the server were seen.
    expect(loaded.some((url) => url.endsWith('/src/providers/registry.ts'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/src/server.ts'))).toBe(true);
    expect(loaded.filter((url) => SIMULATOR_CODE.test(url))).toEqual([]);
  });

  it('the demo start (no base URLs) does load the simulators: the check can see them', async () => {
    const { replica, modules } = await start('demo', {});
    const res = await gql(replica.url, `{ providers { mode } }`);
    expect(res.data.providers.map((p: { mode: string }) => p.mode)).toEqual(['SIMULATOR', 'SIMULATOR', 'SIMULATOR']);
    const simulatorModules = modules().filter((url) => SIMULATOR_CODE.test(url));
    for (const slug of ['closer', 'botone', 'cxone']) {
      expect(simulatorModules.some((url) => url.includes(`/src/providers/${slug}/simulator/`))).toBe(true);
    }
  });
});
