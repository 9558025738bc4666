import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

/**
 * botgraph as an Apollo Federation 2 subgraph: composed with @apollo/composition beside a small
 * "notes" subgraph that extends Conversation, queried through @apollo/gateway over real HTTP.
 */

const NOTES_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Conversation @key(fields: "id") {
  id: ID!
  "A note an agent left on the conversation, kept by the notes service."
  agentNote: String!
}
type Query {
  "Conversations the notes service has pinned: references that botgraph resolves."
  pinnedConversations: [Conversation!]!
}
`;

let bg: TestBotgraph;
let pinned: string[] = [];
const servers: ApolloServer<any>[] = [];
let gatewayUrl = '';
let notesUrl = '';

async function stats(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of ['CLOSER', 'BOTONE', 'CXONE'] as const) out[p] = (await bg.stats(p)).total;
  return out;
}

async function post(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json();
}

beforeAll(async () => {
  bg = await startTestBotgraph();
  const list = await bg.gql(`{ conversations(first: 6) { nodes { id } } }`);
  pinned = list.data.conversations.nodes.map((n: { id: string }) => n.id);

  const notes = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(NOTES_SDL),
        resolvers: {
          Query: { pinnedConversations: () => pinned.map((id) => ({ id })) },
          Conversation: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
            agentNote: (c: { id: string }) => `note for ${c.id.slice(-6)}`,
          },
        } as never,
      },
    ]),
  });
  servers.push(notes);
  notesUrl = (await startStandaloneServer(notes, { listen: { port: 0, host: '127.0.0.1' } })).url;

  const sdl = (await bg.gql(`{ _service { sdl } }`)).data._service.sdl as string;
  const composed = composeServices([
    { name: 'botgraph', typeDefs: parse(sdl), url: `${bg.url}/graphql` },
    { name: 'notes', typeDefs: parse(NOTES_SDL), url: notesUrl },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const gateway = new ApolloGateway({ supergraphSdl: composed.supergraphSdl });
  const gatewayServer = new ApolloServer({ gateway });
  servers.push(gatewayServer);
  gatewayUrl = (await startStandaloneServer(gatewayServer, { listen: { port: 0, host: '127.0.0.1' } })).url;
});

afterAll(async () => {
  for (const s of servers.reverse()) await s.stop();
});

describe('federation subgraph', () => {
  it('serves its SDL with @key on Conversation, Bot, EndUser and Message', async () => {
    const { data } = await bg.gql(`{ _service { sdl } }`);
    for (const type of ['Conversation', 'Bot', 'EndUser', 'Message']) {
      expect(data._service.sdl).toMatch(new RegExp(`extend type ${type} @key\\(fields: "id"\\)`));
    }
  });

  it('composes beside another subgraph, and a gateway query spans both ways', async () => {
    // botgraph → notes: botgraph lists, the notes subgraph adds its field by reference.
    const forward = await post(gatewayUrl, `{ conversations(first: 4) { nodes { id provider title agentNote } } }`);
    expect(forward.errors).toBeUndefined();
    expect(forward.data.conversations.nodes).toHaveLength(4);
    for (const c of forward.data.conversations.nodes) expect(c.agentNote).toBe(`note for ${c.id.slice(-6)}`);

    // notes → botgraph: the notes subgraph returns references, botgraph resolves them in _entities.
    await bg.resetStats();
    const back = await post(gatewayUrl, `{ pinnedConversations { id title status provider agentNote } }`);
    const viaGateway = await stats();
    expect(back.errors).toBeUndefined();
    expect(back.data.pinnedConversations.map((c: { id: string }) => c.id)).toEqual(pinned);
    for (const c of back.data.pinnedConversations) expect(c.title).toEqual(expect.any(String));

    await bg.resetStats();
    await bg.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { title status provider } } }`, { ids: pinned });
    expect(viaGateway).toEqual(await stats());
  });

  it('50 entity references cost exactly what 50 ids in nodes(ids) cost', async () => {
    const { data } = await bg.gql(`{ conversations(first: 50) { nodes { id provider messages(first: 1) { nodes { id } } } } }`);
    const conversations = data.conversations.nodes as { id: string; provider: string; messages: { nodes: { id: string }[] } }[];
    expect(new Set(conversations.map((c) => c.provider)).size).toBe(3);
    // Mix types: conversations and one message of each of the first ones.
    const refs = conversations.slice(0, 40).map((c) => ({ __typename: 'Conversation', id: c.id }));
    for (const c of conversations.slice(0, 10)) refs.push({ __typename: 'Message', id: c.messages.nodes[0]!.id });
    expect(refs).toHaveLength(50);

    await bg.resetStats();
    const entities = await bg.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id title } ... on Message { id text } } }`,
      { r: refs },
    );
    const entityCalls = await stats();
    expect(entities.errors).toBeUndefined();
    expect(entities.data._entities.map((e: { id: string }) => e.id)).toEqual(refs.map((r) => r.id));

    await bg.resetStats();
    const nodes = await bg.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Conversation { title } ... on Message { text } } }`, {
      ids: refs.map((r) => r.id),
    });
    expect(nodes.data.nodes.map((e: { id: string }) => e.id)).toEqual(refs.map((r) => r.id));
    expect(entityCalls).toEqual(await stats());
    // Batched: far fewer upstream calls than references.
    const total = Object.values(entityCalls).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(50);
  });

  it('a reference with an id of another type is a typed error, not a wrong object', async () => {
    const { data } = await bg.gql(`{ bots(providers: [CLOSER]) { id } }`);
    const res = await bg.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id } } }`, {
      r: [{ __typename: 'Conversation', id: data.bots[0].id }],
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('stays a plain GraphQL API: a query without federation works as before', async () => {
    const res = await bg.gql(`{ conversations(first: 2) { nodes { id } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.conversations.nodes).toHaveLength(2);
  });
});
