/**
 * Fan-out across replicas: two botgraph processes share one Redis and one set of vendors. Clients
 * on A and on B subscribe to `conversationUpdated` and `messageAdded`; changes enter through a
 * mutation on A, through a change at the vendor that only a poller can see, and through a CLOSER
 * webhook delivered to B. Every client must get every event exactly once, with the same
 * `eventCursor` on both replicas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_WEBHOOK_SECRET, collect, gql, startCluster, waitFor, wsClient, type Cluster, type Collected } from '../../helpers/replicas.js';
import {
  CONVERSATION_UPDATED,
  MESSAGE_ADDED,
  SEND,
  START_HANDOFF,
  closerConversations,
  LIST_ROUTE,
  MESSAGES_ROUTE,
  closerUpdatedAt,
  directMessage,
  duplicates,
  morePolls,
  subscribedEverywhere,
  type Conv,
} from './support.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());

beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

interface Msg {
  id: string;
  nativeId: string;
  text: string;
  eventCursor: string;
}
interface ConvEvent {
  id: string;
  nativeId: string;
  provider: string;
  status: string;
  handoff: string;
  updatedAt: string;
  eventCursor: string;
}

describe('two replicas, one Redis: every client gets every event once', () => {
  it('mutation on A, vendor-side change seen by a poller, CLOSER webhook into B', async () => {
    const [A, B] = cluster.replicas as [NonNullable<(typeof cluster.replicas)[0]>, NonNullable<(typeof cluster.replicas)[1]>];
    const [x, y] = (await closerConversations(A, 2)) as [Conv, Conv];

    const clients = [wsClient(A), wsClient(B)];
    const messages: Array<Collected<Msg>> = clients.map((c) => collect<Msg>(c, MESSAGE_ADDED, { id: x.id }));
    const conversations: Array<Collected<ConvEvent>> = clients.map((c) => collect<ConvEvent>(c, CONVERSATION_UPDATED, {}));
    try {
      // Live on both replicas: the topics have a stored position (a first poll happened), and both
      // replicas' subscriptions hold their topics.
      await waitFor(
        async () => (await cluster.redisClient.exists(`botgraph:wm:msg:CLOSER:${x.nativeId}`, 'botgraph:wm:conv:CLOSER')) === 2,
        'first polls',
        8_000,
      );
      await subscribedEverywhere(cluster, [A, B], [`msg:CLOSER:${x.nativeId}`, 'conv:CLOSER']);
      for (const s of [...messages, ...conversations]) expect(s.error).toBeUndefined();

      const expectedMessages: string[] = [];
      const expectedConversations: Array<{ nativeId: string; updatedAt: string }> = [];
      const everyoneHas = async (what: string) => {
        await Promise.all(
          messages.map((s, i) =>
            s.waitFor((ev) => expectedMessages.every((id) => ev.some((m) => m.nativeId === id)), `${what}: messages on client ${i}`, 8_000),
          ),
        );
        await Promise.all(
          conversations.map((s, i) =>
            s.waitFor(
              (ev) => expectedConversations.every((c) => ev.some((e) => e.nativeId === c.nativeId && e.updatedAt === c.updatedAt)),
              `${what}: conversation events on client ${i}`,
              8_000,
            ),
          ),
        );
      };

      // (a) Mutations sent to A.
      const sent = await gql(A, SEND, { input: { conversationId: x.id, text: 'fan-out (a) via mutation on A' } });
      expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
      expectedMessages.push(sent.data.sendMessage.message.nativeId);
      expectedConversations.push({ nativeId: x.nativeId, updatedAt: await closerUpdatedAt(cluster.closer, x.nativeId) });
      const handoff = await gql(A, START_HANDOFF, { input: { conversationId: y.id } });
      expect(handoff.errors, JSON.stringify(handoff.errors)).toBeUndefined();
      expect(handoff.data.startHandoff.conversation.handoff).not.toBe('BOT');
      expectedConversations.push({ nativeId: y.nativeId, updatedAt: await closerUpdatedAt(cluster.closer, y.nativeId) });
      await everyoneHas('(a)');

      // (b) A change made at the vendor itself, with no webhook configured: only a poller sees it.
      expect(cluster.closer.webhookStatus().url).toBeUndefined();
      expectedMessages.push(await directMessage(cluster.closer, x.nativeId, 'fan-out (b) straight at CLOSER'));
      expectedConversations.push({ nativeId: x.nativeId, updatedAt: await closerUpdatedAt(cluster.closer, x.nativeId) });
      await everyoneHas('(b)');

      // (c) CLOSER delivers its webhook to B. The pollers' reads fail meanwhile, so the webhook is the
      // only way in; clients on A get the events through Redis.
      cluster.closer.setWebhook(`${B.url}/webhooks/closer`, { 'x-botgraph-webhook-secret': REPLICA_WEBHOOK_SECRET });
      cluster.closer.faults.set({ errorRate: 1, errorStatus: 503, routes: [LIST_ROUTE, MESSAGES_ROUTE] });
      const webhookText = 'fan-out (c) via webhook into B';
      expectedMessages.push(await directMessage(cluster.closer, x.nativeId, webhookText));
      expectedConversations.push({ nativeId: x.nativeId, updatedAt: await closerUpdatedAt(cluster.closer, x.nativeId) });
      await everyoneHas('(c)');
      expect(cluster.closer.webhookStatus()).toMatchObject({ delivered: expect.any(Number), failed: 0, disabled: false });
      expect(cluster.closer.webhookStatus().delivered).toBeGreaterThanOrEqual(1);

      // The pollers come back and read the same changes again: nothing may be delivered twice. After
      // a few reads of each, a last change at the vendor is the later event that shows every repeat
      // would have been delivered by now (the log's order is the delivery order).
      cluster.closer.faults.clear();
      await morePolls(cluster.closer, MESSAGES_ROUTE, 3, 10_000);
      await morePolls(cluster.closer, LIST_ROUTE, 3, 10_000);
      expectedMessages.push(await directMessage(cluster.closer, x.nativeId, 'fan-out (d) last, straight at CLOSER'));
      expectedConversations.push({ nativeId: x.nativeId, updatedAt: await closerUpdatedAt(cluster.closer, x.nativeId) });
      await everyoneHas('(d)');

      // Exactly once, in the same order, with the same cursors, on both replicas.
      for (const [i, s] of messages.entries()) {
        expect(s.error, `client ${i}`).toBeUndefined();
        expect(
          s.events.map((m) => m.nativeId),
          `messages on client ${i}`,
        ).toEqual(expectedMessages);
      }
      expect(messages[0]!.events.find((m) => m.nativeId === expectedMessages[2])?.text).toBe(webhookText);
      expect(messages[1]!.events.map((m) => m.eventCursor)).toEqual(messages[0]!.events.map((m) => m.eventCursor));
      for (const [i, s] of conversations.entries()) {
        expect(s.error, `client ${i}`).toBeUndefined();
        const keys = s.events.map((e) => `${e.nativeId}@${e.updatedAt}|${e.status}|${e.handoff}`);
        expect(duplicates(keys), `conversation events delivered twice on client ${i}`).toEqual([]);
        expect(
          s.events.map((e) => ({ nativeId: e.nativeId, updatedAt: e.updatedAt })),
          `conversation events on client ${i}`,
        ).toEqual(expectedConversations);
      }
      expect(conversations[1]!.events).toEqual(conversations[0]!.events);
      // Cursors increase: the log's order is the delivery order.
      const cursors = conversations[0]!.events.map((e) => e.eventCursor);
      expect(duplicates(cursors)).toEqual([]);
    } finally {
      cluster.closer.faults.clear();
      cluster.closer.setWebhook(undefined);
      for (const s of [...messages, ...conversations]) s.stop();
      await Promise.all(clients.map(async (c) => c.dispose()));
    }
  });
});
