/**
 * The CLOSER webhook types that carry no conversation change (the digest of the vendor's webhook
 * page, ../shared/providers/README.md: "There are 14 event types: `bot.updated`, `bot.deleted`,
 * `bot.end_user.created|updated|deleted`, `bot.conversation.created|updated|deleted`, …"):
 * - `bot.conversation.deleted` ends the live views of that conversation: `messageAdded` gets one
 *   terminal error CONVERSATION_DELETED, then completes (docs/providers/closer.md, a choice);
 * - `bot.end_user.*`, `bot.updated` and `bot.deleted` publish an `entityChanged` event on the bus,
 *   which is what botgraph's caches listen to.
 * The events come from the embedded simulator's own deliveries (its console makes the changes the
 * Open API cannot), with the pollers blinded so that only the webhook can tell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, subscribersOf, waitFor, wsClient } from '../../helpers/live.js';
import { CLOSER_READS, FAST_POLLS, SUB_CONVERSATIONS, SUB_MESSAGES, closerApi, closerSim, conversationsOf, type Conv, type Msg } from './support.js';
import type { EntityChangedEvent, LoggedEvent } from '../../../src/events/bus.js';
import { CacheTag, eventTags } from '../../../src/datasources/cache.js';

let bg: TestBotgraph;
let client: Client;
let conversations: Conv[];
const changes: EntityChangedEvent[] = [];
let stopListening: () => void;

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer' });
  client = wsClient(bg);
  conversations = await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 100);
  stopListening = bg.app.infra.events.subscribe((e: LoggedEvent) => {
    if (e.event.kind === 'entityChanged') changes.push(e.event);
  });
});

afterAll(async () => {
  stopListening?.();
  await client?.dispose();
});

describe('bot.conversation.deleted', () => {
  it('ends messageAdded of that conversation with CONVERSATION_DELETED, then complete; other views go on', async () => {
    const [gone, other] = conversations as [Conv, Conv];
    const onGone = collect<Msg>(client, SUB_MESSAGES, { id: gone.id });
    const onOther = collect<Msg>(client, SUB_MESSAGES, { id: other.id });
    const updates = collect<Conv>(client, SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] } });
    try {
      await subscribed(bg, 3);
      bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503, routes: CLOSER_READS });
      closerSim(bg).console.deleteConversation(gone.nativeId);

      await onGone.ended();
      expect(onGone.completed).toBe(true);
      expect(onGone.events).toEqual([]);
      const last = onGone.results.at(-1)!;
      expect(last.data).toBeNull();
      expect(last.errors![0]!.extensions).toMatchObject({
        code: 'CONVERSATION_DELETED',
        provider: 'CLOSER',
        retryable: false,
        eventCursor: expect.any(String),
      });
      expect(changes).toContainEqual(
        expect.objectContaining({ provider: 'CLOSER', entity: 'conversation', nativeId: gone.nativeId, change: 'deleted' }),
      );

      // Positive signal that the other views are still live: a message in the other conversation
      // (by webhook, the pollers are blind) reaches its messageAdded, after the deletion.
      const text = `still here ${Date.now()}`;
      await closerApi(bg, 'POST', `/openapi/conversation/${other.nativeId}/message`, { data: { type: 'text', text } });
      await onOther.waitFor((es) => es.some((m) => m.text === text), 'the other conversation’s message');
      await updates.waitFor((es) => es.some((c) => c.id === other.id), 'the other conversation’s update');
      expect(onOther.error).toBeUndefined();
      expect(updates.error).toBeUndefined();
      expect(onOther.completed || updates.completed).toBe(false);
    } finally {
      bg.sim('CLOSER').faults.clear();
      onGone.stop();
      onOther.stop();
      updates.stop();
    }
    // A new subscriber to the deleted conversation is refused at once: the existence check is not cached past the deletion.
    const again = collect<Msg>(client, SUB_MESSAGES, { id: gone.id });
    await again.ended();
    expect((again.error as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('NOT_FOUND');
    await waitFor(() => subscribersOf(bg) === 0, 'the subscriptions to end');
  });

  it('a client resuming with `since` from before the deletion is told NOT_FOUND: the conversation is gone', async () => {
    const gone = conversations[2]!;
    const live = collect<Msg>(client, SUB_MESSAGES, { id: gone.id });
    const text = `before deletion ${Date.now()}`;
    let cursor: string;
    try {
      await subscribed(bg, 1);
      await closerApi(bg, 'POST', `/openapi/conversation/${gone.nativeId}/message`, { data: { type: 'text', text } });
      const [m] = await live.waitFor((es) => es.some((e) => e.text === text), 'the message');
      cursor = (m as Msg & { eventCursor: string }).eventCursor;
      const before = changes.length;
      closerSim(bg).console.deleteConversation(gone.nativeId);
      await live.ended();
      expect(changes.slice(before)).toContainEqual(expect.objectContaining({ entity: 'conversation', nativeId: gone.nativeId, change: 'deleted' }));
    } finally {
      live.stop();
    }
    const resumed = collect<Msg>(client, SUB_MESSAGES, { id: gone.id, since: cursor });
    await resumed.ended();
    expect((resumed.error as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('NOT_FOUND');
  });
});

describe('bot.end_user.* and bot.updated / bot.deleted', () => {
  it('each publishes one entityChanged event naming the object and the change', async () => {
    const sim = closerSim(bg);
    const [botId, otherBot] = sim.botIds.slice(-2) as [string, string];
    const users = (await closerApi(bg, 'GET', `/openapi/endusers?botId=${botId}&limit=1`)).data as Array<{ id: string }>;
    const before = changes.length;
    sim.console.updateBot(botId, { title: `renamed ${Date.now()}` });
    sim.console.deleteEndUser(users[0]!.id);
    sim.console.deleteBot(otherBot);
    const fresh = () => changes.slice(before);
    await waitFor(() => fresh().some((c) => c.entity === 'bot' && c.change === 'deleted'), 'bot.deleted on the bus', 10_000);
    expect(fresh()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'CLOSER', entity: 'bot', nativeId: botId, change: 'updated' }),
        expect.objectContaining({ provider: 'CLOSER', entity: 'endUser', nativeId: users[0]!.id, change: 'deleted' }),
        expect.objectContaining({ provider: 'CLOSER', entity: 'bot', nativeId: otherBot, change: 'deleted' }),
      ]),
    );
    // Batches are delivered in order and bot.deleted was the last change made: every earlier one is in.
    // Each change once, though webhooks and dedupe could double them.
    const keys = fresh().map((c) => `${c.entity}:${c.nativeId}:${c.change}:${c.at}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('bot.end_user.created and .updated by a posted batch, delivered twice: one event each', async () => {
    const before = changes.length;
    const now = Date.now();
    const endUser = { id: `u-${now}`, botId: 'b1' };
    const body = JSON.stringify({
      id: `b${now}`,
      webhookId: 'test',
      messages: [
        { id: `e${now}`, event: 'bot.end_user.created', sourceType: 'bot', sourceId: 'b1', timestamp: now, data: { endUser } },
        { id: `f${now}`, event: 'bot.end_user.updated', sourceType: 'bot', sourceId: 'b1', timestamp: now + 1, data: { endUser } },
      ],
    });
    const post = () => fetch(`${bg.url}/webhooks/closer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    // A marker after both: once it is on the bus, both deliveries have been published (or deduped).
    const marker = JSON.stringify({
      id: `m${now}`,
      messages: [{ id: `m${now}`, event: 'bot.updated', sourceType: 'bot', sourceId: `marker-${now}`, timestamp: now, data: {} }],
    });
    expect((await fetch(`${bg.url}/webhooks/closer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: marker })).status).toBe(
      200,
    );
    await waitFor(() => changes.slice(before).some((c) => c.nativeId === `marker-${now}`), 'the marker');
    expect(changes.slice(before).filter((c) => c.nativeId === `u-${now}`)).toEqual([
      { kind: 'entityChanged', provider: 'CLOSER', entity: 'endUser', nativeId: `u-${now}`, change: 'created', at: now },
      { kind: 'entityChanged', provider: 'CLOSER', entity: 'endUser', nativeId: `u-${now}`, change: 'updated', at: now + 1 },
    ]);
  });
});

describe('the entity cache hears entityChanged', () => {
  it('drops what each change is about: bots, end users, or the deleted conversation and every list', () => {
    const at = Date.now();
    const e = (entity: 'bot' | 'endUser' | 'conversation', change: 'updated' | 'deleted') =>
      ({ kind: 'entityChanged', provider: 'CLOSER', entity, nativeId: 'x1', change, at }) as const;
    expect(eventTags(e('bot', 'deleted'))).toEqual([CacheTag.bots, CacheTag.conversations]);
    expect(eventTags(e('endUser', 'updated'))).toEqual([CacheTag.endUsers]);
    expect(eventTags(e('conversation', 'deleted'))).toEqual([CacheTag.conversation('x1'), CacheTag.conversations, CacheTag.endUsers]);
  });
});
