/**
 * Identity and roles over real HTTP and a real graphql-ws client: API keys (env and hashed file),
 * UNAUTHENTICATED on both transports, viewer/operator/admin, idempotency keys per principal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, getIntrospectionQuery, type GraphQLField } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../../src/server.js';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { API_KEYS_ENV, KEYS, gqlAs, rawSocket, sha256Hex, upstreamCalls, wsAs, wsOnce } from './support.js';

const CONVERSATIONS = '{ conversations(first: 3, filter: { providers: [CLOSER] }) { totalCount nodes { id title } } }';

/** One operation per mutation of the schema, its arguments as variables (so it validates without values). */
function everyMutation(): Array<{ name: string; query: string }> {
  const schema = buildSchema(loadTypeDefs());
  const fields = Object.values(schema.getMutationType()!.getFields()) as GraphQLField<unknown, unknown>[];
  return fields.map((f) => {
    const vars = f.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
    const args = f.args.map((a) => `${a.name}: $${a.name}`).join(', ');
    return { name: f.name, query: `mutation${vars ? `(${vars})` : ''} { ${f.name}${args ? `(${args})` : ''} { __typename } }` };
  });
}

let bg: TestBotgraph;
let keyFileKey: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-keys-'));
  keyFileKey = 'file-operator-key-0123456789';
  const file = join(dir, 'keys');
  writeFileSync(file, `# name role sha256 [scope]\nci-bot operator ${sha256Hex(keyFileKey)}\n`);
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, BOTGRAPH_API_KEYS_FILE: file });
});

describe('credentials', () => {
  it('anonymous and bad keys are UNAUTHENTICATED on HTTP (401) with 0 upstream calls', async () => {
    await bg.resetStats();
    for (const credential of [null, 'not-a-key', `${KEYS.viewer}x`, 'Basic Zm9vOmJhcg==', '']) {
      const r = await gqlAs(bg, credential, CONVERSATIONS);
      expect(r.status, String(credential)).toBe(401);
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(r.data).toBeUndefined();
    }
    expect(await upstreamCalls(bg)).toBe(0);
  });

  it('anonymous and bad keys are refused on WebSocket at connection_init with 4403', async () => {
    expect((await rawSocket(bg, {})).code).toBe(4403);
    expect((await rawSocket(bg, { authorization: 'Bearer nope' })).code).toBe(4403);
    expect((await rawSocket(bg, undefined)).code).toBe(4403);
    const client = wsAs(bg, 'wrong-key-0123456789');
    const r = await wsOnce(client, CONVERSATIONS);
    expect(r.error?.code).toBe(4403);
    await client.dispose();
  });

  it('a key from BOTGRAPH_API_KEYS_FILE (stored as SHA-256) works, and only the key, not its hash', async () => {
    const ok = await gqlAs(bg, keyFileKey, CONVERSATIONS);
    expect(ok.status).toBe(200);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.conversations.nodes.length).toBeGreaterThan(0);
    const hash = await gqlAs(bg, sha256Hex(keyFileKey), CONVERSATIONS);
    expect(hash.status).toBe(401);
  });

  it('the same principal reads the same data on HTTP and on WebSocket', async () => {
    const http = await gqlAs(bg, KEYS.viewer, CONVERSATIONS);
    const client = wsAs(bg, KEYS.viewer);
    const ws = await wsOnce(client, CONVERSATIONS);
    await client.dispose();
    expect(ws.error).toBeUndefined();
    // Same data. HTTP answers also carry extensions.freshness (README "Caching"); WS results do not.
    const [event] = ws.results as Array<{ data?: unknown }>;
    expect(event?.data).toEqual(http.data);
  });
});

describe('roles', () => {
  const mutations = everyMutation();

  it('a viewer gets FORBIDDEN for every mutation, on HTTP (403) and WebSocket, with 0 vendor calls', async () => {
    expect(mutations.length).toBeGreaterThanOrEqual(9);
    await bg.resetStats();
    const client = wsAs(bg, KEYS.viewer);
    for (const m of mutations) {
      const http = await gqlAs(bg, KEYS.viewer, m.query);
      expect(http.status, m.name).toBe(403);
      expect(
        http.errors?.map((e) => e.extensions?.code),
        m.name,
      ).toEqual(['FORBIDDEN']);
      expect(http.data, m.name).toBeUndefined();
      const ws = await wsOnce(client, m.query);
      expect(Array.isArray(ws.error) ? ws.error.map((e: any) => e.extensions?.code) : ws.error, m.name).toEqual(['FORBIDDEN']);
    }
    await client.dispose();
    expect(await upstreamCalls(bg)).toBe(0);
  });

  it('an operator (and an admin) mutates; idempotency keys are namespaced per principal', async () => {
    const list = await gqlAs(bg, KEYS.operator, '{ conversations(first: 5, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id } } }');
    const [a, b] = list.data.conversations.nodes as Array<{ id: string }>;
    const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { text } replayed } }';
    const asOperator = await gqlAs(bg, KEYS.operator, SEND, {
      input: { conversationId: a!.id, text: 'from the operator', idempotencyKey: 'shared-key' },
    });
    expect(asOperator.errors).toBeUndefined();
    expect(asOperator.data.sendMessage).toEqual({ message: { text: 'from the operator' }, replayed: false });
    // The same key from another principal, with another input: its own key, not IDEMPOTENCY_KEY_REUSED.
    const asAdmin = await gqlAs(bg, KEYS.admin, SEND, { input: { conversationId: b!.id, text: 'from the admin', idempotencyKey: 'shared-key' } });
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data.sendMessage).toEqual({ message: { text: 'from the admin' }, replayed: false });
    // And each principal's replay is its own.
    const again = await gqlAs(bg, KEYS.operator, SEND, { input: { conversationId: a!.id, text: 'from the operator', idempotencyKey: 'shared-key' } });
    expect(again.data.sendMessage).toEqual({ message: { text: 'from the operator' }, replayed: true });
    const client = wsAs(bg, KEYS.operator);
    const ws = await wsOnce(client, SEND, { input: { conversationId: a!.id, text: 'over ws', idempotencyKey: 'ws-key' } });
    await client.dispose();
    expect(ws.error).toBeUndefined();
    expect(ws.results[0]?.data).toEqual({ sendMessage: { message: { text: 'over ws' }, replayed: false } });
  });
});

describe('production', () => {
  let prod: TestBotgraph;
  beforeAll(async () => {
    prod = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, NODE_ENV: 'production' });
  });

  it('an admin introspects on HTTP and WebSocket; a viewer and an operator get FORBIDDEN', async () => {
    const query = getIntrospectionQuery();
    const admin = await gqlAs(prod, KEYS.admin, query);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.__schema.queryType.name).toBe('Query');
    for (const key of [KEYS.viewer, KEYS.operator]) {
      const r = await gqlAs(prod, key, query);
      expect(r.status).toBe(403);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.data).toBeUndefined();
      const small = await gqlAs(prod, key, '{ __type(name: "Conversation") { fields { name } } }');
      expect(small.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const viewerWs = wsAs(prod, KEYS.viewer);
    const refused = await wsOnce(viewerWs, query);
    await viewerWs.dispose();
    expect(refused.error?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const adminWs = wsAs(prod, KEYS.admin);
    const allowed = await wsOnce(adminWs, query);
    await adminWs.dispose();
    expect((allowed.results[0]?.data as any)?.__schema?.queryType?.name).toBe('Query');
    // __typename is not introspection of the schema: everyone may ask for it.
    expect((await gqlAs(prod, KEYS.viewer, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('no "Did you mean" suggestions on HTTP or WebSocket', async () => {
    const query = '{ conversations(first: 1) { nodes { titel } } }';
    const http = await gqlAs(prod, KEYS.viewer, query);
    expect(http.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(http.errors?.[0]?.message).toContain('titel');
    expect(JSON.stringify(http.errors)).not.toMatch(/Did you mean|"title"/);
    const client = wsAs(prod, KEYS.viewer);
    const ws = await wsOnce(client, query);
    await client.dispose();
    expect(ws.error?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(ws.error)).not.toMatch(/Did you mean|"title"/);
    // Outside production the hint stays (it helps developers).
    const dev = await gqlAs(bg, KEYS.viewer, query);
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean "title"/);
  });

  it('GraphiQL is served to an admin (the browser login: Basic with the key as password), not to others', async () => {
    const page = (authorization?: string) =>
      fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html', ...(authorization ? { authorization } : {}) } });
    const anonymous = await page();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="botgraph"/);
    const viewer = await page(`Basic ${Buffer.from(`me:${KEYS.viewer}`).toString('base64')}`);
    expect(viewer.status).toBe(403);
    const basic = `Basic ${Buffer.from(`me:${KEYS.admin}`).toString('base64')}`;
    const admin = await page(basic);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('graphiql');
    // What the page then does: its fetches carry the same browser login, and introspection works.
    const schema = await gqlAs(prod, basic, getIntrospectionQuery());
    expect(schema.data.__schema.queryType.name).toBe('Query');
    // Outside production, GraphiQL is there for everyone who may call the API.
    const dev = await fetch(`${bg.url}/graphql`, { headers: { accept: 'text/html', authorization: `Bearer ${KEYS.viewer}` } });
    expect(dev.status).toBe(200);
  });
});
