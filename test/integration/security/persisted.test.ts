/**
 * Trusted documents: PERSISTED_OPERATIONS_FILE in both manifest formats (codegen's client preset
 * `{hash: document}` and Apollo's persisted query manifest), by `documentId` or Apollo's
 * `extensions.persistedQuery`, and PERSISTED_OPERATIONS_ONLY refusing anything else for
 * non-admins, on HTTP and WebSocket.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { API_KEYS_ENV, KEYS, gqlAs, sha256Hex, upstreamCalls, wsAs, wsOnce } from './support.js';

const LISTED = 'query Listed { conversations(first: 2) { nodes { id } } }';
const OTHER = '{ conversations(first: 2) { nodes { id title } } }';
const post = (bg: TestBotgraph, key: string, body: unknown) =>
  fetch(`${bg.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, ...((await r.json()) as any) }));

function manifest(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-persisted-'));
  const file = join(dir, 'manifest.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('PERSISTED_OPERATIONS_ONLY with a codegen manifest', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    const file = manifest({ [sha256Hex(LISTED)]: LISTED });
    bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, PERSISTED_OPERATIONS_FILE: file, PERSISTED_OPERATIONS_ONLY: 'true' });
  });

  it('runs a listed document by documentId (plain or sha256:) or by its text', async () => {
    for (const body of [{ documentId: sha256Hex(LISTED) }, { documentId: `sha256:${sha256Hex(LISTED)}` }, { query: LISTED }]) {
      const r = await post(bg, KEYS.viewer, body);
      expect(r.errors, JSON.stringify(body)).toBeUndefined();
      expect(r.data.conversations.nodes).toHaveLength(2);
    }
  });

  it('refuses anything else for a non-admin with PERSISTED_OPERATION_REQUIRED and 0 upstream calls, on HTTP and WebSocket', async () => {
    await bg.resetStats();
    const http = await gqlAs(bg, KEYS.operator, OTHER);
    expect(http.status).toBe(400);
    expect(http.errors?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
    const unknown = await post(bg, KEYS.viewer, { documentId: 'f'.repeat(64) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
    const client = wsAs(bg, KEYS.viewer);
    const ws = await wsOnce(client, OTHER);
    expect(ws.error?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
    expect(await upstreamCalls(bg)).toBe(0);
    const listed = await wsOnce(client, LISTED);
    await client.dispose();
    expect((listed.results[0]?.data as any).conversations.nodes).toHaveLength(2);
  });

  it('lets an admin run any document', async () => {
    const r = await gqlAs(bg, KEYS.admin, OTHER);
    expect(r.errors).toBeUndefined();
    expect(r.data.conversations.nodes[0].title).toEqual(expect.any(String));
  });
});

describe('an Apollo persisted query manifest', () => {
  it('is read, and Apollo clients name documents by extensions.persistedQuery.sha256Hash', async () => {
    const id = sha256Hex(LISTED);
    const file = manifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id, name: 'Listed', type: 'query', body: LISTED }],
    });
    const bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, PERSISTED_OPERATIONS_FILE: file, PERSISTED_OPERATIONS_ONLY: 'true' });
    const r = await post(bg, KEYS.viewer, { extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
    expect(r.errors).toBeUndefined();
    expect(r.data.conversations.nodes).toHaveLength(2);
    expect((await gqlAs(bg, KEYS.viewer, OTHER)).errors?.[0]?.extensions?.code).toBe('PERSISTED_OPERATION_REQUIRED');
    await bg.close();
  });
});
