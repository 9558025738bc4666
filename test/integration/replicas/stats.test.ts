/**
 * Stats aggregates live in the shared Redis: a closed day read by one replica costs the other
 * replica 0 vendor calls, and a mutation made through the second shows in the first's next answer,
 * again without a vendor read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startCluster, waitFor, type Cluster, type Replica } from '../../helpers/replicas.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

const DAY = 86_400_000;
const STATS = `query($f: ConversationFilter) { conversationStats(filter: $f, groupBy: [PROVIDER, STATUS], bucket: DAY) {
  total exact upstreamCalls groups { key { provider status bucketStart } count } } }`;

const total = (c: Cluster) => c.closer.stats.total() + c.botone.stats.total() + c.cxone.stats.total();

describe('stats across replicas', () => {
  it("one replica reads a closed day, the other answers it from Redis with 0 calls, and sees the other's mutation", async () => {
    const [A, B] = cluster.replicas as [Replica, Replica];
    const today = Math.floor(Date.now() / DAY) * DAY;
    // An ACTIVE Bot.one conversation created on a day that is over: its day is the window.
    const found = await gql(B, `query($f: ConversationFilter) { conversations(first: 1, filter: $f) { nodes { id createdAt } } }`, {
      f: { providers: ['BOTONE'], statuses: ['ACTIVE'], createdTo: new Date(today - 1).toISOString() },
    });
    const target = found.data.conversations.nodes[0];
    expect(target, JSON.stringify(found.errors)).toBeDefined();
    const day = Math.floor(Date.parse(target.createdAt) / DAY) * DAY;
    const f = { createdFrom: new Date(day).toISOString(), createdTo: new Date(day + DAY - 1).toISOString() };

    const before = total(cluster);
    const a = await gql(A, STATS, { f });
    expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    // One call per stream (a day fits in one page): CLOSER, 3 Bot.one bots, 3 CXone tokens.
    expect(total(cluster) - before).toBe(7);
    expect(a.data.conversationStats.upstreamCalls).toBe(7);
    expect(await cluster.redisClient.keys('botgraph:stats:*')).not.toHaveLength(0);

    const mid = total(cluster);
    const b = await gql(B, STATS, { f });
    expect(total(cluster) - mid).toBe(0);
    expect(b.data.conversationStats).toEqual({ ...a.data.conversationStats, upstreamCalls: 0 });

    // A handoff through B, on that conversation: A's next answer has it, from Redis.
    const id = target.id;
    const count = (r: any, status: string) =>
      r.data.conversationStats.groups
        .filter((g: any) => g.key.provider === 'BOTONE' && g.key.status === status)
        .reduce((n: number, g: any) => n + g.count, 0);
    const m = await gql(B, `mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { status } } }`, { id });
    expect(m.errors, JSON.stringify(m.errors)).toBeUndefined();
    // The event reaches A through the Redis Stream; its aggregates then show the change.
    let upstream = 0;
    const again = await waitFor(
      async () => {
        const t0 = total(cluster);
        const r = await gql(A, STATS, { f });
        upstream += total(cluster) - t0;
        return count(r, 'WITH_OPERATOR') === count(a, 'WITH_OPERATOR') + 1 ? r : null;
      },
      "the mutation in the other replica's stats",
      10_000,
      100,
    );
    // Every answer came from the aggregates, none from the vendors.
    expect(upstream).toBe(0);
    expect(count(again, 'ACTIVE')).toBe(count(a, 'ACTIVE') - 1);
  });
});
