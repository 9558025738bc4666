/**
 * `Query.messages(filter)`: CLOSER's `GET /openapi/messages`, which the document describes as
 * "조건에 따라 메시지리스트 가져오기" (list messages by condition; closer-open-api.ko.md; the digest:
 * "`GET /openapi/messages`: list messages by condition"). Only CLOSER can: the others are named in `extensions.leftOut`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { measured, ROUTES } from './support.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

const Q = `query($f: MessageFilter, $n: Int, $a: String) { messages(first: $n, after: $a, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id provider sender text createdAt conversation { id } } } }`;

describe('Query.messages', () => {
  it("searches one conversation's messages: the same as Conversation.messages, in one vendor call", async () => {
    const list = await bg.gql(
      `{ conversations(first: 1, filter: { providers: [CLOSER] }) { nodes { id messages(first: 100) { totalCount nodes { id text sender } } } } }`,
    );
    const conv = list.data.conversations.nodes[0];
    expect(conv.messages.totalCount).toBeGreaterThan(1);
    const { res, calls } = await measured(bg, Q, { f: { conversationId: conv.id }, n: 100 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.messages.nodes.map((m: any) => [m.id, m.text, m.sender])).toEqual(conv.messages.nodes.map((m: any) => [m.id, m.text, m.sender]));
    expect(res.data.messages.totalCount).toBe(conv.messages.totalCount);
    expect(res.data.messages.nodes.every((m: any) => m.conversation.id === conv.id)).toBe(true);
    expect(calls.CLOSER['GET /openapi/messages']).toBe(1);
    expect((res as any).extensions.leftOut).toEqual([
      { provider: 'BOTONE', filter: 'messages', path: ['messages'] },
      { provider: 'CXONE', filter: 'messages', path: ['messages'] },
    ]);
    void ROUTES;
  });

  it('filters by sender and time across conversations, and pages', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 3 * 86_400_000);
    const users = await bg.gql(Q, { f: { fromEndUser: true, from: from.toISOString(), to: to.toISOString() }, n: 50 });
    expect(users.errors, JSON.stringify(users.errors)).toBeUndefined();
    const nodes = users.data.messages.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((m: any) => m.sender === 'END_USER' && m.provider === 'CLOSER')).toBe(true);
    for (const m of nodes) {
      expect(Date.parse(m.createdAt)).toBeGreaterThanOrEqual(from.getTime());
      expect(Date.parse(m.createdAt)).toBeLessThanOrEqual(to.getTime());
    }
    expect(new Set(nodes.map((m: any) => m.conversation.id)).size).toBeGreaterThan(1);
    // The next page continues where this one ended.
    if (users.data.messages.pageInfo.hasNextPage) {
      const next = await bg.gql(Q, {
        f: { fromEndUser: true, from: from.toISOString(), to: to.toISOString() },
        n: 50,
        a: users.data.messages.pageInfo.endCursor,
      });
      const ids = new Set(nodes.map((m: any) => m.id));
      expect(next.data.messages.nodes.some((m: any) => ids.has(m.id))).toBe(false);
    }
    const bots = await bg.gql(Q, { f: { fromEndUser: false }, n: 20 });
    expect(bots.data.messages.nodes.every((m: any) => m.sender !== 'END_USER')).toBe(true);
  });

  it('refuses an ID of another provider, and from after to, before any call', async () => {
    const cx = await bg.gql(`{ conversations(first: 1, filter: { providers: [CXONE] }) { nodes { id } } }`);
    for (const [f, field] of [
      [{ conversationId: cx.data.conversations.nodes[0].id }, 'filter.conversationId'],
      [{ from: '2026-02-02T00:00:00Z', to: '2026-02-01T00:00:00Z' }, 'filter.from'],
    ] as const) {
      const { res, calls } = await measured(bg, Q, { f });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(calls).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: {} });
    }
  });
});
