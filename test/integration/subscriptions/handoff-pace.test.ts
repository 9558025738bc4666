/**
 * CLOSER's `GET /openapi/conversation/{id}/manual` — the document: "특정 대화의 상담원 연결 상태
 * 가져오기" (get a conversation's agent-connection state) — is the read a `messageAdded` poller
 * makes at its start, beside its first messages read: the poller needs only that state (an agent
 * involved → the fast pace), and this is the smallest read that says it. Before, a conversation
 * already with an agent polled at the normal pace until some event said otherwise.
 * docs/providers/closer.md ("`GET …/manual`") says why no other read uses it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor, wsClient } from '../../helpers/live.js';
import { messageTopic } from '../../../src/subscriptions/topics.js';
import { SUB_MESSAGES, conversationsOf, type Conv } from './support.js';

const MANUAL = 'GET /openapi/conversation/:id/manual';
const MESSAGES = 'GET /openapi/conversation/:id/message';
/** The normal pace is slow enough that a poller at it cannot make the polls the fast pace makes in the test's window. */
const PACES = { POLL_INTERVAL_MS: '6000', POLL_FAST_INTERVAL_MS: '100', POLL_IDLE_INTERVAL_MS: '6000', POLL_GRACE_MS: '300' };

let bg: TestBotgraph;
let withAgent: Conv[];
let withBot: Conv[];
const clients: Client[] = [];

beforeAll(async () => {
  bg = await startTestBotgraph(PACES);
  withAgent = (await conversationsOf(bg, 'CLOSER', ['WITH_OPERATOR'])).filter((c) => c.handoff === 'OPERATOR');
  withBot = (await conversationsOf(bg, 'CLOSER', ['ACTIVE'])).filter((c) => c.handoff === 'BOT');
  expect(withAgent.length).toBeGreaterThanOrEqual(2);
  expect(withBot.length).toBeGreaterThanOrEqual(1);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map(async (c) => c.dispose()));
  await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'every poller to stop', 3_000);
});

const routes = async (provider: 'CLOSER' | 'BOTONE') =>
  Object.fromEntries(Object.entries((await bg.stats(provider)).routes).filter(([, n]) => n > 0));

describe('messageAdded learns the handoff state from GET …/manual', () => {
  it("the first poll reads …/manual beside the messages and takes the fast pace when an agent has the conversation; later polls don't read it", async () => {
    const runtime = bg.app.registry.runtimes.get('CLOSER')!;
    const agent = withAgent[0]!;
    const topic = messageTopic(runtime, bg.app.live.bus, agent.nativeId, []);
    try {
      await bg.resetStats();
      const first = await topic.poll(null);
      expect(first.pace).toBe('fast');
      // One read of the state and one of the messages: nothing else.
      expect(await routes('CLOSER')).toEqual({ [MANUAL]: 1, [MESSAGES]: 1 });
      await bg.resetStats();
      const second = await topic.poll(first.state);
      expect(second.pace).toBe('fast');
      expect(await routes('CLOSER')).toEqual({ [MESSAGES]: 1 });
    } finally {
      topic.dispose?.();
    }

    // With the bot (`manual.status: NONE`): the normal pace.
    const bot = messageTopic(runtime, bg.app.live.bus, withBot[0]!.nativeId, []);
    try {
      expect((await bot.poll(null)).pace).toBe('normal');
    } finally {
      bot.dispose?.();
    }
  });

  it('a conversation botgraph has not seen change: the subscription polls at the fast pace from its start', async () => {
    const agent = withAgent[1]!;
    const client = wsClient(bg);
    clients.push(client);
    const topic = `msg:CLOSER:${agent.nativeId}`;
    collect(client, SUB_MESSAGES, { id: agent.id });
    await subscribed(bg, 1, topic);
    const started = Date.now();
    const polls = () => bg.app.live.pollers.snapshot().find((p) => p.topic === topic)?.polls ?? 0;
    // At the normal pace (6 s) the second poll comes 6 s after the first; at the fast one, 100 ms.
    await waitFor(() => polls() >= 4, 'four polls', 5_000);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('a vendor with no such read (Bot.one) makes no extra call', async () => {
    const runtime = bg.app.registry.runtimes.get('BOTONE')!;
    const [conv] = await conversationsOf(bg, 'BOTONE', ['ACTIVE'], 1);
    const ds = runtime.forRequest();
    expect('handoffState' in ds).toBe(false);
    const parts = Buffer.from(conv!.id, 'base64url').toString('utf8').split('|').map(decodeURIComponent);
    const topic = messageTopic(runtime, bg.app.live.bus, conv!.nativeId, parts.slice(4));
    try {
      await bg.resetStats();
      await topic.poll(null);
      expect((await bg.stats('BOTONE')).total).toBe(1);
    } finally {
      topic.dispose?.();
    }
  });
});
