import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './wait.js';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A private redis-server on a free port, with no persistence, for one test file. Tests never use
 * the machine's own Redis.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connects are expected while the server starts; `connect()` rejects, so the event is noise.
  probe.on('error', () => {});
  let ready = false;
  for (let i = 0; i < 100 && !ready; i++) {
    try {
      await probe.connect();
      ready = (await probe.ping()) === 'PONG';
    } catch {
      probe.disconnect();
      await sleep(50);
    }
  }
  probe.disconnect();
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error('redis-server did not start (is it installed? .ci/run installs it)');
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
