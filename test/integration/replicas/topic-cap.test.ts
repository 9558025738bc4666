/**
 * The distinct-live-topics cap per principal across replicas: two botgraph processes over one
 * private Redis and the same simulators. A principal's topics are counted in Redis whichever
 * replica its sockets are on; a topic it already holds elsewhere is free; another principal has
 * its own cap; and a crashed replica's topics stop counting once their lease (LEASE_MS) ends.
 */
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, type Collected } from '../../helpers/live.js';
import { startCluster, waitFor, type Cluster, type Replica } from '../../helpers/replicas.js';

const KEYS = { viewer: 'viewer-key-0123456789abcdef', operator: 'operator-key-0123456789abcdef' } as const;
const VIEWER = 'viewer-1';
const OPERATOR = 'operator-2';
const LEASE_MS = 3_000;
const CAP = 3;
const SUB = 'subscription($id: ID!) { messageAdded(conversationId: $id) { id } }';

let cluster: Cluster;
let convs: Array<{ id: string; nativeId: string }>;
const clients: Client[] = [];

function wsAs(replica: Replica, key: string): Client {
  const client = createClient({
    url: replica.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization: `Bearer ${key}` },
  });
  clients.push(client);
  return client;
}

/** The live members (`<topic>|<replica>`) of a principal's set in Redis, and their distinct topics. */
async function shared(principal: string): Promise<{ topics: Set<string>; members: string[] }> {
  const members = await cluster.redisClient.zrangebyscore(`botgraph:topics:${principal}`, Date.now(), '+inf');
  return { topics: new Set(members.map((m) => m.slice(0, m.lastIndexOf('|')))), members };
}

const topicOf = (i: number) => `msg:CLOSER:${convs[i]!.nativeId}`;
const refusal = (sub: Collected<unknown>) =>
  ((Array.isArray(sub.error) ? sub.error[0] : sub.error) as { extensions?: Record<string, unknown> } | undefined)?.extensions;

/** Subscribes and waits until the subscription is refused or its topic is in the principal's set. */
async function subscribeOn(client: Client, i: number, principal: string): Promise<Collected<unknown>> {
  const sub = collect(client, SUB, { id: convs[i]!.id });
  await waitFor(
    async () => sub.error !== undefined || (await shared(principal)).topics.has(topicOf(i)),
    `conversation ${i} to be taken or refused`,
    10_000,
  );
  return sub;
}

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 2,
    env: {
      BOTGRAPH_AUTH: '',
      BOTGRAPH_API_KEYS: `viewer:${KEYS.viewer},operator:${KEYS.operator}`,
      LIVE_TOPICS_PER_PRINCIPAL: String(CAP),
      LEASE_MS: String(LEASE_MS),
      RATE_LIMIT_OPS_PER_SECOND: '0',
    },
  });
  const res = await fetch(`${cluster.replicas[0]!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.viewer}` },
    body: JSON.stringify({ query: '{ conversations(first: 6, filter: { providers: [CLOSER] }) { nodes { id nativeId } } }' }),
  });
  convs = ((await res.json()) as { data: { conversations: { nodes: Array<{ id: string; nativeId: string }> } } }).data.conversations.nodes;
  expect(convs).toHaveLength(6);
}, 60_000);
afterAll(async () => {
  for (const c of clients) void c.dispose();
  await cluster?.stop();
});

describe('the topic cap with REDIS_URL', () => {
  it('holds across replicas, frees a shared topic, and forgets a crashed replica once its lease ends', async () => {
    const [a, b] = cluster.replicas as [Replica, Replica];
    const onA = wsAs(a, KEYS.viewer);
    const onB = wsAs(b, KEYS.viewer);
    const held = [await subscribeOn(onA, 0, VIEWER), await subscribeOn(onA, 1, VIEWER), await subscribeOn(onB, 2, VIEWER)];
    expect(held.map((s) => s.error)).toEqual([undefined, undefined, undefined]);
    expect((await shared(VIEWER)).topics.size).toBe(3);

    // A 4th distinct topic is refused on either replica, though each holds fewer than 3 itself;
    // no poller starts for it anywhere (no lease on its topic).
    for (const client of [onB, onA]) {
      const fourth = collect(client, SUB, { id: convs[3]!.id });
      await fourth.ended();
      expect(refusal(fourth)).toMatchObject({ code: 'TOPIC_LIMIT_EXCEEDED', limit: CAP, value: CAP + 1 });
    }
    expect(await cluster.leaseHolder(topicOf(3))).toBeNull();

    // A topic the principal holds on A is no new load: free on B (one more member, same 3 topics).
    const again = collect(onB, SUB, { id: convs[0]!.id });
    await waitFor(async () => again.error !== undefined || (await shared(VIEWER)).members.length === 4, "B's member of the shared topic");
    expect(again.error).toBeUndefined();
    expect((await shared(VIEWER)).topics.size).toBe(3);
    // Another principal has its own cap.
    const other = await subscribeOn(wsAs(b, KEYS.operator), 3, OPERATOR);
    expect(other.error).toBeUndefined();

    // A crashes: its members stay until their lease ends, so B still may not take a new topic …
    await cluster.kill(a, 'SIGKILL');
    const killedAt = Date.now();
    const early = collect(onB, SUB, { id: convs[4]!.id });
    await early.ended();
    expect(refusal(early)).toMatchObject({ code: 'TOPIC_LIMIT_EXCEEDED', value: CAP + 1 });
    // … and once they expired (B's own are renewed), it may: topics 0 (B), 2 (B) and 4.
    const aMember = (m: string) => m.slice(m.lastIndexOf('|') + 1).startsWith(`${a.pid}-`);
    await waitFor(async () => !(await shared(VIEWER)).members.some(aMember), "A's members to expire", LEASE_MS * 3, 100);
    const expiredAfterMs = Date.now() - killedAt;
    console.log(`[topic-cap] a crashed replica's topics stopped counting ${expiredAfterMs} ms after the kill (LEASE_MS ${LEASE_MS})`);
    expect(expiredAfterMs).toBeLessThanOrEqual(LEASE_MS + 1_000);
    const late = await subscribeOn(onB, 4, VIEWER);
    expect(late.error).toBeUndefined();
    expect((await shared(VIEWER)).topics).toEqual(new Set([topicOf(0), topicOf(2), topicOf(4)]));
  }, 90_000);
});
