/**
 * docs/clients/urql.ts as written, against a real botgraph: Graphcache's relayPagination merges
 * pages, typed operations from codegen run through urql, and subscriptions go over graphql-ws.
 */
import { pipe, subscribe } from 'wonka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxQuery, MessageAddedSubscription, SendMessageMutation } from '../../docs/clients/operations.js';
import { createUrqlClient } from '../../docs/clients/urql.js';
import { startTestBotgraph, type TestBotgraph } from '../helpers/botgraph.js';
import { subscribed, waitFor } from '../helpers/live.js';

let bg: TestBotgraph;
let urql: ReturnType<typeof createUrqlClient>;

beforeAll(async () => {
  bg = await startTestBotgraph({ POLL_INTERVAL_MS: '200', POLL_FAST_INTERVAL_MS: '200', POLL_IDLE_INTERVAL_MS: '200', POLL_GRACE_MS: '300' });
  urql = createUrqlClient(`${bg.url}/graphql`);
});
afterAll(async () => {
  await urql?.wsClient.dispose();
});

describe('urql + Graphcache (docs/clients/urql.ts)', () => {
  it('relayPagination: the second page comes back merged with the first', async () => {
    const plain = await bg.gql(`{ conversations(first: 10) { nodes { id } } }`);
    const expected = plain.data.conversations.nodes.map((n: { id: string }) => n.id);
    const first = await urql.client.query(InboxQuery, { first: 5 }).toPromise();
    expect(first.error).toBeUndefined();
    expect(first.data?.conversations.edges).toHaveLength(5);
    const second = await urql.client.query(InboxQuery, { first: 5, after: first.data?.conversations.pageInfo.endCursor }).toPromise();
    expect(second.data?.conversations.edges.map((e) => e.node.id)).toEqual(expected);
  });

  it('a subscription over graphql-ws sees the message a mutation sends', async () => {
    const list = await bg.gql(`{ conversations(first: 20, filter: { providers: [BOTONE], statuses: [ACTIVE] }) { nodes { id } } }`);
    const id = list.data.conversations.nodes[0].id as string;
    const seen: (string | null)[] = [];
    const subscription = pipe(
      urql.client.subscription(MessageAddedSubscription, { conversationId: id }),
      subscribe((r) => void seen.push(r.data?.messageAdded.text ?? null)),
    );
    await subscribed(bg, 1, 'msg:');
    const text = `urql-${Date.now()}`;
    const sent = await urql.client.mutation(SendMessageMutation, { input: { conversationId: id, text, idempotencyKey: text } }).toPromise();
    expect(sent.error).toBeUndefined();
    await waitFor(() => seen.includes(text), 'the message over the subscription');
    subscription.unsubscribe();
  });
});
