/**
 * `npm start` as a process supervisor runs it: it builds first (prestart), runs plain JavaScript,
 * drains on SIGTERM sent to npm (WebSockets closed with 1001, exit 0), leaves no child behind when
 * npm is killed outright, and a bad or unreachable REDIS_URL stops it with one line naming the
 * variable instead of a stack trace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { freePort, waitFor } from '../../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function env(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    HOST: '127.0.0.1',
    SIMULATOR_ACTIVITY: 'false',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

function run(args: string[], extra: Record<string, string>) {
  const child = spawn(args[0] as string, args.slice(1), { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, out: () => out, err: () => err };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('builds, serves, and drains on SIGTERM to npm: sockets close with 1001, exit 0', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const t0 = Date.now();
    const npm = run(['npm', 'start', '--silent'], { PORT: String(port) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true, 'botgraph to serve', 60_000, 50);
    const readyMs = Date.now() - t0;
    const pid = Number(/"pid":(\d+)/.exec(npm.out())?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(npm.child.pid);

    const closes: number[] = [];
    let opened = false;
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
      on: { connected: () => void (opened = true), closed: (e) => void closes.push((e as { code: number }).code) },
    });
    const ended = new Promise<void>((resolve) => {
      client.subscribe({ query: 'subscription { handoffRequested { id } }' }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
    await waitFor(() => client !== undefined && opened, 'the socket to open', 10_000);

    npm.child.kill('SIGTERM');
    const exit = await npm.exited;
    await ended;
    await waitFor(() => !alive(pid), 'botgraph’s node process to exit', 15_000, 50);
    console.log(`[process] npm start ready in ${readyMs} ms (build included); SIGTERM → exit ${JSON.stringify(exit)}, WS close ${closes.join(',')}`);
    expect(exit.code).toBe(0);
    expect(closes).toContain(1001);
    expect(npm.out()).toContain('shutting down');
    void client.dispose();
  });

  it('leaves no botgraph process behind when npm is killed with SIGKILL', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const npm = run(['npm', 'start', '--silent'], { PORT: String(port) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true, 'botgraph to serve', 60_000, 50);
    const pid = Number(/"pid":(\d+)/.exec(npm.out())?.[1]);
    expect(alive(pid)).toBe(true);
    npm.child.kill('SIGKILL');
    await waitFor(() => !alive(pid), 'the orphaned botgraph to notice and exit', 15_000, 50);
  });
});

describe('Redis at start', () => {
  it('an unreachable REDIS_URL is one line naming the variable, without the password, exit 2', async () => {
    const port = await freePort();
    const dead = await freePort();
    const p = run([process.execPath, '--import', 'tsx', 'src/main.ts'], { PORT: String(port), REDIS_URL: `redis://:hunter2@127.0.0.1:${dead}` });
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^botgraph: cannot start: REDIS_URL: cannot reach Redis at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
    expect(p.err() + p.out()).not.toContain('hunter2');
    expect(p.err()).not.toMatch(/\n\s+at /);
  });

  it('a malformed REDIS_URL names the variable, exit 2', async () => {
    const p = run([process.execPath, '--import', 'tsx', 'src/main.ts'], { PORT: '0', REDIS_URL: 'http://nope' });
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.err().trim()).toBe('botgraph: bad configuration: REDIS_URL: must be redis:// or rediss://');
  });
});
