/**
 * Compiled execution (src/http/compiled.ts) inside a real Apollo Server: the results graphql-js
 * gives, one compilation per document and operation, and graphql-js's own errors (and nothing
 * executed) where graphql-jit refuses the variables.
 */
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { compiledExecutor, gatewayOf } from '../../src/http/compiled.js';

/** botgraph's default GRAPHQL_COMPILE_AFTER. */
const COMPILE_AFTER = loadConfig({}).ops.compileAfter!;

const compilations = vi.hoisted(() => ({ count: 0 }));
vi.mock('graphql-jit', async (importOriginal) => {
  const jit = await importOriginal<typeof import('graphql-jit')>();
  return { ...jit, compileQuery: (...args: Parameters<typeof jit.compileQuery>) => (compilations.count++, jit.compileQuery(...args)) };
});

const sends: string[] = [];
const schema = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    interface Node {
      id: ID!
    }
    type Conversation implements Node {
      id: ID!
      title: String!
      messages(first: Int!): [Message!]!
      broken: String
    }
    type Message implements Node {
      id: ID!
      text: String!
    }
    type Query {
      node(id: ID!): Node
      conversations(first: Int = 2): [Conversation!]!
    }
    type Mutation {
      send(text: String!, times: Int!): Int!
    }
  `,
  resolvers: {
    Node: { __resolveType: (n: { kind: string }) => n.kind },
    Query: {
      node: (_: unknown, { id }: { id: string }) => (id.startsWith('m') ? { kind: 'Message', id, text: `text of ${id}` } : null),
      conversations: async (_: unknown, { first }: { first: number }) =>
        Array.from({ length: first }, (_, i) => ({ kind: 'Conversation', id: `c${i}`, title: `#${i}` })),
    },
    Conversation: {
      messages: async (c: { id: string }, { first }: { first: number }) =>
        Array.from({ length: first }, (_, i) => ({ kind: 'Message', id: `${c.id}-m${i}`, text: `hello ${i}` })),
      broken: (c: { id: string }) => {
        throw new Error(`broken ${c.id}`);
      },
    },
    Mutation: {
      send: (_: unknown, { text }: { text: string }) => sends.push(text),
    },
  },
});

const servers: ApolloServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  sends.length = 0;
  causes.length = 0;
  compilations.count = 0;
});

/** What botgraph's formatError gets: the error thrown by the resolver, under each formatted one. */
const causes: unknown[] = [];
/** A server compiling from the first execution, unless `after` says otherwise. */
async function compiledServer(after = 0): Promise<ApolloServer> {
  const server = new ApolloServer({
    gateway: gatewayOf(schema, compiledExecutor(schema, after)),
    formatError: (formatted, error) => (causes.push(unwrapResolverError(error)), formatted),
  });
  await server.start();
  servers.push(server);
  return server;
}

async function run(server: ApolloServer, query: string, variables?: Record<string, unknown>) {
  const res = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult;
}

const INBOX = `query Inbox($first: Int) {
  conversations(first: $first) { id title messages(first: 2) { id text } broken }
  node(id: "m1") { id ... on Message { text } }
}`;

describe('compiled execution', () => {
  it('answers what graphql-js answers: data, abstract types, field errors with their paths', async () => {
    const server = await compiledServer();
    const compiled = await run(server, INBOX, { first: 3 });
    const js = await execute({ schema, document: parse(INBOX), variableValues: { first: 3 } });
    expect(compiled.data).toEqual(js.data);
    expect((compiled.data as { conversations: unknown[] }).conversations).toHaveLength(3);
    const shape = (e: { message: string; path?: unknown; locations?: unknown }) => [e.message, e.path, e.locations];
    expect(compiled.errors?.map(shape)).toEqual(js.errors?.map((e) => shape(e.toJSON())));
    expect(compiled.errors).toHaveLength(3);
    // The resolver's own error reaches formatError (botgraph logs and masks it there).
    expect(causes.map((e) => (e as Error).message)).toEqual(['broken c0', 'broken c1', 'broken c2']);
  });

  it('compiles a document once per operation, after the default GRAPHQL_COMPILE_AFTER executions; never a one-off document', async () => {
    const server = await compiledServer(COMPILE_AFTER);
    const js = await execute({ schema, document: parse(INBOX), variableValues: { first: 2 } });
    for (let i = 0; i < COMPILE_AFTER; i++) expect((await run(server, INBOX, { first: 2 })).data).toEqual(js.data);
    expect(compilations.count).toBe(0);
    for (let i = 0; i < 3; i++) expect((await run(server, INBOX, { first: 2 })).data).toEqual(js.data);
    expect(compilations.count).toBe(1);
    // Each operation of a document is its own compiled query.
    const two = `query A { conversations { id } } query B { node(id: "m2") { id } }`;
    for (let i = 0; i <= COMPILE_AFTER; i++) {
      await server.executeOperation({ query: two, operationName: 'A' });
      await server.executeOperation({ query: two, operationName: 'B' });
    }
    expect(compilations.count).toBe(3);
    // Documents that differ only by an alias are different documents, each run once: none compiled.
    for (let i = 0; i < 3 * COMPILE_AFTER; i++) expect((await run(server, `{ a${i}: conversations { id } }`)).errors).toBeUndefined();
    expect(compilations.count).toBe(3);
  });

  it("says BAD_USER_INPUT with graphql-js's message for variables it cannot coerce, and runs nothing", async () => {
    const server = await compiledServer();
    const SEND = `mutation($text: String!, $times: Int!) { send(text: $text, times: $times) }`;
    const bad = await run(server, SEND, { text: 'hi', times: 'ten' });
    expect(bad.data).toBeUndefined();
    expect(bad.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0]?.message).toMatch(/^Variable "\$times" got invalid value "ten"; Int cannot represent non-integer value/);
    const missing = await run(server, SEND, { times: 1 });
    expect(missing.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(sends).toEqual([]);
    expect((await run(server, SEND, { text: 'once', times: 1 })).data).toEqual({ send: 1 });
    expect(sends).toEqual(['once']);
  });
});
