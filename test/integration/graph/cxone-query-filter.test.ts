/**
 * `filter.cxoneQuery`: a raw CXone `query` in the schema, validated before any call, applied by
 * CXone; the providers that cannot apply it (or `search`) are named in `extensions.leftOut`.
 *
 * NICE's "Use Queries in Search" page (the digest, ../shared/providers/README.md): "a query is
 * `parameter operator value`, simple queries combine with `AND`, and the page's own example is
 * `action = handover AND datetime > -14 days`".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { calls, measured, pageAll, rootList } from './support.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

const Q = `query($f: ConversationFilter) { conversations(first: 100, filter: $f) { totalCount nodes { id provider status nativeId } } }`;

describe('filter.cxoneQuery', () => {
  it("takes the page's own example and gives exactly what CXone's query gives, with the others left out and said so", async () => {
    const example = 'action = handover AND datetime > -14 days';
    const res = await bg.gql(Q, { f: { cxoneQuery: example } });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const nodes = res.data.conversations.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((c: any) => c.provider === 'CXONE')).toBe(true);
    // Every conversation with a handover is WITH_OPERATOR or COMPLETED (docs/providers/cxone.md).
    expect(nodes.every((c: any) => c.status === 'WITH_OPERATOR' || c.status === 'COMPLETED')).toBe(true);
    expect((res as any).extensions.leftOut).toEqual([
      { provider: 'CLOSER', filter: 'cxoneQuery', path: ['conversations'] },
      { provider: 'BOTONE', filter: 'cxoneQuery', path: ['conversations'] },
    ]);
    // The same as the conversations the unfiltered CXone list holds that started in the last 14 days with a handover.
    const everything = await pageAll(bg, rootList, { f: { providers: ['CXONE'], statuses: ['WITH_OPERATOR'] } }, [100]);
    const operator = new Set(everything.items.map((c) => c.id));
    for (const c of nodes.filter((x: any) => x.status === 'WITH_OPERATOR')) expect(operator.has(c.id)).toBe(true);
  });

  it('combines with the other filters (AND), its ORs kept inside it', async () => {
    const a = await bg.gql(Q, { f: { providers: ['CXONE'], cxoneQuery: 'channel = sms OR channel = chat' } });
    const sms = await bg.gql(Q, { f: { providers: ['CXONE'], cxoneQuery: 'channel = sms' } });
    const both = await bg.gql(Q, { f: { providers: ['CXONE'], cxoneQuery: 'channel = sms OR channel = chat', statuses: ['COMPLETED'] } });
    for (const r of [a, sms, both]) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(sms.data.conversations.totalCount).toBeGreaterThan(0);
    expect(a.data.conversations.totalCount).toBeGreaterThan(sms.data.conversations.totalCount);
    expect(both.data.conversations.nodes.every((c: any) => c.status === 'COMPLETED')).toBe(true);
    expect(both.data.conversations.totalCount).toBeLessThan(a.data.conversations.totalCount);
    // Only CXone was asked for: nobody was left out.
    expect((a as any).extensions?.leftOut).toBeUndefined();
  });

  it.each([
    ['foo = 1', "Unknown query parameter 'foo'"],
    ['text > 5', "Operator '>' is not supported for 'text'"],
    ['(channel = sms', "Expected ')'"],
    ['bot_message_count > many', 'whole number'],
    ['   ', 'is empty'],
  ])('refuses %j before any call, naming the problem', async (cxoneQuery, fragment) => {
    const { res, calls: c } = await measured(bg, Q, { f: { cxoneQuery } });
    expect(res.data).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.cxoneQuery' });
    expect(res.errors![0]!.message).toContain(fragment);
    expect(c).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: {} });
  });
});

describe('search says what it did', () => {
  it('names the providers a text search left out in extensions.leftOut', async () => {
    const res = await bg.gql(Q, { f: { search: 'password' } });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.conversations.nodes.every((c: any) => c.provider === 'CXONE')).toBe(true);
    expect((res as any).extensions.leftOut).toEqual([
      { provider: 'CLOSER', filter: 'search', path: ['conversations'] },
      { provider: 'BOTONE', filter: 'search', path: ['conversations'] },
    ]);
    const plain = await bg.gql(Q, {});
    expect((plain as any).extensions?.leftOut).toBeUndefined();
    void calls;
  });
});
