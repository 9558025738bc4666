/**
 * Fan-out by cohort: subscribers with the same document, variables and scope share one execution
 * per event; each still gets every event exactly once, in order, on its own operation id; a
 * resuming subscriber (`since`) runs alone and gets its replay; members leave one by one without
 * ending the others, and the last one lets the topic's poller go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { encodeId } from '../../../src/ids.js';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, subscribersOf, waitFor, wsClient, type Collected } from '../../helpers/live.js';
import { FAST_POLLS, MSG, SUB_MESSAGES, conversationsOf, pool, type Conv, type Msg } from './support.js';

let bg: TestBotgraph;
const clients: Client[] = [];
let closerActive: ReturnType<typeof pool<Conv>>;
const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: {conversationId: $id, text: $text}) { message { nativeId text } } }`;

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS });
  for (let i = 0; i < 3; i++) clients.push(wsClient(bg));
  closerActive = pool((await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 100)).filter((c) => c.handoff === 'BOT'));
});

afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
});

/** n subscriptions spread over the three sockets (at most 25 each). */
function many(n: number, query: string, variables: Record<string, unknown>): Array<Collected<Msg>> {
  return Array.from({ length: n }, (_, i) => collect<Msg>(clients[i % clients.length]!, query, variables));
}

async function send(id: string, text: string): Promise<void> {
  const res = await bg.gql(SEND, { id, text });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
}

describe('fan-out by cohort', () => {
  it('60 subscribers of one document and variables are one cohort: one execution per event, every subscriber gets it once', async () => {
    const conv = closerActive.take();
    const subs = many(60, SUB_MESSAGES, { id: conv.id });
    await subscribed(bg, 60, `msg:CLOSER:${conv.nativeId}`);
    expect(bg.app.cohorts.size).toBe(1);
    const executions = bg.app.cohorts.executions;

    const texts = [`cohort one ${Date.now()}`, `cohort two ${Date.now()}`];
    for (const text of texts) await send(conv.id, text);
    for (const s of subs) await s.waitFor((es) => es.length >= 2, 'both events');
    // Polls and CLOSER's webhook see both messages again: still two events each, in order.
    await waitFor(() => bg.app.live.pollers.snapshot().find((p) => p.topic === `msg:CLOSER:${conv.nativeId}`)!.polls >= 3, 'a few polls');
    for (const s of subs) {
      expect(s.error).toBeUndefined();
      expect(s.events.map((e) => e.text)).toEqual(texts);
    }
    // The same event, byte for byte, to all of them; executed twice in all (once per event), not 120 times.
    expect(new Set(subs.map((s) => JSON.stringify(s.results)))).toHaveProperty('size', 1);
    expect(bg.app.cohorts.executions - executions).toBe(2);

    // Leaving one by one: the others go on; the poller counts each member until it leaves.
    for (const s of subs.slice(0, 59)) s.stop();
    await waitFor(() => subscribersOf(bg, `msg:CLOSER:${conv.nativeId}`) === 1, 'one subscriber left');
    const last = subs[59]!;
    await send(conv.id, 'to the last one');
    await last.waitFor((es) => es.length === 3, 'the third event');
    expect(last.events[2]).toMatchObject({ text: 'to the last one' });
    for (const s of subs.slice(0, 59)) expect(s.events).toHaveLength(2);
    last.stop();
    await waitFor(() => subscribersOf(bg) === 0 && bg.app.cohorts.size === 0, 'the cohort and its poller to go');
  });

  it('another selection or other variables make another cohort; a subscriber with since runs alone and gets its replay', async () => {
    const a = closerActive.take();
    const b = closerActive.take();
    const first = `before ${Date.now()}`;
    await send(a.id, first);
    const plain = many(5, SUB_MESSAGES, { id: a.id });
    const other = many(5, `subscription($id: ID!) { messageAdded(conversationId: $id) { ${MSG} createdAt } }`, { id: a.id });
    // A frame under 126 bytes has the short WebSocket header; the others the 16-bit one.
    const tiny = many(3, `subscription($id: ID!) { messageAdded(conversationId: $id) { sender } }`, { id: a.id });
    const onB = many(5, SUB_MESSAGES, { id: b.id });
    await subscribed(bg, 13, `msg:CLOSER:${a.nativeId}`);
    await subscribed(bg, 5, `msg:CLOSER:${b.nativeId}`);
    expect(bg.app.cohorts.size).toBe(4);
    // The one before: resumed from the start of time.
    const resumed = collect<Msg>(clients[0]!, SUB_MESSAGES, { id: a.id, since: '2000-01-01T00:00:00Z' });
    await resumed.waitFor((es) => es.some((e) => e.text === first), 'the replayed message');
    expect(bg.app.cohorts.size).toBe(4);

    const text = `live ${Date.now()}`;
    await send(a.id, text);
    for (const s of [...plain, ...other, resumed]) await s.waitFor((es) => es.some((e) => e.text === text), 'the live event');
    for (const s of [...plain, ...other]) expect(s.events.map((e) => e.text)).toEqual([text]);
    expect(resumed.events.filter((e) => e.text === text)).toHaveLength(1);
    expect(resumed.events.at(-1)!.text).toBe(text);
    expect((other[0]!.events[0] as Msg & { createdAt?: string }).createdAt).toBeTruthy();
    for (const s of tiny) await s.waitFor((es) => es.length === 1, 'the tiny frame');
    for (const s of tiny) expect(s.events).toEqual([{ sender: 'OPERATOR' }]);
    expect(JSON.stringify(tiny[0]!.results[0]).length).toBeLessThan(126);
    for (const s of onB) expect(s.events).toHaveLength(0);
    for (const s of [...plain, ...other, ...tiny, ...onB, resumed]) s.stop();
    await waitFor(() => subscribersOf(bg) === 0 && bg.app.cohorts.size === 0, 'every cohort to go');
  });

  it('an error before the first event reaches every subscriber of the would-be cohort, and leaves no cohort', async () => {
    const missing = encodeId({ provider: 'CLOSER', type: 'Conversation', nativeId: 'no-such-conversation', scope: [] });
    const subs = many(4, SUB_MESSAGES, { id: missing });
    for (const s of subs) await s.ended();
    for (const s of subs) expect(JSON.stringify(s.error)).toContain('NOT_FOUND');
    expect(bg.app.cohorts.size).toBe(0);
  });
});
