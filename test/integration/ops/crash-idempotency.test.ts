/**
 * Crash-safe idempotency across two replica processes on a private Redis: replica A is SIGKILLed
 * while CLOSER (slowed by the simulator's latency fault) is acting on its `sendMessage`. Retries on
 * replica B, at every timing (while A still runs, right after the kill, after A's heartbeat has
 * expired), get IDEMPOTENCY_OUTCOME_UNKNOWN with the time the first call started, never a second
 * send: CLOSER holds the message exactly once. A new key then sends, as the operator would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startCluster, waitFor, type Cluster, type Replica } from '../../helpers/replicas.js';
import { SEND, closerConversations, type Conv } from '../replicas/support.js';

let cluster: Cluster;
afterAll(() => cluster?.stop());
beforeAll(async () => {
  cluster = await startCluster({ replicas: 2 });
});

const POST = 'POST /openapi/conversation/:id/message';

async function messagesWithText(cluster: Cluster, nativeId: string, text: string): Promise<number> {
  const res = await fetch(`${cluster.closer.url}/openapi/conversation/${nativeId}/message?page=1&limit=100`, {
    headers: { 'x-api-key': cluster.closer.apiKey },
  });
  const body = (await res.json()) as { total: number; data: Array<{ data: { text?: string } }> };
  expect(body.total).toBeLessThanOrEqual(100);
  return body.data.filter((m) => m.data.text === text).length;
}

describe('SIGKILL while the vendor acts on a keyed sendMessage', () => {
  it('delivers exactly one message whatever the retry timing', { timeout: 60_000 }, async () => {
    const [A, B] = cluster.replicas as [Replica, Replica];
    const [x] = (await closerConversations(B, 1)) as [Conv];
    const key = `crash-${Date.now()}`;
    const text = `sent once despite the crash ${key}`;
    const input = { conversationId: x.id, text, idempotencyKey: key };
    const before = cluster.closer.stats.count(POST);
    cluster.closer.faults.set({ latencyMs: 3_000, routes: [POST] });
    try {
      const t0 = Date.now();
      const first = gql(A, SEND, { input }).catch((e: unknown) => e);
      await waitFor(() => cluster.closer.stats.count(POST) === before + 1, 'the POST to reach CLOSER', 10_000, 10);

      // 1. A duplicate on B while A is still sending: it waits for A. No fixed pause before the kill:
      // B is waiting once it looks at the key again, a PEEK script that only a waiting duplicate
      // sends, seen on Redis' MONITOR.
      const monitor = await cluster.redisClient.monitor();
      const record = `botgraph:idem:sendMessage:anonymous ${key}`;
      let peeked = false;
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'eval' && args[1]?.startsWith("return {redis.call('GET', KEYS[1])") && args[3] === record) peeked = true;
      });
      const whileSending = gql(B, SEND, { input });
      try {
        await waitFor(() => peeked, 'the duplicate on B to wait for A', 10_000, 10);
      } finally {
        monitor.disconnect();
      }
      await cluster.kill(A, 'SIGKILL');
      const killedAt = Date.now();
      // 2. Right after the kill, before A's heartbeat has expired.
      const rightAfter = gql(B, SEND, { input });

      const [w, r] = await Promise.all([whileSending, rightAfter]);
      expect(await first).toBeInstanceOf(Error); // A died without answering
      // 3. Long after: the heartbeat is gone, the record is not.
      await waitFor(async () => messagesWithText(cluster, x.nativeId, text).then((n) => n === 1), 'CLOSER to finish acting', 10_000);
      const t3 = Date.now();
      const later = await gql(B, SEND, { input });
      const laterMs = Date.now() - t3;

      for (const res of [w, r, later]) {
        expect(res.errors?.[0]?.extensions, JSON.stringify(res)).toMatchObject({
          code: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
          retryable: false,
          field: 'input.idempotencyKey',
        });
        const startedAt = Date.parse(res.errors?.[0]?.extensions?.startedAt as string);
        expect(startedAt).toBeGreaterThanOrEqual(t0 - 1_000);
        expect(startedAt).toBeLessThanOrEqual(killedAt);
      }
      // The record outlives any retry timing (24 h), so even a retry after minutes is never re-sent.
      // Keys are namespaced by principal (the replicas run open: `anonymous`).
      const pttl = await cluster.redisClient.pttl(`botgraph:idem:sendMessage:anonymous ${key}`);
      expect(pttl).toBeGreaterThan(23 * 3_600_000);
      expect(cluster.closer.stats.count(POST) - before).toBe(1);
      expect(await messagesWithText(cluster, x.nativeId, text)).toBe(1);
      console.log(
        `[crash] A SIGKILLed mid-send; retries on B: while sending → ${w.errors?.[0]?.extensions?.code} after ${Date.now() - killedAt} ms or less, ` +
          `right after the kill → ${r.errors?.[0]?.extensions?.code}, later → ${later.errors?.[0]?.extensions?.code} in ${laterMs} ms; ` +
          `POSTs to CLOSER: ${cluster.closer.stats.count(POST) - before}; messages delivered: ${await messagesWithText(cluster, x.nativeId, text)}`,
      );

      // The operator checked the conversation; a new key is a new send.
      cluster.closer.faults.clear();
      const fresh = await gql(B, SEND, { input: { ...input, idempotencyKey: `${key}-new` } });
      expect(fresh.errors).toBeUndefined();
      expect(fresh.data.sendMessage.replayed).toBe(false);
    } finally {
      cluster.closer.faults.clear();
    }
  });
});
