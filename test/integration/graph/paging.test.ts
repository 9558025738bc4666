/**
 * Paging the merged conversation list to its end, through the one opaque cursor: every conversation
 * exactly once, newest `updatedAt` first (conversations without a time last), and the count equal
 * to `totalCount` and to what each provider lists alone. The same with filters that run upstream
 * (dates, bots, CXone's text search) and with the one that runs in botgraph (Bot.one statuses), and
 * for the nested lists `Bot.conversations` and `EndUser.conversations`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { expectMergedOrder, idParts, pageAll, PROVIDERS, rootList, seededTotals, type ListedConversation } from './support.js';

let bg: TestBotgraph;
/** The whole merged list, paged 100 at a time, with each conversation's bot. */
let everything: ListedConversation[];
let everythingTotal: number;

const ids = (items: ListedConversation[]) => items.map((c) => c.id);
const sorted = (items: ListedConversation[]) => ids(items).sort();

beforeAll(async () => {
  bg = await startTestBotgraph();
  const all = await pageAll(bg, rootList, {}, [100], 'bot { id }');
  everything = all.items;
  everythingTotal = all.totalCount;
});

/** Pages the list with `filter`, and each provider alone with it; checks they agree. Returns the merged items. */
async function pageMergedAndAlone(filter: Record<string, unknown>, sizes = [100]) {
  const merged = await pageAll(bg, rootList, { f: filter }, sizes, 'bot { id }');
  expectMergedOrder(merged.items);
  expect(merged.items).toHaveLength(merged.totalCount);
  const wanted = (filter.providers as string[] | undefined) ?? PROVIDERS;
  let sum = 0;
  for (const provider of wanted) {
    const alone = await pageAll(bg, rootList, { f: { ...filter, providers: [provider] } }, [100]);
    expectMergedOrder(alone.items);
    expect(alone.items).toHaveLength(alone.totalCount);
    expect(alone.items.every((c) => c.provider === provider)).toBe(true);
    // What the merge lists of a provider is exactly what that provider lists alone, in the same order.
    expect(ids(merged.items.filter((c) => c.provider === provider))).toEqual(ids(alone.items));
    sum += alone.totalCount;
  }
  expect(merged.totalCount).toBe(sum);
  return merged;
}

describe('paging the merged conversation list', () => {
  it('lists every conversation of every provider exactly once, newest first, 100 at a time', async () => {
    expectMergedOrder(everything);
    expect(everything).toHaveLength(everythingTotal);
    // Each provider's share is exactly what its simulator holds, asked of the simulator itself.
    const seeded = await seededTotals(bg);
    const perProvider = Object.fromEntries(PROVIDERS.map((p) => [p, everything.filter((c) => c.provider === p).length]));
    expect(perProvider).toEqual(seeded);
    expect(everythingTotal).toBe(seeded.CLOSER + seeded.BOTONE + seeded.CXONE);
    // Every simulator seeds a history worth paging (more than a few pages each).
    for (const p of PROVIDERS) expect(seeded[p]).toBeGreaterThan(300);
    // Conversations with no time (Bot.one's created-not-started) come last, and there are some.
    const firstNull = everything.findIndex((c) => c.updatedAt === null);
    expect(firstNull).toBeGreaterThan(0);
    expect(everything.slice(firstNull).every((c) => c.updatedAt === null && c.provider === 'BOTONE')).toBe(true);
  });

  it('gives the same sequence with an odd page size (37) for part of the way, then 100', async () => {
    const odd = await pageAll(bg, rootList, {}, [37, 37, 37, 37, 100]);
    expect(odd.totalCount).toBe(everythingTotal);
    expect(ids(odd.items)).toEqual(ids(everything));
  });

  it('agrees with each provider paged alone (count = totalCount = sum of the providers)', async () => {
    const merged = await pageMergedAndAlone({});
    expect(ids(merged.items)).toEqual(ids(everything));
  });

  it('filters by status upstream (WITH_OPERATOR): exactly the unfiltered list’s operator conversations', async () => {
    const merged = await pageMergedAndAlone({ statuses: ['WITH_OPERATOR'] }, [37]);
    expect(merged.items.length).toBeGreaterThan(0);
    expect(merged.items.every((c) => c.status === 'WITH_OPERATOR')).toBe(true);
    expect(new Set(merged.items.map((c) => c.provider))).toEqual(new Set(PROVIDERS));
    expect(sorted(merged.items)).toEqual(sorted(everything.filter((c) => c.status === 'WITH_OPERATOR')));
  });

  it('filters Bot.one by status in botgraph (the vendor cannot), across its vendor pages', async () => {
    const statuses = ['ACTIVE', 'INTERRUPTED'];
    const merged = await pageMergedAndAlone({ providers: ['BOTONE'], statuses }, [37]);
    expect(merged.items.length).toBeGreaterThan(37 * 2);
    expect(merged.items.every((c) => c.provider === 'BOTONE' && statuses.includes(c.status))).toBe(true);
    const expected = everything.filter((c) => c.provider === 'BOTONE' && statuses.includes(c.status));
    expect(ids(merged.items)).toEqual(ids(expected));
  });

  it('filters by updatedFrom upstream at every provider, inclusively', async () => {
    const from = everything[300]!.updatedAt as string;
    const merged = await pageMergedAndAlone({ updatedFrom: from }, [37, 100]);
    expect(merged.items.every((c) => c.updatedAt !== null && Date.parse(c.updatedAt) >= Date.parse(from))).toBe(true);
    const expected = everything.filter((c) => c.updatedAt !== null && Date.parse(c.updatedAt) >= Date.parse(from));
    expect(expected.length).toBeGreaterThanOrEqual(301);
    expect(ids(merged.items)).toEqual(ids(expected));
  });

  it('filters by bot ids, one bot per provider', async () => {
    const bots = (await bg.gql(`{ bots { id provider } }`)).data.bots as Array<{ id: string; provider: string }>;
    const chosen = PROVIDERS.map((p) => bots.filter((b) => b.provider === p)[1]!.id);
    const merged = await pageMergedAndAlone({ botIds: chosen });
    expect(merged.items.every((c) => chosen.includes(c.bot.id))).toBe(true);
    expect(new Set(merged.items.map((c) => c.provider))).toEqual(new Set(PROVIDERS));
    expect(ids(merged.items)).toEqual(ids(everything.filter((c) => chosen.includes(c.bot.id))));
  });

  it('searches text at CXone only (documented: CLOSER and Bot.one cannot search, so they list nothing)', async () => {
    const merged = await pageAll(bg, rootList, { f: { search: 'password' } }, [7], 'messages(first: 100) { nodes { sender text } }');
    expectMergedOrder(merged.items);
    expect(merged.items.length).toBeGreaterThan(7);
    expect(merged.items).toHaveLength(merged.totalCount);
    expect(merged.items.every((c) => c.provider === 'CXONE')).toBe(true);
    // `text ~ "password"`: some end-user message contains it.
    for (const c of merged.items) {
      const said = c.messages.nodes.filter((m: any) => m.sender === 'END_USER').map((m: any) => String(m.text).toLowerCase());
      expect(
        said.some((t: string) => t.includes('password')),
        c.id,
      ).toBe(true);
    }
    const cxoneAlone = await pageAll(bg, rootList, { f: { search: 'password', providers: ['CXONE'] } }, [100]);
    expect(ids(cxoneAlone.items)).toEqual(ids(merged.items));
    const closerAlone = await bg.gql(`{ conversations(filter: {search: "password", providers: [CLOSER, BOTONE]}) { totalCount nodes { id } } }`);
    expect(closerAlone.errors).toBeUndefined();
    expect(closerAlone.data.conversations).toEqual({ totalCount: 0, nodes: [] });
  });
});

describe('paging the nested lists', () => {
  it('Bot.conversations pages one bot of each provider to its end', async () => {
    const bots = (await bg.gql(`{ bots { id provider } }`)).data.bots as Array<{ id: string; provider: string }>;
    for (const provider of PROVIDERS) {
      const bot = bots.find((b) => b.provider === provider)!;
      const list = await pageAll(
        bg,
        {
          query: (fields) =>
            `query($n: Int, $a: String, $bot: ID!) { node(id: $bot) { ... on Bot { conversations(first: $n, after: $a) { ${fields} } } } }`,
          at: (data) => data.node.conversations,
        },
        { bot: bot.id },
        [37, 100],
        'bot { id }',
      );
      expectMergedOrder(list.items);
      expect(list.items).toHaveLength(list.totalCount);
      expect(list.items.every((c) => c.bot.id === bot.id)).toBe(true);
      expect(ids(list.items)).toEqual(ids(everything.filter((c) => c.bot.id === bot.id)));
      expect(list.items.length, provider).toBeGreaterThan(50);
    }
  });

  it('EndUser.conversations pages a returning CLOSER end user’s and a recurring CXone customer’s conversations', async () => {
    // Who has the most conversations, per provider, from the lists themselves.
    const listed = await pageAll(bg, rootList, { f: { providers: ['CLOSER', 'CXONE'] } }, [100], 'endUser { id }');
    for (const provider of ['CLOSER', 'CXONE'] as const) {
      const byUser = new Map<string, ListedConversation[]>();
      // A person is one native id (per bot at CXone, whose customers belong to one bot's export). A
      // CXone end-user ID also names one of their conversations (the export has no customer read).
      const person = (c: ListedConversation) => `${idParts(c.endUser.id).nativeId}|${c.provider === 'CXONE' ? idParts(c.id).scope[0] : ''}`;
      for (const c of listed.items.filter((x) => x.provider === provider)) {
        byUser.set(person(c), [...(byUser.get(person(c)) ?? []), c]);
      }
      const [, theirs] = [...byUser].sort((a, b) => b[1].length - a[1].length)[0]!;
      expect(theirs.length, provider).toBeGreaterThan(1);
      const userId = theirs[theirs.length - 1]!.endUser.id as string;
      const list = await pageAll(
        bg,
        {
          query: (fields) => `query($n: Int, $a: String, $u: ID!) { endUser(id: $u) { id conversations(first: $n, after: $a) { ${fields} } } }`,
          at: (data) => data.endUser.conversations,
        },
        { u: userId },
        [1],
        'endUser { id }',
      );
      expect(idParts(userId).provider).toBe(provider);
      expect(list.items.every((c) => person(c) === person(theirs[0]!))).toBe(true);
      expect(list.pages).toBe(theirs.length);
      expect(ids(list.items)).toEqual(ids(theirs));
      expect(list.totalCount).toBe(theirs.length);
    }
  });
});
