import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

/** PageInfo as the Relay spec has it (hasPreviousPage, startCursor) and backward message paging. */

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

describe('Relay PageInfo', () => {
  it('conversation lists: startCursor is the first edge, hasPreviousPage true after a cursor', async () => {
    const first = await bg.gql(`{ conversations(first: 3) { edges { cursor } ${PAGE_INFO} } }`);
    const c1 = first.data.conversations;
    expect(c1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: c1.edges[0].cursor, endCursor: c1.edges[2].cursor });
    const second = await bg.gql(`query($a: String) { conversations(first: 3, after: $a) { edges { cursor } ${PAGE_INFO} } }`, {
      a: c1.pageInfo.endCursor,
    });
    const c2 = second.data.conversations;
    expect(c2.pageInfo).toMatchObject({ hasPreviousPage: true, startCursor: c2.edges[0].cursor });
    const empty = await bg.gql(`{ conversations(first: 0) { ${PAGE_INFO} } }`);
    expect(empty.data.conversations.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  for (const provider of ['CLOSER', 'BOTONE', 'CXONE']) {
    it(`${provider} messages page backward with last/before and meet the forward list`, async () => {
      const list = await bg.gql(
        `{ conversations(first: 30, filter: { providers: [${provider}] }) { nodes { id messages(first: 100) { totalCount nodes { id } } } } }`,
      );
      const conv = list.data.conversations.nodes.find((c: any) => c.messages.totalCount >= 5);
      expect(conv).toBeDefined();
      const all: string[] = conv.messages.nodes.map((m: any) => m.id);
      const q = `query($id: ID!, $before: String) { conversation(id: $id) { messages(last: 2, before: $before) { nodes { id } ${PAGE_INFO} } } }`;
      const seen: string[] = [];
      let before: string | null = null;
      for (let i = 0; i < 100; i++) {
        const res: any = await bg.gql(q, { id: conv.id, before });
        expect(res.errors).toBeUndefined();
        const page: any = res.data.conversation.messages;
        if (i === 0) expect(page.pageInfo.hasNextPage).toBe(false);
        else expect(page.pageInfo.hasNextPage).toBe(true);
        seen.unshift(...page.nodes.map((m: any) => m.id));
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(seen).toEqual(all);
    });
  }

  it('refuses first with last, and a cursor from another list, as BAD_USER_INPUT', async () => {
    const list = await bg.gql(`{ conversations(first: 1) { pageInfo { endCursor } nodes { id } } }`);
    const id = list.data.conversations.nodes[0].id;
    const both = await bg.gql(`query($id: ID!) { conversation(id: $id) { messages(first: 2, last: 2) { nodes { id } } } }`, { id });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const wrong = await bg.gql(`query($id: ID!, $b: String) { conversation(id: $id) { messages(last: 2, before: $b) { nodes { id } } } }`, {
      id,
      b: list.data.conversations.pageInfo.endCursor,
    });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
  });
});
