/**
 * Each subscription gets the right events from botgraph's own mutations, from changes made on the
 * simulators behind botgraph's back (seen by the pollers), and CXone's live activity played one
 * step at a time; filters deliver only what matches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect as collectOn, morePolls, subscribed, subscribersOf, waitFor, wsClient, type Collected } from '../../helpers/live.js';
import type { CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import {
  FAST_POLLS,
  SUB_CONVERSATIONS,
  SUB_HANDOFFS,
  SUB_MESSAGES,
  botoneApi,
  closerApi,
  closerSim,
  conversationsOf,
  pool,
  type Conv,
  type Msg,
} from './support.js';

let bg: TestBotgraph;
let client: Client;
let closerActive: ReturnType<typeof pool<Conv>>;
let botoneActive: ReturnType<typeof pool<Conv>>;

const START_HANDOFF = `mutation($id: ID!) { startHandoff(input: {conversationId: $id}) { conversation { id handoff status } } }`;
const END_HANDOFF = `mutation($id: ID!) { endHandoff(input: {conversationId: $id}) { conversation { id handoff status } } }`;
const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: {conversationId: $id, text: $text}) { message { nativeId text } } }`;

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS });
  client = wsClient(bg);
  closerActive = pool((await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 100)).filter((c) => c.handoff === 'BOT'));
  botoneActive = pool(await conversationsOf(bg, 'BOTONE', ['ACTIVE'], 100));
});

afterAll(async () => {
  await client?.dispose();
});

/** Every subscription of a test ends with it, passed or failed, so the next starts clean. */
const open: Array<Collected<unknown>> = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.stop();
  // The server has let them go: the next test's `subscribed` counts only its own subscribers.
  await waitFor(() => subscribersOf(bg) === 0, 'the subscriptions to end');
});
function collect<T>(c: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const s = collectOn<T>(c, query, variables);
  open.push(s);
  return s;
}

/** Lets pollers from an earlier test finish, so each test starts with none. */
async function noPollers(): Promise<void> {
  await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'the pollers of the previous test to stop', 5_000).catch((error) => {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(bg.app.live.pollers.snapshot())}`);
  });
}

function stopAll(...subs: Array<Collected<unknown>>): void {
  for (const s of subs) s.stop();
}

describe('events from mutations', () => {
  it('startHandoff on CLOSER and Bot.one delivers conversationUpdated with the new handoff at once, once', async () => {
    const updates = collect<Conv>(client, SUB_CONVERSATIONS);
    await subscribed(bg, 1, 'conv:CLOSER');
    const closer = closerActive.take();
    const botone = botoneActive.take();

    for (const conv of [closer, botone]) {
      const sent = Date.now();
      const res = await bg.gql(START_HANDOFF, { id: conv.id });
      const answered = Date.now();
      expect(res.errors).toBeUndefined();
      const [event] = await updates.waitFor((es) => es.some((e) => e.id === conv.id), `${conv.provider} conversationUpdated`, 2_000);
      const i = updates.events.findIndex((e) => e.id === conv.id);
      const got = updates.events[i] as Conv;
      expect(event).toBeDefined();
      expect(got).toMatchObject({ provider: conv.provider, status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
      expect(got.eventCursor).toMatch(/^\d+-\d+$/);
      // Published before the mutation answered: no poll interval in between.
      expect(updates.times[i]! - answered).toBeLessThan(150);
      console.info(
        `[measure] ${conv.provider} startHandoff → conversationUpdated: ${updates.times[i]! - sent} ms after sending, ${updates.times[i]! - answered} ms after the answer`,
      );
    }

    // Later polls (and CLOSER's webhook) see the same versions: nothing is announced twice.
    const polls = bg.app.live.pollers.snapshot().find((p) => p.topic === 'conv:CLOSER')!.polls;
    await waitFor(() => bg.app.live.pollers.snapshot().find((p) => p.topic === 'conv:CLOSER')!.polls >= polls + 3, '3 more polls');
    expect(updates.events.filter((e) => e.id === closer.id)).toHaveLength(1);
    expect(updates.events.filter((e) => e.id === botone.id)).toHaveLength(1);
    expect(updates.error).toBeUndefined();
    stopAll(updates);
  });

  it('sendMessage on CLOSER delivers messageAdded on that conversation only, once', async () => {
    const a = closerActive.take();
    const b = closerActive.take();
    const onA = collect<Msg>(client, SUB_MESSAGES, { id: a.id });
    const onB = collect<Msg>(client, SUB_MESSAGES, { id: b.id });
    await subscribed(bg, 2, 'msg:CLOSER');
    const text = `operator says hi ${Date.now()}`;
    const res = await bg.gql(SEND, { id: a.id, text });
    const answered = Date.now();
    expect(res.errors).toBeUndefined();
    await onA.waitFor((es) => es.length >= 1, 'messageAdded on A', 2_000);
    expect(onA.events[0]).toMatchObject({ nativeId: res.data.sendMessage.message.nativeId, text, sender: 'OPERATOR' });
    expect(onA.times[0]! - answered).toBeLessThan(150);
    console.info(`[measure] CLOSER sendMessage → messageAdded: ${onA.times[0]! - answered} ms after the answer`);

    // The message poller of A and CLOSER's webhook see the same message again: still one event.
    const polls = bg.app.live.pollers.snapshot().find((p) => p.topic === `msg:CLOSER:${a.nativeId}`)!.polls;
    await waitFor(() => bg.app.live.pollers.snapshot().find((p) => p.topic === `msg:CLOSER:${a.nativeId}`)!.polls >= polls + 3, '3 more polls');
    expect(onA.events).toHaveLength(1);
    expect(onB.events).toHaveLength(0);
    stopAll(onA, onB);
  });
});

describe('events a poller finds', () => {
  it('a Bot.one /stop made on the simulator gives handoffRequested and conversationUpdated', async () => {
    // Issue #11, point 3. The document: `updated` is "Дата и время публикации последнего сообщения в
    // диалоге" (the time of the last message) and UpdatedFrom filters "по дате последнего сообщения
    // респондента в диалоге" (the respondent's last message): a /stop publishes no message, so neither
    // moves, and a watermark on them cannot see it. The poll sweeps the unfinished conversations' versions.
    await noPollers();
    const handoffs = collect<Conv>(client, SUB_HANDOFFS, { p: ['BOTONE'] });
    const updates = collect<Conv>(client, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'] } });
    await subscribed(bg, 2, 'conv:BOTONE:1446');
    // Let every Bot.one poller take its first look (the watermark) before the change.
    await waitFor(() => bg.app.live.pollers.snapshot().every((p) => p.polls >= 2), 'first polls');
    const conv = botoneActive.take();
    await botoneApi(bg, 'POST', `/api/v2/conversation/${conv.nativeId}/stop`);

    const [h] = await handoffs.waitFor((es) => es.length >= 1, 'handoffRequested for the stopped conversation');
    expect(h).toMatchObject({ id: conv.id, provider: 'BOTONE', status: 'WITH_OPERATOR' });
    await updates.waitFor((es) => es.some((e) => e.id === conv.id), 'conversationUpdated for it');
    expect(updates.events.find((e) => e.id === conv.id)).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
    expect(handoffs.events.every((e) => e.provider === 'BOTONE')).toBe(true);
    // An operator message sent on the simulator is a new message for messageAdded.
    const messages = collect<Msg>(client, SUB_MESSAGES, { id: conv.id });
    await subscribed(bg, 1, `msg:BOTONE:${conv.nativeId}`);
    await waitFor(() => bg.app.live.pollers.snapshot().find((p) => p.topic === `msg:BOTONE:${conv.nativeId}`)!.polls >= 2, 'first message polls');
    const text = `Оператор на связи ${Date.now()}`;
    await botoneApi(bg, 'POST', `/api/v2/conversation/${conv.nativeId}/send`, { body: text });
    await messages.waitFor((es) => es.some((m) => m.text === text), 'the operator message');
    expect(messages.events.find((m) => m.text === text)?.sender).toBe('OPERATOR');
    expect(handoffs.events).toHaveLength(1);
    stopAll(handoffs, updates, messages);
  });

  it('CXone activity played with tick(): new conversations and handovers arrive', async () => {
    await noPollers();
    const cx = bg.sim('CXONE') as CxoneSimulator;
    const updates = collect<Conv>(client, SUB_CONVERSATIONS, { f: { providers: ['CXONE'] } });
    const handoffs = collect<Conv>(client, SUB_HANDOFFS, { p: ['CXONE'] });
    await subscribed(bg, 2, 'conv:CXONE');
    await waitFor(() => bg.app.live.pollers.snapshot().every((p) => p.polls >= 2), 'first polls');

    const played: Array<{ move: string; conversationId: string }> = [];
    let handover: { move: string; conversationId: string } | undefined;
    for (let i = 0; i < 400 && !handover; i++) {
      const step = cx.tick();
      played.push(step);
      if (step.move === 'handover') handover = step;
    }
    expect(handover, 'some tick hands a conversation over').toBeDefined();
    const fresh = played.find((s) => s.move === 'new');
    expect(fresh).toBeDefined();

    const [h] = await handoffs.waitFor((es) => es.some((e) => e.nativeId === handover!.conversationId), 'handoffRequested for the handover', 6_000);
    expect(h!.provider).toBe('CXONE');
    expect(handoffs.events.find((e) => e.nativeId === handover!.conversationId)?.status).toBe('WITH_OPERATOR');
    await updates.waitFor((es) => es.some((e) => e.nativeId === fresh!.conversationId), 'conversationUpdated for the new conversation', 6_000);
    // Every conversation a tick touched is announced (handovers also as conversationUpdated).
    const touched = new Set(played.map((s) => s.conversationId));
    await updates.waitFor((es) => [...touched].every((id) => es.some((e) => e.nativeId === id)), 'every touched conversation', 6_000);
    expect(updates.events.every((e) => e.provider === 'CXONE')).toBe(true);
    stopAll(updates, handoffs);
  });
});

describe('conversationUpdated(filter)', () => {
  it('delivers only conversations matching providers, statuses and botIds', async () => {
    await noPollers();
    const a = closerActive.take();
    const b = closerActive.take((c) => c.bot?.nativeId !== a.bot?.nativeId);
    const c = botoneActive.take();
    const subs = {
      all: collect<Conv>(client, SUB_CONVERSATIONS),
      botone: collect<Conv>(client, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'] } }),
      botA: collect<Conv>(client, SUB_CONVERSATIONS, { f: { botIds: [a.bot!.id] } }),
      operator: collect<Conv>(client, SUB_CONVERSATIONS, { f: { statuses: ['WITH_OPERATOR'] } }),
      active: collect<Conv>(client, SUB_CONVERSATIONS, { f: { statuses: ['ACTIVE'], providers: ['CLOSER', 'BOTONE'] } }),
    };
    await waitFor(() => subscribersOf(bg, 'conv:CLOSER') >= 4 && subscribersOf(bg, 'conv:BOTONE:1446') >= 4, 'the five subscriptions');

    for (const conv of [a, b, c]) expect((await bg.gql(START_HANDOFF, { id: conv.id })).errors).toBeUndefined();
    expect((await bg.gql(END_HANDOFF, { id: a.id })).errors).toBeUndefined();
    // `all` sees the four changes; each filtered feed has had every chance to see them too.
    await subs.all.waitFor(
      (es) => [a, b, c].every((x) => es.some((e) => e.id === x.id)) && es.filter((e) => e.id === a.id).length >= 2,
      'all changes',
    );
    // Each filtered feed has had every chance to see them too, and to see a repeat: the pollers read
    // both topics twice more, then a later change (a message on another conversation) reaches `all`
    // on the same socket, after anything published before it.
    await morePolls(bg, 2, 'conv:');
    const d = closerActive.take((x) => x.bot?.nativeId !== a.bot?.nativeId);
    expect((await bg.gql(SEND, { id: d.id, text: 'a later change' })).errors).toBeUndefined();
    await subs.all.waitFor((es) => es.some((e) => e.id === d.id), 'the later change');

    const ids = (s: Collected<Conv>) =>
      s.events.filter((e) => [a.id, b.id, c.id].includes(e.id)).map((e) => `${e.id === a.id ? 'a' : e.id === b.id ? 'b' : 'c'}:${e.status}`);
    expect(ids(subs.all)).toEqual(['a:WITH_OPERATOR', 'b:WITH_OPERATOR', 'c:WITH_OPERATOR', 'a:ACTIVE']);
    expect(ids(subs.botone)).toEqual(['c:WITH_OPERATOR']);
    expect(ids(subs.botA)).toEqual(['a:WITH_OPERATOR', 'a:ACTIVE']);
    expect(ids(subs.operator)).toEqual(['a:WITH_OPERATOR', 'b:WITH_OPERATOR', 'c:WITH_OPERATOR']);
    expect(ids(subs.active)).toEqual(['a:ACTIVE']);
    // Whatever else arrived also matches each filter.
    expect(subs.botone.events.every((e) => e.provider === 'BOTONE')).toBe(true);
    expect(subs.operator.events.every((e) => e.status === 'WITH_OPERATOR')).toBe(true);
    expect(subs.active.events.every((e) => e.status === 'ACTIVE' && e.provider !== 'CXONE')).toBe(true);
    stopAll(...Object.values(subs));
  });

  it('a botIds filter does not narrow what the shared poller watches for the other subscribers', async () => {
    await noPollers();
    const sim = closerSim(bg);
    const hook = sim.webhookStatus().url;
    // Without webhooks only the poller can see a change made on the simulator.
    sim.setWebhook(undefined);
    try {
      const a = closerActive.take();
      const b = closerActive.take((c) => c.bot?.nativeId !== a.bot?.nativeId);
      const onlyA = collect<Conv>(client, SUB_CONVERSATIONS, { f: { botIds: [a.bot!.id] } });
      await subscribed(bg, 1, 'conv:CLOSER');
      const everyBot = collect<Conv>(client, SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] } });
      await subscribed(bg, 2, 'conv:CLOSER');
      await waitFor(() => bg.app.live.pollers.snapshot().every((p) => p.polls >= 2), 'first polls');
      await closerApi(bg, 'PUT', `/openapi/conversation/${b.nativeId}/manual`, { status: 'HANDOVER' });
      await closerApi(bg, 'PUT', `/openapi/conversation/${a.nativeId}/manual`, { status: 'HANDOVER' });
      await everyBot.waitFor((es) => [a, b].every((x) => es.some((e) => e.id === x.id)), 'both changes on the unfiltered feed', 3_000);
      await onlyA.waitFor((es) => es.some((e) => e.id === a.id), "a's change on the filtered feed", 3_000);
      expect(onlyA.events.some((e) => e.id === b.id)).toBe(false);
      expect(bg.app.live.pollers.snapshot().filter((p) => p.topic.startsWith('conv:CLOSER'))).toHaveLength(1);
    } finally {
      sim.setWebhook(hook);
    }
  });
});
