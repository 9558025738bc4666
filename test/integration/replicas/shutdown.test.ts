/**
 * Graceful shutdown of one replica (SIGTERM) while the vendor keeps changing: its clients' sockets
 * close with 1001 (Going Away), its leases are released at once rather than left to expire, another
 * replica takes the topic straight away, and the clients that resume elsewhere with `since` lose
 * and repeat nothing. LEASE_MS is long here (5 s) so that a release is told apart from an expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, waitFor, type Cluster, type Replica } from '../../helpers/replicas.js';
import {
  CONVERSATION_UPDATED,
  MESSAGES_ROUTE,
  MESSAGE_ADDED,
  Resumable,
  closerConversations,
  directMessage,
  duplicates,
  morePolls,
  produceMessages,
  subscribedEverywhere,
  type Conv,
} from './support.js';

const LEASE_MS = 5_000;
let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 3, env: { LEASE_MS: String(LEASE_MS) } });
});

/** Lease keys whose value names `replica`. */
async function leasesOf(replica: Replica): Promise<string[]> {
  const keys = await cluster.redisClient.keys('botgraph:lease:*');
  const values = keys.length ? await cluster.redisClient.mget(...keys) : [];
  return keys.filter((_, i) => values[i]?.startsWith(`${replica.pid}-`));
}

describe('SIGTERM', () => {
  it('closes sockets with 1001, releases leases at once, and a survivor takes over without loss', async () => {
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
      producer = produceMessages(cluster.closer, x.nativeId, 'shutdown message');
      await waitFor(() => subs.every(({ kind, sub }) => kind !== 'messages' || sub.drain().length >= 3), 'the first messages everywhere', 8_000);

      const victim = (await cluster.leaseHolder(topic)) as Replica;
      expect(victim).not.toBeNull();
      const held = await leasesOf(victim);
      expect(held).toContain(`botgraph:lease:${topic}`);

      const t0 = Date.now();
      victim.child.kill('SIGTERM');
      await waitFor(async () => (await leasesOf(victim)).length === 0, 'the victim’s leases to go', LEASE_MS, 10);
      const releasedMs = Date.now() - t0;
      const successor = await waitFor(
        async () => {
          const h = await cluster.leaseHolder(topic);
          return h && h !== victim ? h : null;
        },
        'a survivor to take the lease',
        LEASE_MS,
        10,
      );
      const takeoverMs = Date.now() - t0;
      await waitFor(() => !victim.alive, 'the victim to exit', 10_000);
      const exit = await victim.exited;
      console.log(
        `[shutdown] SIGTERM → ${held.length} lease(s) released in ${releasedMs} ms, ${topic} taken by ${successor.name} after ${takeoverMs} ms (LEASE_MS ${LEASE_MS}); exit ${JSON.stringify(exit)}`,
      );
      expect(releasedMs).toBeLessThan(LEASE_MS / 2);
      expect(takeoverMs).toBeLessThan(LEASE_MS / 2);
      expect(exit).toEqual({ code: 0, signal: null });

      // The victim's clients were told to go away (1001), and resume on a survivor from their last cursor.
      const orphans = subs.filter(({ sub }) => sub.replica === victim);
      await waitFor(() => orphans.every(({ sub }) => sub.error !== undefined), 'the victim’s subscriptions to end', 5_000);
      for (const { sub } of orphans) {
        expect(sub.clients[0]!.closeEvents.map((e) => e.code)).toEqual([1001]);
        sub.reconnect(successor);
      }
      for (const { sub } of subs.filter(({ sub }) => sub.replica !== victim)) expect(sub.error).toBeUndefined();

      // Keep producing past the takeover: the successor polls a few times while the vendor changes.
      const producedAtResume = producer.produced.length;
      await morePolls(cluster.closer, MESSAGES_ROUTE, 3);
      await waitFor(() => producer!.produced.length >= producedAtResume + 5, 'more messages after the takeover', 15_000);
      await producer.stop();
      // Nothing more may come: after three more polls, a last message is the later event that shows
      // every earlier one (a repeat included) would have been delivered by now, in the log's order.
      await morePolls(cluster.closer, MESSAGES_ROUTE, 3);
      const produced = [...producer.produced, await directMessage(cluster.closer, x.nativeId, 'shutdown last message')];
      await waitFor(
        () => subs.every(({ kind, sub }) => kind !== 'messages' || produced.every((id) => sub.drain().some((e) => e.nativeId === id))),
        'every produced message on every client',
        10_000,
      ).catch((error) => {
        const missing = subs
          .filter((s) => s.kind === 'messages')
          .map(
            ({ sub }) =>
              `${sub.replica.name}${sub.replica === victim ? ' (moved)' : ''}: missing ${produced
                .filter((id) => !sub.drain().some((e) => e.nativeId === id))
                .map((id) => produced.indexOf(id))
                .join(',')}`,
          );
        throw new Error(`${(error as Error).message}; ${produced.length} produced; ${missing.join('; ')}`);
      });
      const messageLists = subs.filter((s) => s.kind === 'messages').map(({ sub }) => sub.drain());
      const conversationLists = subs.filter((s) => s.kind === 'conversations').map(({ sub }) => sub.drain());
      for (const [i, list] of messageLists.entries()) {
        expect(
          list.map((e) => e.nativeId),
          `messages of client ${i}`,
        ).toEqual(produced);
        expect(list.map((e) => e.eventCursor)).toEqual(messageLists[0]!.map((e) => e.eventCursor));
      }
      for (const [i, list] of conversationLists.entries()) {
        expect(list.length).toBeGreaterThan(0);
        expect(duplicates(list.map((e) => `${e.nativeId}@${e.updatedAt}`)), `conversation states twice on client ${i}`).toEqual([]);
        expect(list.map((e) => e.eventCursor)).toEqual(conversationLists[0]!.map((e) => e.eventCursor));
      }
    } finally {
      await producer?.stop().catch(() => {});
      for (const { sub } of subs) await sub.close();
    }
  });
});
