/**
 * Compact cursors: a conversation-list cursor is a short token for a position kept server-side,
 * encoded only when a client reads it; with REDIS_URL every replica reads every replica's cursors;
 * an expired one is a clear BAD_USER_INPUT.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MemoryCursorTable } from '../../../src/pagination/cursors.js';
import type { Botgraph } from '../../../src/server.js';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { startCloserReplicas } from '../../helpers/closer-replicas.js';
import { waitFor } from '../../helpers/wait.js';

const PAGE = `query($a: String) { conversations(first: 10, after: $a) { edges { cursor node { id } } pageInfo { startCursor endCursor hasNextPage } } }`;

describe('one process', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph();
  });

  it('every cursor of a merged three-provider page is a few dozen bytes, and pages on', async () => {
    const page1 = await bg.gql(PAGE);
    expect(page1.errors).toBeUndefined();
    const c = page1.data.conversations;
    expect(c.edges).toHaveLength(10);
    for (const edge of c.edges) expect(edge.cursor.length).toBeLessThanOrEqual(32);
    expect(new Set(c.edges.map((e: { cursor: string }) => e.cursor)).size).toBe(10);
    expect(c.pageInfo.startCursor).toBe(c.edges[0].cursor);
    expect(c.pageInfo.endCursor).toBe(c.edges[9].cursor);

    // After the 5th edge, the next 5 are the page's last 5.
    const after5 = await bg.gql(`query($a: String) { conversations(first: 5, after: $a) { nodes { id } } }`, { a: c.edges[4].cursor });
    expect(after5.errors).toBeUndefined();
    expect(after5.data.conversations.nodes.map((n: { id: string }) => n.id)).toEqual(
      c.edges.slice(5).map((e: { node: { id: string } }) => e.node.id),
    );
  });

  it('a page whose cursors nobody selects stores none', async () => {
    const table = bg.app.infra.cursors.table as MemoryCursorTable;
    const before = table.size;
    const res = await bg.gql(`{ conversations(first: 20) { nodes { id title } } }`);
    expect(res.errors).toBeUndefined();
    expect(table.size).toBe(before);
    const one = await bg.gql(`{ conversations(first: 20) { pageInfo { endCursor } } }`);
    expect(one.errors).toBeUndefined();
    expect(table.size).toBe(before + 1);
  });
});

describe('expiry', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer', CURSOR_TTL_MS: '1000' });
  });

  it('a cursor older than CURSOR_TTL_MS is BAD_USER_INPUT on `after`, naming what to do', async () => {
    const res = await bg.gql(PAGE);
    const cursor = res.data.conversations.pageInfo.endCursor as string;
    expect((await bg.gql(PAGE, { a: cursor })).errors).toBeUndefined();
    const expired = await waitFor(
      async () => {
        const r = await bg.gql(PAGE, { a: cursor });
        return r.errors ? r : undefined;
      },
      'the cursor to expire',
      10_000,
    );
    expect(expired.errors).toHaveLength(1);
    expect(expired.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(expired.errors![0]!.message).toMatch(/expired.*start again/);
  });
});

describe('replicas on one Redis', () => {
  let apps: Botgraph[];
  beforeAll(async () => {
    ({ apps } = await startCloserReplicas({ CACHE_TTL_MS: '0' }));
  });

  const gql = async (app: Botgraph, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`http://127.0.0.1:${app.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: Array<{ extensions?: Record<string, unknown> }> };
  };

  it('a cursor made by one replica pages on another, to the same page', async () => {
    const page1 = await gql(apps[0]!, PAGE);
    expect(page1.errors).toBeUndefined();
    const cursor = page1.data.conversations.pageInfo.endCursor as string;
    expect(cursor.length).toBeLessThanOrEqual(32);
    const onA = await gql(apps[0]!, PAGE, { a: cursor });
    const onB = await gql(apps[1]!, PAGE, { a: cursor });
    expect(onB.errors).toBeUndefined();
    expect(onB.data.conversations.edges.map((e: any) => e.node.id)).toEqual(onA.data.conversations.edges.map((e: any) => e.node.id));
    expect(onB.data.conversations.edges).toHaveLength(10);
    expect(onB.data.conversations.edges.map((e: any) => e.node.id)).not.toContain(page1.data.conversations.edges[0].node.id);
  });
});
