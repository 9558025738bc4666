/**
 * docs/clients/apollo.ts as written, against a real botgraph: relayStylePagination merges pages,
 * possibleTypes from codegen match interface fragments from the cache, and the split link runs a
 * subscription over graphql-ws while the mutation goes over HTTP.
 */
import { gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloClient } from '../../docs/clients/apollo.js';
import { ConversationQuery, InboxQuery, MessageAddedSubscription, SendMessageMutation } from '../../docs/clients/operations.js';
import { startTestBotgraph, type TestBotgraph } from '../helpers/botgraph.js';
import { subscribed, waitFor } from '../helpers/live.js';

let bg: TestBotgraph;
let apollo: ReturnType<typeof createApolloClient>;

beforeAll(async () => {
  bg = await startTestBotgraph({ POLL_INTERVAL_MS: '200', POLL_FAST_INTERVAL_MS: '200', POLL_IDLE_INTERVAL_MS: '200', POLL_GRACE_MS: '300' });
  apollo = createApolloClient(`${bg.url}/graphql`);
});
afterAll(async () => {
  await apollo?.wsClient.dispose();
});

describe('Apollo Client 4 (docs/clients/apollo.ts)', () => {
  it('relayStylePagination: fetchMore appends the next page to one cached list', async () => {
    const plain = await bg.gql(`{ conversations(first: 10) { nodes { id } } }`);
    const expected = plain.data.conversations.nodes.map((n: { id: string }) => n.id);

    const watch = apollo.client.watchQuery({ query: InboxQuery, variables: { first: 5 } });
    const pages: number[] = [];
    const subscription = watch.subscribe(({ data }) => void (data?.conversations?.edges && pages.push(data.conversations.edges.length)));
    await waitFor(() => pages.includes(5), 'the first page');
    const endCursor = apollo.client.readQuery({ query: InboxQuery, variables: { first: 5 } })?.conversations.pageInfo.endCursor;
    await watch.fetchMore({ variables: { after: endCursor } });
    // The watcher sees one list of 10, and the cache holds it under the query without `after`.
    await waitFor(() => pages.includes(10), 'the merged list');
    subscription.unsubscribe();
    const merged = apollo.client.readQuery({ query: InboxQuery, variables: { first: 5 } })?.conversations;
    expect(merged?.edges.map((e) => e.node.id)).toEqual(expected);
    expect(merged?.pageInfo.hasNextPage).toBe(true);
  });

  it('possibleTypes: a fragment on the Node interface reads a Conversation from the cache', async () => {
    const res = await apollo.client.query({ query: InboxQuery, variables: { first: 3, filter: { providers: ['CXONE'] } } });
    const node = res.data!.conversations.edges[0]!.node;
    const fragment = apollo.client.cache.readFragment<{ id: string }>({
      id: apollo.client.cache.identify({ __typename: 'Conversation', id: node.id }),
      fragment: gql`
        fragment AnyNode on Node {
          id
        }
      `,
    });
    expect(fragment?.id).toBe(node.id);
    // And the tracker events of a CXone conversation come typed by their concrete type.
    const detail = await apollo.client.query({ query: ConversationQuery, variables: { id: node.id, last: 5 } });
    const utterances = detail.data!.conversation!.trackerEvents.filter((e) => e.__typename === 'UserUtteranceEvent');
    expect(utterances.length).toBeGreaterThan(0);
    expect(utterances.some((e) => e.__typename === 'UserUtteranceEvent' && e.intent?.name)).toBe(true);
  });

  it('split link: a subscription over graphql-ws sees the message a mutation over HTTP sends', async () => {
    const list = await bg.gql(`{ conversations(first: 20, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id } } }`);
    const id = list.data.conversations.nodes[0].id as string;
    const seen: (string | null)[] = [];
    const sub = apollo.client.subscribe({ query: MessageAddedSubscription, variables: { conversationId: id } }).subscribe({
      next: (r) => void seen.push(r.data?.messageAdded.text ?? null),
    });
    await subscribed(bg, 1, 'msg:');
    const text = `apollo-${Date.now()}`;
    const sent = await apollo.client.mutate({
      mutation: SendMessageMutation,
      variables: { input: { conversationId: id, text, idempotencyKey: text } },
    });
    expect(sent.data?.sendMessage.message?.text).toBe(text);
    await waitFor(() => seen.includes(text), 'the message over the subscription');
    sub.unsubscribe();
  });
});
