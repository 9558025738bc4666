/**
 * Idempotency keys live in the shared Redis: the same `sendMessage` key sent concurrently to two
 * replica processes (10 calls each) reaches CLOSER exactly once, and all 20 answers carry that one
 * message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startCluster, type Cluster, type Replica } from '../../helpers/replicas.js';
import { SEND, closerConversations, type Conv } from './support.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

const POST = 'POST /openapi/conversation/:id/message';

describe('idempotency across replicas', () => {
  it('one key, 10 concurrent calls on each of two replicas: exactly one POST upstream', async () => {
    const [A, B] = cluster.replicas as [Replica, Replica];
    const [x] = (await closerConversations(A, 1)) as [Conv];
    const key = `replicas-${Date.now()}`;
    const before = cluster.closer.stats.count(POST);
    const input = { conversationId: x.id, text: 'sent once, whatever the replica', idempotencyKey: key };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gql(i % 2 === 0 ? A : B, SEND, { input })));

    expect(cluster.closer.stats.count(POST) - before).toBe(1);
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.sendMessage.message.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.data.sendMessage.replayed === false)).toHaveLength(1);

    // A retry later on either replica replays too, and the same key with another input is refused.
    const retry = await gql(B, SEND, { input });
    expect(retry.data.sendMessage).toMatchObject({ replayed: true, message: { id: [...ids][0] } });
    const reused = await gql(A, SEND, { input: { ...input, text: 'something else' } });
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(cluster.closer.stats.count(POST) - before).toBe(1);

    // CLOSER holds the message once: it is the conversation's last, and the one before is not it.
    const page = async (n: number, limit: number) => {
      const res = await fetch(`${cluster.closer.url}/openapi/conversation/${x.nativeId}/message?page=${n}&limit=${limit}`, {
        headers: { 'x-api-key': cluster.closer.apiKey },
      });
      return (await res.json()) as { total: number; data: Array<{ id: string; data: { text?: string } }> };
    };
    const { total } = await page(1, 1);
    expect((await page(total, 1)).data[0]?.data.text).toBe(input.text);
    expect((await page(total - 1, 1)).data[0]?.data.text).not.toBe(input.text);
  });
});
