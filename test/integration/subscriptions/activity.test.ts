/**
 * With the simulators' live activity on, every subscription gets events of its kind: CLOSER's
 * agent_call_requested (by webhook) and CXone/Bot.one handovers (by poll) on handoffRequested,
 * changes of all three providers on conversationUpdated, new messages on messageAdded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, morePolls, subscribed, waitFor, wsClient } from '../../helpers/live.js';
import { FAST_POLLS, SUB_CONVERSATIONS, SUB_HANDOFFS, SUB_MESSAGES, closerSim, conversationsOf, type Conv, type Msg } from './support.js';

let bg: TestBotgraph;
let client: Client;

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, SIMULATOR_ACTIVITY: 'true', SIMULATOR_ACTIVITY_INTERVAL_MS: '25' });
  client = wsClient(bg);
});

afterAll(async () => {
  await client?.dispose();
});

describe('simulator activity', () => {
  it('feeds handoffRequested, conversationUpdated and messageAdded', async () => {
    const closerHandoffs = collect<Conv>(client, SUB_HANDOFFS, { p: ['CLOSER'] });
    const otherHandoffs = collect<Conv>(client, SUB_HANDOFFS, { p: ['CXONE', 'BOTONE'] });
    const updates = collect<Conv>(client, SUB_CONVERSATIONS);
    // Messages of the conversations most likely to speak next: the newest active ones.
    const watched = (await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 15)).map((c) => ({
      conv: c,
      messages: collect<Msg>(client, SUB_MESSAGES, { id: c.id }),
    }));
    await subscribed(bg, 2, 'conv:CLOSER').catch((error) => {
      throw new Error(
        `${(error as Error).message} ${JSON.stringify(bg.app.live.pollers.snapshot())} ${JSON.stringify([closerHandoffs, otherHandoffs, updates].map((s) => [s.error, s.completed, s.results]))}`,
      );
    });
    await subscribed(bg, watched.length, 'msg:CLOSER');

    const [h] = await closerHandoffs.waitFor((es) => es.length >= 1, 'a CLOSER agent_call_requested', 15_000);
    expect(h).toMatchObject({ provider: 'CLOSER', handoff: 'REQUESTED', status: 'ACTIVE' });
    expect(h!.eventCursor).toMatch(/^\d+-\d+$/);
    await otherHandoffs.waitFor((es) => es.some((e) => e.provider === 'CXONE'), 'a CXone handover', 15_000);
    expect(otherHandoffs.events.every((e) => e.provider !== 'CLOSER' && e.status === 'WITH_OPERATOR')).toBe(true);
    await updates.waitFor(
      (es) => ['CLOSER', 'BOTONE', 'CXONE'].every((p) => es.some((e) => e.provider === p)),
      'changes of all three providers',
      15_000,
    );
    await Promise.race(watched.map((w) => w.messages.waitFor((es) => es.length >= 1, 'a message', 15_000)));
    const talked = watched.filter((w) => w.messages.events.length > 0);
    expect(talked.length).toBeGreaterThan(0);
    // Each message feed carries only its own conversation's messages, each once.
    for (const w of talked) {
      const ids = w.messages.events.map((m) => m.nativeId);
      expect(new Set(ids).size).toBe(ids.length);
      const check = await bg.gql(`query($id: ID!) { node(id: $id) { ... on Message { conversation { id } } } }`, { id: w.messages.events[0]!.id });
      expect(check.data?.node?.conversation?.id).toBe(w.conv.id);
    }
    // Several requests, then every source has had its chance to announce each again, shown without
    // a fixed pause. The webhook: a console change of a bot (a `bot.updated`, which only the webhook
    // carries) is batched after the requests and the batches go out in order, so once it is in the
    // log the webhook has delivered them too. The polls: two more of CLOSER's conversation topics.
    await closerHandoffs.waitFor((es) => es.length >= 4, 'four CLOSER requests', 15_000);
    const lastRequest = closerHandoffs.events.at(-1)!.eventCursor!;
    const botId = closerSim(bg).botIds[0]!;
    closerSim(bg).console.updateBot(botId, { description: `activity marker ${Date.now()}` });
    await waitFor(
      async () =>
        (await bg.app.infra.events.history(lastRequest, 10_000)).some(
          (e) => e.event.kind === 'entityChanged' && e.event.entity === 'bot' && e.event.nativeId === botId,
        ),
      'the bot change to come through the webhook after the requests',
      15_000,
    );
    await morePolls(bg, 2, 'conv:CLOSER');
    // One request, one event: the webhook's agent_call_requested and the poll that lists the
    // conversation a moment later (after the bot's next message) are the same request.
    const requested = closerHandoffs.events.map((e) => e.nativeId);
    expect(new Set(requested).size, JSON.stringify(closerHandoffs.events)).toBe(requested.length);
    // Cursors increase within each feed.
    for (const feed of [updates, closerHandoffs, ...talked.map((w) => w.messages)]) {
      const cursors = (feed.events as Array<{ eventCursor?: string | null }>).map((e) => e.eventCursor!.split('-').map(Number) as [number, number]);
      for (let i = 1; i < cursors.length; i++) {
        const [a, b] = [cursors[i - 1]!, cursors[i]!];
        expect(b[0] > a[0] || (b[0] === a[0] && b[1] > a[1])).toBe(true);
      }
    }
    console.info(
      `[measure] activity: ${updates.events.length} conversationUpdated, ${closerHandoffs.events.length} CLOSER + ${otherHandoffs.events.length} other handoffRequested, ${talked.reduce((n, w) => n + w.messages.events.length, 0)} messages on ${talked.length} watched conversations`,
    );
  });
});
