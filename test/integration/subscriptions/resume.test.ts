/**
 * Resuming with `since`: a client whose socket dies while events keep coming reconnects with its
 * last `eventCursor` and gets exactly what it missed, in order, then live events, each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, morePolls, sleep, subscribed, subscribersOf, waitFor, wsClient, type Collected } from '../../helpers/live.js';
import { FAST_POLLS, SUB_CONVERSATIONS, SUB_MESSAGES, closerSim, conversationsOf, cursorMs, errorsOf, type Conv, type Msg } from './support.js';

const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: {conversationId: $id, text: $text}) { message { nativeId } } }`;
const N = 30;

let bg: TestBotgraph;
let x: Conv;
const clients: Client[] = [];

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer' });
  x = (await conversationsOf(bg, 'CLOSER', ['ACTIVE'])).find((c) => c.handoff === 'BOT')!;
});

afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
});

/** A graphql-ws client whose sockets the test can kill at the TCP level. */
function killableClient(): { client: Client; kill(): void } {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  const client = wsClient(bg, { webSocketImpl: Tracked });
  clients.push(client);
  return { client, kill: () => sockets.forEach((s) => s.terminate()) };
}

const key = (e: { eventCursor?: string | null; id: string }) => `${e.eventCursor}|${e.id}`;

/** The union of what the first and the resumed subscription got, with the count of duplicates. */
function union<T extends { eventCursor?: string | null; id: string }>(before: T[], after: T[]): { all: string[]; duplicates: number } {
  const all = [...before, ...after].map(key);
  return { all, duplicates: all.length - new Set(all).size };
}

let reference: { messages: Collected<Msg>; updates: Collected<Conv> };

describe('since', () => {
  it('an eventCursor resumes across a killed socket with 0 lost and 0 duplicated, in order', async () => {
    const ref = wsClient(bg);
    clients.push(ref);
    reference = {
      messages: collect<Msg>(ref, SUB_MESSAGES, { id: x.id }),
      updates: collect<Conv>(ref, SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] } }),
    };
    const first = killableClient();
    const before = {
      messages: collect<Msg>(first.client, SUB_MESSAGES, { id: x.id }),
      updates: collect<Conv>(first.client, SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] } }),
    };
    await waitFor(() => subscribersOf(bg, 'msg:CLOSER') >= 2 && subscribersOf(bg, 'conv:CLOSER') >= 2, 'four subscriptions');

    // Messages keep coming, one every ~20 ms, while the socket dies and comes back.
    let sent = 0;
    const producing = (async () => {
      for (let i = 0; i < N; i++) {
        const res = await bg.gql(SEND, { id: x.id, text: `resume ${i}` });
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
        sent++;
        // A pace, not a wait for something: a slower one on a loaded machine changes no assertion.
        await sleep(20);
      }
    })();

    await before.messages.waitFor((es) => es.length >= 5, 'five messages before the cut');
    first.kill();
    await before.messages.ended();
    const cutAt = sent;
    const lastMessage = before.messages.events.at(-1)!.eventCursor!;
    const lastUpdate = before.updates.events.at(-1)!.eventCursor!;
    // Stay away while more happens.
    await waitFor(() => sent >= cutAt + 5, 'five messages while disconnected');

    const second = killableClient();
    const after = {
      messages: collect<Msg>(second.client, SUB_MESSAGES, { id: x.id, since: lastMessage }),
      updates: collect<Conv>(second.client, SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] }, since: lastUpdate }),
    };
    await producing;
    await reference.messages.waitFor((es) => es.length >= N, `${N} messages on the reference`);
    const lastRef = reference.messages.events.at(-1)!.eventCursor;
    const lastRefUpdate = reference.updates.events.at(-1)!.eventCursor;
    await after.messages.waitFor((es) => es.at(-1)?.eventCursor === lastRef, 'the resumed messages to catch up');
    await after.updates.waitFor((es) => es.at(-1)?.eventCursor === lastRefUpdate, 'the resumed updates to catch up');
    // Polls and CLOSER's webhook see the same messages again later: nothing more may arrive. Shown
    // without a fixed wait. The webhook: a console change of the bot (a `bot.updated`, which only
    // the webhook carries) is batched after every message and the batches go out in order, so once
    // it is in the log the webhook has delivered the messages too. The polls: two more of each topic.
    const botId = x.bot!.nativeId;
    closerSim(bg).console.updateBot(botId, { description: `resume marker ${Date.now()}` });
    await waitFor(
      async () =>
        (await bg.app.infra.events.history(lastRef!, 1_000)).some(
          (e) => e.event.kind === 'entityChanged' && e.event.entity === 'bot' && e.event.nativeId === botId,
        ),
      'the bot change to come through the webhook after the messages',
    );
    await morePolls(bg, 2, 'msg:CLOSER');
    await morePolls(bg, 2, 'conv:CLOSER');

    const messages = union(before.messages.events, after.messages.events);
    const updates = union(before.updates.events, after.updates.events);
    expect(messages.duplicates).toBe(0);
    expect(updates.duplicates).toBe(0);
    expect(messages.all).toEqual(reference.messages.events.map(key));
    expect(updates.all).toEqual(reference.updates.events.map(key));
    expect(reference.messages.events.map((m) => m.text)).toEqual(Array.from({ length: N }, (_, i) => `resume ${i}`));
    // Some of it really was missed and replayed: the cut fell in the middle.
    expect(before.messages.events.length).toBeLessThan(N);
    expect(after.messages.events.length).toBeGreaterThanOrEqual(5);

    // And the reference is the event log itself.
    const log = (await bg.app.infra.events.history('0-0', 10_000)).filter(
      (e) => e.event.kind === 'message' && e.event.message.conversationNativeId === x.nativeId,
    );
    expect(log.map((e) => e.id)).toEqual(reference.messages.events.map((m) => m.eventCursor));
    const lost = reference.messages.events.length - new Set(messages.all).size;
    console.info(
      `[measure] resume: ${N} messages, ${before.messages.events.length} before the cut, ${after.messages.events.length} after (replayed + live); lost ${lost}, duplicated ${messages.duplicates}; ` +
        `${reference.updates.events.length} conversation updates, duplicated ${updates.duplicates}`,
    );
  });

  it('an ISO time replays everything logged at or after it', async () => {
    // A copy: the reference subscription stays live and gets this test's message too.
    const events = [...reference.messages.events];
    const from = cursorMs(events[10]!.eventCursor!);
    const expected = events.filter((e) => cursorMs(e.eventCursor!) >= from).map(key);
    const c = wsClient(bg);
    clients.push(c);
    const replay = collect<Msg>(c, SUB_MESSAGES, { id: x.id, since: new Date(from).toISOString() });
    await replay.waitFor((es) => es.length >= expected.length, 'the replay');

    // A day before everything: the whole history of the conversation.
    const all = collect<Msg>(c, SUB_MESSAGES, { id: x.id, since: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) });
    await all.waitFor((es) => es.length >= events.length, 'the whole replay');
    expect(all.events.map(key)).toEqual(events.map(key));

    // The newest cursor: nothing to replay, then live events.
    const live = collect<Msg>(c, SUB_MESSAGES, { id: x.id, since: events.at(-1)!.eventCursor });
    await subscribed(bg, 3, `msg:CLOSER:${x.nativeId}`);
    expect((await bg.gql(SEND, { id: x.id, text: 'after the replay' })).errors).toBeUndefined();
    // The live message is the later event: a replay (or a repeat) would have come before it on this
    // socket, so once it is here each stream holds exactly what it should.
    await live.waitFor((es) => es.some((e) => e.text === 'after the replay'), 'the live message');
    await replay.waitFor((es) => es.some((e) => e.text === 'after the replay'), 'the live message on the ISO replay');
    await all.waitFor((es) => es.some((e) => e.text === 'after the replay'), 'the live message on the whole replay');
    expect(live.events.map((e) => e.text)).toEqual(['after the replay']);
    expect(replay.events.slice(0, -1).map(key)).toEqual(expected);
    expect(all.events.slice(0, -1).map(key)).toEqual(events.map(key));
    expect(all.events.at(-1)!.text).toBe('after the replay');
  });

  it('a malformed since is BAD_USER_INPUT on each subscription', async () => {
    const held = subscribersOf(bg);
    const c = wsClient(bg);
    clients.push(c);
    const bad = ['yesterday', '2024-13-45T00:00:00Z', '2024-01-01T10:00:00', '1-2-3', '-1', '12345678901234567-0'];
    const subs = bad.flatMap((since) => [
      collect(c, SUB_MESSAGES, { id: x.id, since }),
      collect(c, SUB_CONVERSATIONS, { since }),
      collect(c, `subscription($since: String) { handoffRequested(since: $since) { id } }`, { since }),
    ]);
    for (const s of subs) await s.ended();
    for (const s of subs) {
      expect(s.events).toHaveLength(0);
      expect(errorsOf(s)[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    // None of them left a poller behind.
    expect(subscribersOf(bg)).toBe(held);
  });
});
