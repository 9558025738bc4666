/**
 * One poller per topic across replicas: with subscribers to the same topics on all three replicas,
 * the vendor sees the polling rate of ONE poller (the rate measured with subscribers on one replica
 * only, and about one read per poll interval), and the topic's lease in Redis names one holder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIG, collect, startCluster, waitFor, wsClient, type Cluster, type Collected, type Replica } from '../../helpers/replicas.js';
import {
  CONVERSATION_UPDATED,
  LIST_ROUTE,
  MESSAGES_ROUTE,
  MESSAGE_ADDED,
  closerConversations,
  morePolls,
  replicaGauge,
  subscribedEverywhere,
  type Conv,
} from './support.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 3 });
});

const LIST = LIST_ROUTE;
const MESSAGES = MESSAGES_ROUTE;
const WINDOW_MS = 3_000;

/** Requests per route over WINDOW_MS, and every lease holder seen meanwhile (sampled every 25 ms). */
async function measure(topics: string[]): Promise<{ list: number; messages: number; holders: Record<string, Set<string>> }> {
  const holders: Record<string, Set<string>> = Object.fromEntries(topics.map((t) => [t, new Set<string>()]));
  const list0 = cluster.closer.stats.count(LIST);
  const messages0 = cluster.closer.stats.count(MESSAGES);
  const until = Date.now() + WINDOW_MS;
  while (Date.now() < until) {
    for (const t of topics) holders[t]!.add(String(await cluster.redisClient.get(`botgraph:lease:${t}`)));
    // A sampling pace inside a window measured by the clock: slower sampling only sees fewer samples.
    await new Promise((r) => setTimeout(r, 25));
  }
  return { list: cluster.closer.stats.count(LIST) - list0, messages: cluster.closer.stats.count(MESSAGES) - messages0, holders };
}

describe('three replicas poll each topic once', () => {
  it('subscribers on every replica cost the vendor one poller, and one replica holds each lease', async () => {
    const [A, B, C] = cluster.replicas as [Replica, Replica, Replica];
    const [x] = (await closerConversations(A, 1)) as [Conv];
    const topics = ['conv:CLOSER', `msg:CLOSER:${x.nativeId}`];
    const subscribe = (r: Replica) => {
      const client = wsClient(r);
      return {
        client,
        subs: [
          collect(client, MESSAGE_ADDED, { id: x.id }),
          collect(client, CONVERSATION_UPDATED, { f: { providers: ['CLOSER'] } }),
        ] as Collected<unknown>[],
      };
    };
    const sessions = [subscribe(A)];
    try {
      await waitFor(async () => (await cluster.redisClient.exists(...topics.map((t) => `botgraph:wm:${t}`))) === 2, 'first polls', 8_000);
      // Past the first polls: the poller runs at its steady pace before the window opens.
      await morePolls(cluster.closer, LIST, 2);
      const one = await measure(topics);
      for (const t of topics)
        expect([...one.holders[t]!], `holder of ${t} with one subscribed replica`).toEqual([expect.stringMatching(new RegExp(`^${A.pid}-`))]);

      sessions.push(subscribe(B), subscribe(C));
      // Both newcomers have their subscriptions and a poller for each topic (standing by for the
      // lease), and the holder polled a few times since, as often as the newcomers asked for the lease.
      await subscribedEverywhere(cluster, [B, C], topics);
      await waitFor(
        async () => (await replicaGauge(B, 'botgraph_pollers')) >= 2 && (await replicaGauge(C, 'botgraph_pollers')) >= 2,
        'pollers on B and C',
      );
      await morePolls(cluster.closer, LIST, 3);
      const three = await measure(topics);
      for (const s of sessions) for (const sub of s.subs) expect(sub.error).toBeUndefined();

      const perInterval = (n: number) => (n * RIG.pollIntervalMs) / WINDOW_MS;
      console.log(
        `[single-poller] ${WINDOW_MS} ms window, poll interval ${RIG.pollIntervalMs} ms: ` +
          `${LIST}: 1 replica ${one.list} (${perInterval(one.list).toFixed(2)}/interval), 3 replicas ${three.list} (${perInterval(three.list).toFixed(2)}/interval); ` +
          `${MESSAGES}: 1 replica ${one.messages}, 3 replicas ${three.messages}`,
      );

      // One poller: at most one read per interval (a poll never starts sooner), and busy enough to be real.
      const maxPolls = Math.ceil(WINDOW_MS / RIG.pollIntervalMs) + 1;
      expect(one.list).toBeGreaterThanOrEqual(Math.floor(maxPolls / 3));
      expect(one.list).toBeLessThanOrEqual(maxPolls);
      expect(three.list).toBeLessThanOrEqual(maxPolls);
      // Three pollers would triple the rate; allow for scheduling noise, not for a second poller.
      expect(three.list).toBeLessThanOrEqual(Math.ceil(one.list * 1.4) + 1);
      expect(three.list).toBeGreaterThanOrEqual(Math.floor(one.list * 0.6));
      expect(one.messages).toBeGreaterThan(0);
      expect(three.messages).toBeLessThanOrEqual(Math.ceil(one.messages * 1.4) + 2);

      // One holder for the whole window, and it is one of ours.
      for (const t of topics) {
        const seen = [...three.holders[t]!];
        expect(seen, `holders of ${t} with three subscribed replicas`).toHaveLength(1);
        expect([A, B, C].map((r) => r.pid)).toContain(Number(seen[0]!.split('-')[0]));
      }
    } finally {
      for (const s of sessions) {
        for (const sub of s.subs) sub.stop();
        await s.client.dispose();
      }
    }
  });

  it('while the vendor fails, the holder keeps the lease through its back-off: no second replica piles on', async () => {
    const [A, B, C] = cluster.replicas as [Replica, Replica, Replica];
    const topic = 'conv:CLOSER';
    const sessions = [A, B, C].map((r) => {
      const client = wsClient(r);
      return { client, sub: collect(client, CONVERSATION_UPDATED, { f: { providers: ['CLOSER'] } }) };
    });
    try {
      await waitFor(() => cluster.leaseHolder(topic), 'a holder', 5_000);
      // Every replica subscribed and standing by, and the holder polled a few times since.
      await subscribedEverywhere(cluster, [A, B, C], [topic]);
      await morePolls(cluster.closer, LIST, 3);
      const holder = (await cluster.leaseHolder(topic)) as Replica;
      cluster.closer.faults.set({ errorRate: 1, errorStatus: 503, routes: [LIST] });
      const holders = new Set<string>();
      const before = cluster.closer.stats.count(LIST);
      const until = Date.now() + 4 * RIG.leaseMs;
      while (Date.now() < until) {
        holders.add(String(await cluster.redisClient.get(`botgraph:lease:${topic}`)));
        // A sampling pace inside a window measured by the clock, as in `measure`.
        await new Promise((r) => setTimeout(r, 25));
      }
      const failedReads = cluster.closer.stats.count(LIST) - before;
      cluster.closer.faults.clear();
      console.log(`[single-poller] ${4 * RIG.leaseMs} ms of 503s: ${failedReads} reads of ${LIST}; lease holders seen: ${holders.size}`);
      expect([...holders], 'the lease moved while its holder backed off').toEqual([expect.stringMatching(new RegExp(`^${holder.pid}-`))]);
      // Back-off doubles from one interval: within 4 lease periods one poller makes a handful of polls
      // (each up to 3 attempts), far from the 20 intervals' worth of a poller that ignored failures.
      expect(failedReads).toBeLessThanOrEqual(5 * 3);
      // And it recovers: reads succeed again and the lease is still held.
      const ok = cluster.closer.stats.count(LIST);
      await waitFor(() => cluster.closer.stats.count(LIST) > ok, 'polling to resume after the fault', 15_000);
      expect(await cluster.leaseHolder(topic)).not.toBeNull();
    } finally {
      cluster.closer.faults.clear();
      for (const s of sessions) {
        s.sub.stop();
        await s.client.dispose();
      }
    }
  });
});
