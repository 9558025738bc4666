/**
 * docs/clients/resume.ts as written: the connection is cut by a real TCP proxy, messages are sent
 * while it is down, and after the reconnect `since` delivers exactly those, in order, once.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followMessages, type Message } from '../../docs/clients/resume.js';
import { queryOverGet } from '../../docs/clients/get.js';
import { startTestBotgraph, type TestBotgraph } from '../helpers/botgraph.js';
import { subscribed, subscribersOf, waitFor } from '../helpers/live.js';
import { freePort } from '../helpers/wait.js';

let bg: TestBotgraph;

/** A TCP proxy in front of botgraph that can drop every connection and refuse new ones. */
async function proxy(targetPort: number) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server?.close(() => resolve());
    });
  await up();
  return { url: `ws://127.0.0.1:${port}/graphql`, up, down };
}

beforeAll(async () => {
  bg = await startTestBotgraph({ POLL_INTERVAL_MS: '200', POLL_FAST_INTERVAL_MS: '200', POLL_IDLE_INTERVAL_MS: '200', POLL_GRACE_MS: '300' });
});

const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $text }) { message { text } } }`;

describe('graphql-ws with since (docs/clients/resume.ts)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => stop?.());

  it('resumes after a dropped connection with what was missed, in order, each once', async () => {
    const list = await bg.gql(`{ conversations(first: 20, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id } } }`);
    const id = list.data.conversations.nodes[1].id as string;
    const net = await proxy(bg.app.port);
    const got: Message[] = [];
    stop = followMessages(net.url, id, (m) => got.push(m)).stop;
    await subscribed(bg, 1, 'msg:');

    const tag = Date.now();
    expect((await bg.gql(SEND, { id, text: `before-${tag}` })).errors).toBeUndefined();
    await waitFor(() => got.some((m) => m.text === `before-${tag}`), 'the live message');

    await net.down();
    await waitFor(() => subscribersOf(bg, 'msg:') === 0, 'botgraph to see the socket go');
    const missed = [`missed-1-${tag}`, `missed-2-${tag}`];
    for (const text of missed) expect((await bg.gql(SEND, { id, text })).errors).toBeUndefined();
    await net.up();

    await waitFor(() => missed.every((t) => got.some((m) => m.text === t)), 'the missed messages after the reconnect', 10_000);
    expect((await bg.gql(SEND, { id, text: `after-${tag}` })).errors).toBeUndefined();
    await waitFor(() => got.some((m) => m.text === `after-${tag}`), 'a live message after the resume');

    const mine = got.map((m) => m.text).filter((t) => t?.endsWith(String(tag)));
    expect(mine).toEqual([`before-${tag}`, ...missed, `after-${tag}`]);
    expect(new Set(got.map((m) => m.eventCursor)).size).toBe(got.length);
  });
});

describe('GET (docs/clients/get.ts)', () => {
  it('runs a query over GET with apollo-require-preflight; without it Apollo refuses (CSRF)', async () => {
    const res = await queryOverGet(`${bg.url}/graphql`, 'query($p: [Provider!]) { bots(providers: $p) { name } }', { p: ['CLOSER'] });
    expect(res.errors).toBeUndefined();
    expect((res.data as { bots: unknown[] }).bots.length).toBeGreaterThan(0);
    const bare = await fetch(`${bg.url}/graphql?query=${encodeURIComponent('{ bots { name } }')}`);
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as any).errors[0].message).toMatch(/Cross-Site Request Forgery/);
  });
});
