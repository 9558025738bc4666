/**
 * Lease failover: the replica polling a conversation is SIGKILLed while the vendor keeps changing
 * (messages posted straight at CLOSER, no webhook: only a poller can see them). Another replica
 * takes the lease within two lease periods, resumes from the stored watermark, and the clients that
 * were on the dead replica reconnect elsewhere with `since: <last eventCursor>`: every client ends
 * with the same events, none lost, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIG, startCluster, waitFor, type Cluster, type Replica } from '../../helpers/replicas.js';
import {
  CONVERSATION_UPDATED,
  MESSAGE_ADDED,
  Resumable,
  closerConversations,
  MESSAGES_ROUTE,
  closerUpdatedAt,
  directMessage,
  duplicates,
  morePolls,
  produceMessages,
  subscribedEverywhere,
  type Conv,
} from './support.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 3 });
});

describe('SIGKILL of the lease holder', () => {
  it('another replica takes over within two lease periods and no client loses or repeats an event', async () => {
    const [x] = (await closerConversations(cluster.replicas[0]!, 1)) as [Conv];
    const topic = `msg:CLOSER:${x.nativeId}`;
    const subs = cluster.replicas.flatMap((r) => [
      { kind: 'messages' as const, sub: new Resumable(r, MESSAGE_ADDED, { id: x.id }) },
      { kind: 'conversations' as const, sub: new Resumable(r, CONVERSATION_UPDATED, { f: { providers: ['CLOSER'] } }) },
    ]);
    let producer: ReturnType<typeof produceMessages> | undefined;
    try {
      await waitFor(async () => (await cluster.redisClient.exists(`botgraph:wm:${topic}`, 'botgraph:wm:conv:CLOSER')) === 2, 'first polls', 8_000);
      await subscribedEverywhere(cluster, cluster.replicas, [topic, 'conv:CLOSER']);
      expect(cluster.closer.webhookStatus().url).toBeUndefined();

      // The vendor changes every 150 ms, before, during and after the outage.
      producer = produceMessages(cluster.closer, x.nativeId, 'failover message');
      const produced = producer.produced;
      await waitFor(() => subs.every(({ kind, sub }) => kind !== 'messages' || sub.drain().length >= 3), 'the first messages everywhere', 8_000);

      const victim = (await cluster.leaseHolder(topic)) as Replica;
      expect(victim).not.toBeNull();
      const killedAt = Date.now();
      const producedAtKill = produced.length;
      await cluster.kill(victim, 'SIGKILL');
      const successor = await waitFor(
        async () => {
          const holder = await cluster.leaseHolder(topic);
          return holder && holder !== victim ? holder : null;
        },
        'another replica to take the lease',
        4 * RIG.leaseMs,
        10,
      );
      const failoverMs = Date.now() - killedAt;
      console.log(
        `[failover] lease of ${topic} moved from ${victim.name} to ${successor.name} in ${failoverMs} ms (LEASE_MS ${RIG.leaseMs}, poll ${RIG.pollIntervalMs} ms); ` +
          `${produced.length - producedAtKill} messages produced while nobody polled`,
      );
      expect(successor.alive).toBe(true);
      expect(failoverMs).toBeLessThanOrEqual(2 * RIG.leaseMs);

      // The dead replica's clients see their sockets drop, and resume on a survivor.
      const survivors = cluster.replicas.filter((r) => r.alive);
      const orphans = subs.filter(({ sub }) => sub.replica === victim);
      expect(orphans).toHaveLength(2);
      await waitFor(() => orphans.every(({ sub }) => sub.error !== undefined), 'the dead replica’s subscriptions to end', 5_000);
      for (const { sub } of orphans) sub.reconnect(survivors[0]!);

      // Keep producing past the takeover (the successor polls a few times and the vendor changed
      // meanwhile), then stop and let everything arrive.
      const producedAtResume = produced.length;
      await morePolls(cluster.closer, MESSAGES_ROUTE, 3);
      await waitFor(() => produced.length >= producedAtResume + 5, 'more messages after the takeover', 15_000);
      await producer.stop();
      // Nothing more may come: after three more polls, a last message is the later event that shows
      // every earlier one (a repeat included) would have been delivered by now, in the log's order.
      await morePolls(cluster.closer, MESSAGES_ROUTE, 3);
      produced.push(await directMessage(cluster.closer, x.nativeId, 'failover last message'));
      const finalUpdatedAt = await closerUpdatedAt(cluster.closer, x.nativeId);
      await waitFor(
        () =>
          subs.every(({ kind, sub }) => {
            const ev = sub.drain();
            return kind === 'messages'
              ? produced.every((id) => ev.some((e) => e.nativeId === id))
              : ev.some((e) => e.nativeId === x.nativeId && e.updatedAt === finalUpdatedAt);
          }),
        'every produced change on every client',
        10_000,
      );

      console.log(
        `[failover] ${produced.length} messages produced in all; the victim's ${orphans.length} subscriptions resumed on ${survivors[0]!.name}`,
      );
      const messageLists = subs.filter((s) => s.kind === 'messages').map(({ sub }) => sub.drain());
      const conversationLists = subs.filter((s) => s.kind === 'conversations').map(({ sub }) => sub.drain());
      for (const [i, list] of messageLists.entries()) {
        expect(duplicates(list.map((e) => e.nativeId)), `messages delivered twice to client ${i}`).toEqual([]);
        expect(
          list.map((e) => e.nativeId),
          `messages of client ${i}`,
        ).toEqual(produced);
        expect(
          list.map((e) => e.eventCursor),
          `cursors of client ${i}`,
        ).toEqual(messageLists[0]!.map((e) => e.eventCursor));
      }
      for (const [i, list] of conversationLists.entries()) {
        expect(duplicates(list.map((e) => `${e.nativeId}@${e.updatedAt}`)), `conversation states delivered twice to client ${i}`).toEqual([]);
        expect(
          list.map((e) => e.eventCursor),
          `conversation cursors of client ${i}`,
        ).toEqual(conversationLists[0]!.map((e) => e.eventCursor));
      }
      // The successor continued from the watermark rather than starting over: it counts every message.
      const wm = JSON.parse((await cluster.redisClient.get(`botgraph:wm:${topic}`)) as string) as { count: number };
      const total = await fetch(`${cluster.closer.url}/openapi/conversation/${x.nativeId}/message?page=1&limit=1`, {
        headers: { 'x-api-key': cluster.closer.apiKey },
      });
      expect(wm.count).toBe(((await total.json()) as { total: number }).total);
    } finally {
      await producer?.stop().catch(() => {});
      for (const { sub } of subs) await sub.close();
    }
  });
});
