/**
 * The guide's snippets with a key, against an auth-enabled botgraph: Apollo Client, urql and the
 * graphql-ws resume loop send `Bearer <key>` on HTTP and in `connectionParams`; the persisted
 * snippets (docs/clients/persisted.ts) run by hash against a botgraph that runs nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApolloClient } from '../../docs/clients/apollo.js';
import { ConversationQuery, InboxQuery, MessageAddedSubscription, SendMessageMutation } from '../../docs/clients/operations.js';
import { createPersistedApolloClient, runPersisted } from '../../docs/clients/persisted.js';
import { followMessages, type Message } from '../../docs/clients/resume.js';
import { createUrqlClient } from '../../docs/clients/urql.js';
import { startTestBotgraph, type TestBotgraph } from '../helpers/botgraph.js';
import { subscribed, waitFor, wsUrl } from '../helpers/live.js';
import { API_KEYS_ENV, KEYS } from '../integration/security/support.js';

const LIVE = { POLL_INTERVAL_MS: '200', POLL_FAST_INTERVAL_MS: '200', POLL_IDLE_INTERVAL_MS: '200', POLL_GRACE_MS: '300' };
/** The manifest codegen's client preset writes for docs/clients/operations.ts. */
const MANIFEST = 'docs/clients/__generated__/persisted-documents.json';

const disposers: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

async function activeBotoneConversation(bg: TestBotgraph, key: string): Promise<string> {
  const res = await fetch(`${bg.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: `{ conversations(first: 5, filter: { providers: [BOTONE], statuses: [ACTIVE] }) { nodes { id } } }` }),
  });
  const body = (await res.json()) as { data: { conversations: { nodes: { id: string }[] } } };
  return body.data.conversations.nodes[0]!.id;
}

describe('with BOTGRAPH_API_KEYS: the guide clients send their key', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({ ...LIVE, BOTGRAPH_API_KEYS: API_KEYS_ENV });
  });

  it('Apollo Client without a key is refused (UNAUTHENTICATED, HTTP 401)', async () => {
    const anonymous = createApolloClient(`${bg.url}/graphql`);
    disposers.push(() => anonymous.wsClient.dispose());
    const result = await anonymous.client
      .query({ query: InboxQuery, variables: { first: 3 }, errorPolicy: 'all' })
      .catch((error: unknown) => ({ error }));
    expect(result.error).toBeDefined();
    expect(JSON.stringify(result.error)).toMatch(/401|UNAUTHENTICATED/);
  });

  it('Apollo Client with an operator key: the split link subscribes over graphql-ws and the mutation over HTTP', async () => {
    const apollo = createApolloClient(`${bg.url}/graphql`, KEYS.operator);
    disposers.push(() => apollo.wsClient.dispose());
    const inbox = await apollo.client.query({ query: InboxQuery, variables: { first: 3 } });
    expect(inbox.data?.conversations.edges).toHaveLength(3);

    const id = await activeBotoneConversation(bg, KEYS.operator);
    const seen: string[] = [];
    const sub = apollo.client
      .subscribe({ query: MessageAddedSubscription, variables: { conversationId: id } })
      .subscribe(({ data }) => void (data?.messageAdded.text && seen.push(data.messageAdded.text)));
    await subscribed(bg, 1, 'msg:');
    const text = `apollo-key-${Date.now()}`;
    const sent = await apollo.client.mutate({
      mutation: SendMessageMutation,
      variables: { input: { conversationId: id, text, idempotencyKey: text } },
    });
    expect(sent.error).toBeUndefined();
    await waitFor(() => seen.includes(text), 'the reply over the authenticated socket');
    sub.unsubscribe();
  });

  it('urql with a viewer key reads, and its mutation is FORBIDDEN', async () => {
    const urql = createUrqlClient(`${bg.url}/graphql`, KEYS.viewer);
    disposers.push(() => urql.wsClient.dispose());
    const inbox = await urql.client.query(InboxQuery, { first: 3 }).toPromise();
    expect(inbox.error).toBeUndefined();
    expect(inbox.data?.conversations.edges).toHaveLength(3);
    const id = await activeBotoneConversation(bg, KEYS.viewer);
    const before = await bg.stats('BOTONE');
    const sent = await urql.client
      .mutation(SendMessageMutation, { input: { conversationId: id, text: 'viewer', idempotencyKey: `v-${Date.now()}` } })
      .toPromise();
    expect(sent.error?.graphQLErrors[0]?.extensions?.code ?? JSON.stringify(sent.error)).toMatch(/FORBIDDEN/);
    expect((await bg.stats('BOTONE')).total).toBe(before.total);
  });

  it('the graphql-ws resume loop with a viewer key receives what an operator sends', async () => {
    const id = await activeBotoneConversation(bg, KEYS.viewer);
    const got: Message[] = [];
    const follower = followMessages(wsUrl(bg), id, (m) => got.push(m), KEYS.viewer);
    disposers.push(follower.stop);
    const apollo = createApolloClient(`${bg.url}/graphql`, KEYS.operator);
    disposers.push(() => apollo.wsClient.dispose());
    const text = `resume-key-${Date.now()}`;
    // Send until it arrives: a send that precedes the follower's subscription is not replayed (no `since` yet).
    let sends = 0;
    await waitFor(
      async () => {
        if (got.some((m) => m.text === text)) return true;
        const input = { conversationId: id, text, idempotencyKey: `${text}-${++sends}` };
        expect((await apollo.client.mutate({ mutation: SendMessageMutation, variables: { input } })).error).toBeUndefined();
        return got.some((m) => m.text === text);
      },
      'the operator message on the viewer socket',
      15_000,
      250,
    );
  });
});

describe('with PERSISTED_OPERATIONS_ONLY: the persisted snippets run by hash', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({
      ...LIVE,
      BOTGRAPH_API_KEYS: API_KEYS_ENV,
      PERSISTED_OPERATIONS_FILE: MANIFEST,
      PERSISTED_OPERATIONS_ONLY: 'true',
    });
  });

  it('Apollo Client with PersistedQueryLink sends only the hash and gets the inbox', async () => {
    const persisted = createPersistedApolloClient(`${bg.url}/graphql`, KEYS.viewer);
    const inbox = await persisted.query({ query: InboxQuery, variables: { first: 4 } });
    expect(inbox.data?.conversations.edges).toHaveLength(4);
  });

  it('runPersisted posts { documentId, variables }: an operator sends a message by hash', async () => {
    const id = await runPersisted(
      `${bg.url}/graphql`,
      InboxQuery,
      { first: 2, filter: { providers: ['BOTONE'], statuses: ['ACTIVE'] } },
      KEYS.operator,
    );
    expect(id.errors).toBeUndefined();
    const conversationId = (id.data as { conversations: { edges: { node: { id: string } }[] } }).conversations.edges[0]!.node.id;
    const text = `persisted-${Date.now()}`;
    const sent = await runPersisted(
      `${bg.url}/graphql`,
      SendMessageMutation,
      { input: { conversationId, text, idempotencyKey: text } },
      KEYS.operator,
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data).toMatchObject({ sendMessage: { replayed: false } });
    // Read back by hash too: the conversation's last messages hold the reply.
    const read = await runPersisted(`${bg.url}/graphql`, ConversationQuery, { id: conversationId, last: 5 }, KEYS.viewer);
    expect(read.errors).toBeUndefined();
    expect(JSON.stringify(read.data)).toContain(text);
  });

  it('a document that is not in the manifest is refused for a non-admin', async () => {
    const res = await fetch(`${bg.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.operator}` },
      body: JSON.stringify({ query: '{ bots { name } }' }),
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
  });
});
