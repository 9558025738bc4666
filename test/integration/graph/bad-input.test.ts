/**
 * What a client gets for bad input: the right code (and `extensions.field` where one input is at
 * fault), null without error for well-formed IDs of objects that do not exist, per-slot errors in
 * `nodes`, HTTP 400/413 for bodies botgraph will not read, and never a stack trace.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type GraphQLResponse, type TestBotgraph } from '../../helpers/botgraph.js';
import { expectSafeErrors, makeId } from './support.js';

let bg: TestBotgraph;
let conversationId: string;
let botId: string;
let listCursor: string;
let messageCursor: string;

/** Every response of this file goes through here: never a stack trace, never a secret. */
async function gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
  const res = await bg.gql(query, variables);
  expectSafeErrors(res.errors);
  return res;
}

function onlyError(res: GraphQLResponse, code: string, field?: string) {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const [error] = res.errors!;
  expect(error!.extensions?.code).toBe(code);
  if (field !== undefined) expect(error!.extensions?.field).toBe(field);
  return error!;
}

beforeAll(async () => {
  bg = await startTestBotgraph();
  const res = await bg.gql(
    `{ conversations(first: 3) { pageInfo { endCursor } nodes { id messages(first: 1) { pageInfo { endCursor } } } } bots(providers: [CLOSER]) { id } }`,
  );
  conversationId = res.data.conversations.nodes[0].id;
  listCursor = res.data.conversations.pageInfo.endCursor;
  messageCursor = res.data.conversations.nodes[0].messages.pageInfo.endCursor;
  botId = res.data.bots[0].id;
});

describe('GraphQL documents', () => {
  it('a syntax error is GRAPHQL_PARSE_FAILED', async () => {
    const res = await gql(`{ conversations(first: 3 { nodes { id } } }`);
    onlyError(res, 'GRAPHQL_PARSE_FAILED');
    expect(res.data).toBeUndefined();
  });

  it('an unknown field is GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await gql(`{ conversations { nodes { id secretField } } }`);
    onlyError(res, 'GRAPHQL_VALIDATION_FAILED');
  });
});

describe('page sizes', () => {
  it.each([-1, 101])('first: %i is BAD_USER_INPUT on `first`, on every connection', async (first) => {
    onlyError(await gql(`{ conversations(first: ${first}) { nodes { id } } }`), 'BAD_USER_INPUT', 'first');
    onlyError(await gql(`{ endUsers(first: ${first}) { nodes { id } } }`), 'BAD_USER_INPUT', 'first');
    const nested = onlyError(
      await gql(`query($id: ID!) { conversation(id: $id) { messages(first: ${first}) { nodes { id } } } }`, { id: conversationId }),
      'BAD_USER_INPUT',
      'first',
    );
    expect(nested.path).toEqual(['conversation', 'messages']);
  });

  it('first: 0 and first: 100 are fine', async () => {
    const res = await gql(`{ a: conversations(first: 0) { nodes { id } } b: conversations(first: 100) { nodes { id } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.a.nodes).toEqual([]);
    expect(res.data.b.nodes).toHaveLength(100);
  });
});

describe('IDs', () => {
  it.each([
    ['garbage', 'not-an-id!'],
    ['base64 of something else', Buffer.from('hello world').toString('base64url')],
    ['an unknown provider', makeId('ZENDESK', 'Conversation', '123')],
    ['an unknown type', makeId('CLOSER', 'Ticket', '123')],
    ['an empty native id', makeId('CLOSER', 'Conversation', '')],
    ['an empty string', ''],
  ])('%s is BAD_USER_INPUT on `id`', async (_name, id) => {
    const res = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
    const error = onlyError(res, 'BAD_USER_INPUT', 'id');
    expect(error.path).toEqual(['node']);
    expect(res.data).toEqual({ node: null });
  });

  it('an ID of the wrong type is BAD_USER_INPUT', async () => {
    onlyError(await gql(`query($id: ID!) { bot(id: $id) { id } }`, { id: conversationId }), 'BAD_USER_INPUT', 'id');
    onlyError(await gql(`query($id: ID!) { conversation(id: $id) { id } }`, { id: botId }), 'BAD_USER_INPUT', 'id');
    onlyError(await gql(`query($id: ID!) { endUser(id: $id) { id } }`, { id: botId }), 'BAD_USER_INPUT', 'id');
    onlyError(
      await gql(`query($id: ID!) { conversations(filter: { botIds: [$id] }) { nodes { id } } }`, { id: conversationId }),
      'BAD_USER_INPUT',
      'filter.botIds[0]',
    );
  });

  it.each([
    ['CLOSER', makeId('CLOSER', 'Conversation', 'aaaaaaaaaaaaaaaaaaaaaaaa')],
    ['BOTONE', makeId('BOTONE', 'Conversation', '00000000-0000-4000-8000-000000000000', '1446')],
    ['CXONE', makeId('CXONE', 'Conversation', 'chat;nope;nope', '1327', '1719943426916')],
  ])('a well-formed ID of a %s conversation that does not exist is null, without error', async (_provider, id) => {
    const res = await gql(`query($id: ID!) { node(id: $id) { id } conversation(id: $id) { id } }`, { id });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ node: null, conversation: null });
  });

  it('a bot, message or end user that does not exist is null too', async () => {
    const res = await gql(
      `query($a: ID!, $b: ID!, $c: ID!, $d: ID!) { a: node(id: $a) { id } b: bot(id: $b) { id } c: node(id: $c) { id } d: endUser(id: $d) { id } }`,
      {
        a: makeId('BOTONE', 'Bot', '999999'),
        b: makeId('CXONE', 'Bot', '4242'),
        c: makeId('CXONE', 'Message', 'nope#3', 'chat;nope;nope', '1327', '1719943426916'),
        d: makeId('CLOSER', 'EndUser', '00000000-0000-4000-8000-000000000000'),
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: null, b: null, c: null, d: null });
  });

  it('nodes([good, garbage, missing]) → [object, null, null] with one error at ["nodes", 1]', async () => {
    const missing = makeId('CLOSER', 'Conversation', 'aaaaaaaaaaaaaaaaaaaaaaaa');
    const res = await gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [conversationId, 'garbage!', missing] });
    expect(res.data).toEqual({ nodes: [{ id: conversationId }, null, null] });
    const error = onlyError(res, 'BAD_USER_INPUT', 'ids[1]');
    expect(error.path).toEqual(['nodes', 1]);
  });
});

describe('cursors', () => {
  it.each([
    ['a message cursor', () => messageCursor],
    ['garbage', () => 'not a cursor'],
    ['base64 JSON of something else', () => Buffer.from('{"k":"conversations","p":{"q":1}}').toString('base64url')],
  ])('%s as `after` of the conversation list is BAD_USER_INPUT', async (_name, cursor) => {
    onlyError(await gql(`query($a: String) { conversations(first: 3, after: $a) { nodes { id } } }`, { a: cursor() }), 'BAD_USER_INPUT', 'after');
  });

  it('a conversation cursor of another filter, or of another list, is BAD_USER_INPUT', async () => {
    onlyError(
      await gql(`query($a: String) { conversations(first: 3, after: $a, filter: { providers: [CLOSER] }) { nodes { id } } }`, { a: listCursor }),
      'BAD_USER_INPUT',
      'after',
    );
    onlyError(
      await gql(`query($a: String) { conversations(first: 3, after: $a, filter: { statuses: [COMPLETED] }) { nodes { id } } }`, { a: listCursor }),
      'BAD_USER_INPUT',
      'after',
    );
    onlyError(
      await gql(`query($id: ID!, $a: String) { bot(id: $id) { conversations(first: 3, after: $a) { nodes { id } } } }`, { id: botId, a: listCursor }),
      'BAD_USER_INPUT',
      'after',
    );
    onlyError(
      await gql(`query($id: ID!, $a: String) { conversation(id: $id) { messages(after: $a) { nodes { id } } } }`, {
        id: conversationId,
        a: listCursor,
      }),
      'BAD_USER_INPUT',
      'after',
    );
  });
});

describe('filters', () => {
  it.each(['yesterday', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01', '2026-01-01T10:00:00'])(
    'DateTime %s is BAD_USER_INPUT, as a variable and as a literal',
    async (value) => {
      onlyError(
        await gql(`query($f: ConversationFilter) { conversations(filter: $f) { nodes { id } } }`, { f: { updatedFrom: value } }),
        'BAD_USER_INPUT',
      );
      onlyError(await gql(`{ conversations(filter: { createdTo: ${JSON.stringify(value)} }) { nodes { id } } }`), 'BAD_USER_INPUT');
    },
  );

  it('a range whose start is after its end, and an empty search, are BAD_USER_INPUT on their field', async () => {
    onlyError(
      await gql(`{ conversations(filter: { updatedFrom: "2026-05-02", updatedTo: "2026-05-01" }) { nodes { id } } }`),
      'BAD_USER_INPUT',
      'filter.updatedFrom',
    );
    onlyError(await gql(`{ conversations(filter: { search: "   " }) { nodes { id } } }`), 'BAD_USER_INPUT', 'filter.search');
  });
});

describe('HTTP bodies', () => {
  it('a body that is not JSON is 400', async () => {
    const res = await fetch(`${bg.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as GraphQLResponse;
    expect(body.errors?.[0]?.message).toMatch(/JSON/);
    expectSafeErrors(body.errors);
  });

  it('a 2 MB body is 413, and botgraph still answers afterwards', async () => {
    const body = JSON.stringify({ query: '{ providers { provider } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const res = await fetch(`${bg.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    const parsed = (await res.json()) as GraphQLResponse;
    expectSafeErrors(parsed.errors);
    const after = await gql(`{ providers { provider } }`);
    expect(after.data.providers).toHaveLength(3);
  });

  it('a POST with no query is 400, without a stack trace', async () => {
    const res = await fetch(`${bg.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"variables": {}}' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
  });
});
