/**
 * The entity cache shared by replicas (REDIS_URL): two botgraphs on one private redis-server and one
 * CLOSER simulator (REMOTE for both). A read kept by one is served by the other without a call, and
 * a write through either is seen by a read on the other at once, by the entity cache and by the
 * response cache alike. Upstream calls are counted at the simulator's `/__sim/stats`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { Botgraph } from '../../../src/server.js';
import { startCloserReplicas } from '../../helpers/closer-replicas.js';

const LIST = `{ conversations(first: 5, filter: { statuses: [ACTIVE] }) { nodes { id title fetchedAt messages(last: 3) { nodes { text } } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Conversation { id fetchedAt messages(last: 3) { nodes { text } } } } }`;
const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: { conversationId: $id, text: $text }) { message { id } } }`;

let closer: CloserSimulator;
let apps: Botgraph[];

beforeAll(async () => {
  // Long, so that nothing here depends on the clock: freshness comes from invalidation.
  ({ closer, apps } = await startCloserReplicas({ CACHE_TTL_MS: '60000' }));
});

async function gql(app: Botgraph, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${app.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body;
}

async function closerCalls(run: () => Promise<unknown>): Promise<number> {
  await fetch(`${closer.url}/__sim/stats`, { method: 'DELETE' });
  await run();
  return ((await (await fetch(`${closer.url}/__sim/stats`)).json()) as { total: number }).total;
}

describe('two replicas, one Redis', () => {
  it("what A read, B serves without a call, as old as A's read", async () => {
    const [a, b] = apps as [Botgraph, Botgraph];
    let first: any;
    expect(await closerCalls(async () => (first = await gql(a, LIST)))).toBeGreaterThan(0);
    let second: any;
    expect(await closerCalls(async () => (second = await gql(b, LIST)))).toBe(0);
    expect(second.data).toEqual(first.data);
    expect(second.extensions.freshness.cachedReads).toBeGreaterThan(0);
  });

  it("a write through A is seen by B's next read at once, and B's write by A's", async () => {
    const [a, b] = apps as [Botgraph, Botgraph];
    const id = (await gql(a, LIST)).data.conversations.nodes[0].id as string;
    await gql(a, NODE, { id });
    await gql(b, NODE, { id });
    expect(await closerCalls(() => gql(b, NODE, { id }))).toBe(0);

    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ] as const) {
      const text = `replica cache ${Date.now()} ${Math.random()}`;
      await gql(writer, SEND, { id, text });
      let after: any;
      expect(await closerCalls(async () => (after = await gql(reader, NODE, { id })))).toBeGreaterThan(0);
      expect(after.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
      // And the reader's fresh read is kept in turn: the writer reads it for free.
      expect(await closerCalls(() => gql(writer, NODE, { id }))).toBe(0);
    }
  });

  it('a response A keeps is not served after a write through B (the sequence is in Redis)', async () => {
    const [a, b] = apps as [Botgraph, Botgraph];
    const id = (await gql(a, LIST)).data.conversations.nodes[1].id as string;
    await gql(a, NODE, { id });
    const kept = await gql(a, NODE, { id });
    expect(kept.extensions.freshness.cachedResponse).toBe(true);
    expect(await closerCalls(() => gql(a, NODE, { id }))).toBe(0);

    const text = `replica response ${Date.now()} ${Math.random()}`;
    await gql(b, SEND, { id, text });
    const after = await gql(a, NODE, { id });
    expect(after.extensions.freshness.cachedResponse).toBeUndefined();
    expect(after.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
  });
});
