/**
 * The upstream cost of a fixed set of queries, counted by the simulators per route. Each assertion
 * is exact, and its comment gives the minimum derived by hand from the vendor's API
 * (docs/providers/*.md): botgraph should never call more than that.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { calls, idParts, measured, ROUTES, streamOf, type Calls } from './support.js';

let bg: TestBotgraph;
/**
 * The vendor pages one Bot.one listing reads: Σ over its bots of ⌈conversations / 100⌉. The list has
 * no documented order (the examples are id descending) and UpdatedFrom filters the respondent's last
 * message, not `updated`, so a listing reads each bot's whole list once and sorts it
 * (docs/providers/botone.md, "Order and cost").
 */
let botonePages = 0;
/**
 * CLOSER's bots, from the simulator: a list reads one stream per bot on the bot's own list
 * `GET /openapi/bot/{botId}/conversation` (the document: "특정 챗봇의 대화 리스트 가져오기", a given
 * chatbot's conversation list), after the request's one `GET /openapi/bot` (docs/providers/closer.md).
 */
let closerBots = 0;
beforeAll(async () => {
  bg = await startTestBotgraph();
  closerBots = (bg.sim('CLOSER') as CloserSimulator).botIds.length;
  expect(closerBots).toBeGreaterThan(1);
  const res = await bg.gql(`{ bots { provider conversations(first: 0) { totalCount } } }`);
  for (const b of res.data.bots) if (b.provider === 'BOTONE') botonePages += Math.ceil(b.conversations.totalCount / 100);
  expect(botonePages).toBeGreaterThan(3);
});

const NONE = { CLOSER: {}, BOTONE: {}, CXONE: {} };

async function ok(query: string, variables?: Record<string, unknown>): Promise<{ data: any; calls: Calls }> {
  const { res, calls: c } = await measured(bg, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return { data: res.data, calls: c };
}

const listIds = async (filter: Record<string, unknown>, first: number): Promise<string[]> =>
  (
    await bg.gql(`query($f: ConversationFilter, $n: Int) { conversations(first: $n, filter: $f) { nodes { id } } }`, { f: filter, n: first })
  ).data.conversations.nodes.map((n: { id: string }) => n.id);

describe('upstream calls: CLOSER', () => {
  const LIST = `conversations(first: 50, filter: { providers: [CLOSER] }) { nodes { id bot { name } } }`;

  it('a page of 50 with their bots: 1 bot-list call + 1 list call per bot', async () => {
    const { data, calls: c } = await ok(`{ ${LIST} }`);
    // 3 distinct bots on the page (the seed spreads conversations over its 3 bots).
    expect(new Set(data.conversations.nodes.map((n: any) => n.bot.name)).size).toBe(3);
    // Minimum: 1 × GET /openapi/bot (which bots there are; it also primes every `bot { name }`), then
    // 1 × GET /openapi/bot/{botId}/conversation per bot (limit=50 fits one vendor page).
    expect(c).toEqual({ CLOSER: { [ROUTES.closerBotConversations]: closerBots, [ROUTES.closerBots]: 1 }, BOTONE: {}, CXONE: {} });
  });

  it('the same plus conversation(id) of a listed one, before or after the list: nothing more', async () => {
    const ids = await listIds({ providers: ['CLOSER'] }, 50);
    const one = `conversation(id: $id) { id title bot { name } }`;
    for (const query of [`query($id: ID!) { ${LIST} ${one} }`, `query($id: ID!) { ${one} ${LIST} }`]) {
      const { data, calls: c } = await ok(query, { id: ids[17] });
      expect(data.conversation.id).toBe(ids[17]);
      // Minimum: as above, 1 + closerBots calls. The list primes the by-id loader and the by-id read
      // waits for the list beside it, so GET /openapi/conversation/:id is never called.
      expect(c).toEqual({ CLOSER: { [ROUTES.closerBotConversations]: closerBots, [ROUTES.closerBots]: 1 }, BOTONE: {}, CXONE: {} });
    }
  });

  it('end users and messages of 5 conversations: 1 list + 1 read per distinct end user + 1 message page per conversation', async () => {
    const { data, calls: c } = await ok(
      `{ conversations(first: 5, filter: { providers: [CLOSER] }) { nodes { id raw endUser { name } messages(first: 5) { nodes { text conversation { id } } } } } }`,
    );
    const nodes = data.conversations.nodes;
    const distinctUsers = new Set(nodes.map((n: any) => n.raw.endUserId)).size;
    for (const n of nodes) for (const m of n.messages.nodes) expect(m.conversation.id).toBe(n.id);
    // Minimum: CLOSER has no multi-id end-user read and no multi-conversation message read, so
    // 1 bot list + 1 list per bot + `distinctUsers` × GET /openapi/enduser/:id + 5 × GET …/message.
    // Message.conversation is answered by the primed loader (0 calls).
    expect(c).toEqual({
      CLOSER: {
        [ROUTES.closerBots]: 1,
        [ROUTES.closerBotConversations]: closerBots,
        [ROUTES.closerEndUser]: distinctUsers,
        [ROUTES.closerMessages]: 5,
      },
      BOTONE: {},
      CXONE: {},
    });
  });

  it('by id: a conversation with its bot and messages costs 3 calls; a message node 1', async () => {
    const [id] = await listIds({ providers: ['CLOSER'] }, 1);
    const { data, calls: c } = await ok(
      `query($id: ID!) { node(id: $id) { ... on Conversation { bot { name } messages(first: 3) { nodes { id } } } } }`,
      { id },
    );
    // Minimum: GET /openapi/conversation/:id, then its one bot (a batch of 1: GET /openapi/bot/:botId),
    // and GET …/message.
    expect(c).toEqual({
      CLOSER: { [ROUTES.closerConversation]: 1, [ROUTES.closerBot]: 1, [ROUTES.closerMessages]: 1 },
      BOTONE: {},
      CXONE: {},
    });
    const messageId = data.node.messages.nodes[2].id;
    const msg = await ok(`query($id: ID!) { node(id: $id) { id ... on Message { text } } }`, { id: messageId });
    expect(msg.data.node.id).toBe(messageId);
    // Minimum: CLOSER has no by-id message read: one page (100) of the conversation's messages.
    expect(msg.calls).toEqual({ CLOSER: { [ROUTES.closerMessages]: 1 }, BOTONE: {}, CXONE: {} });
  });

  it('bots: 1 call for CLOSER, none for the configured Bot.one and CXone bots', async () => {
    const { data, calls: c } = await ok(`{ bots { id name } }`);
    expect(data.bots).toHaveLength(9);
    // Minimum: 1 × GET /openapi/bot; Bot.one and CXone bots come from configuration.
    expect(c).toEqual({ CLOSER: { [ROUTES.closerBots]: 1 }, BOTONE: {}, CXONE: {} });
    const nonCloser = data.bots.filter((b: any) => idParts(b.id).provider !== 'CLOSER').map((b: any) => b.id);
    const byId = await ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Bot { name } } }`, { ids: nonCloser });
    expect(byId.data.nodes.map((n: any) => n.id)).toEqual(nonCloser);
    // Minimum: 0.
    expect(byId.calls).toEqual(NONE);
  });
});

describe('upstream calls: Bot.one', () => {
  it('messages of N conversations: one detail read each (no message endpoint), deduplicated', async () => {
    const n = 7;
    const ids = await listIds({ providers: ['BOTONE'] }, n);
    const page = `conversations(first: ${n}, filter: { providers: [BOTONE] }) { nodes { id messages(first: 3) { totalCount nodes { text } } } }`;
    const single = await ok(`{ ${page} }`);
    expect(single.data.conversations.nodes.map((c: any) => c.id)).toEqual(ids);
    // Minimum: every page of each configured bot's list (payloads do not name their bot, so botgraph
    // lists per BotID, and sorts each list itself) + 7 × GET …/conversation/:uuid.
    expect(single.calls).toEqual({ CLOSER: {}, BOTONE: { [ROUTES.botoneList]: botonePages, [ROUTES.botoneDetail]: n }, CXONE: {} });

    // The same conversations asked again in the same request — a second alias of the list, one by
    // id, two in `nodes`, and collectedData (which needs the same detail) — cost nothing more.
    const twice = await ok(
      `query($id: ID!) {
        a: ${page}
        b: ${page}
        c: conversation(id: $id) { messages(first: 10) { totalCount nodes { text } } collectedData { answer } }
        d: nodes(ids: [$id, $id]) { id ... on Conversation { messages { totalCount } } }
      }`,
      { id: ids[2] },
    );
    expect(twice.data.d.map((x: any) => x.id)).toEqual([ids[2], ids[2]]);
    expect(twice.data.d[0].messages.totalCount).toBe(twice.data.c.messages.totalCount);
    // Minimum: as above. The second alias's identical list GETs share the first's in-flight calls;
    // the detail loader reads each conversation once per request.
    expect(twice.calls).toEqual({ CLOSER: {}, BOTONE: { [ROUTES.botoneList]: botonePages, [ROUTES.botoneDetail]: n }, CXONE: {} });
  });

  it('by id: a conversation with its messages is 1 detail read; its bot costs nothing', async () => {
    const [id] = await listIds({ providers: ['BOTONE'] }, 1);
    const { data, calls: c } = await ok(
      `query($id: ID!) { node(id: $id) { ... on Conversation { bot { name } messages { nodes { id } } collectedData { answer } } } }`,
      { id },
    );
    // Minimum: 1 × GET /api/v2/conversation/:uuid (bots come from configuration).
    expect(c).toEqual({ CLOSER: {}, BOTONE: { [ROUTES.botoneDetail]: 1 }, CXONE: {} });
    const messageId = data.node.messages.nodes[0].id;
    const msg = await ok(`query($id: ID!) { node(id: $id) { id ... on Message { text conversation { id } } } }`, { id: messageId });
    expect(msg.data.node.conversation.id).toBe(id);
    // Minimum: 1 detail read; the message's conversation is that same read.
    expect(msg.calls).toEqual({ CLOSER: {}, BOTONE: { [ROUTES.botoneDetail]: 1 }, CXONE: {} });
  });
});

describe('upstream calls: CXone', () => {
  it('messages, tracker events, end users and bots of a page cost nothing beyond the list', async () => {
    const { data, calls: c } = await ok(
      `{ conversations(first: 20, filter: { providers: [CXONE] }) { nodes { bot { name } endUser { name } messages(first: 5) { nodes { text intent { name } } } trackerEvents { type } journey } } }`,
    );
    expect(data.conversations.nodes).toHaveLength(20);
    expect(data.conversations.nodes.every((n: any) => n.trackerEvents.length > 0 && n.messages.nodes.length > 0)).toBe(true);
    // Minimum: one export search per token (3 bots), each read once; messages, tracker events and
    // the customer are embedded in the export, and bots come from configuration.
    expect(c).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: { [ROUTES.cxoneExport]: 3 } });
  });

  it('node(id) of a conversation, a message, an end user: 1 export search each', async () => {
    const { data } = await ok(
      `{ conversations(first: 1, filter: { providers: [CXONE] }) { nodes { id endUser { id } messages(first: 1) { nodes { id } } } } }`,
    );
    const conversation = data.conversations.nodes[0];
    for (const id of [conversation.id, conversation.messages.nodes[0].id, conversation.endUser.id]) {
      const one = await ok(`query($id: ID!) { node(id: $id) { id ... on Conversation { messages { nodes { text } } trackerEvents { type } } } }`, {
        id,
      });
      expect(one.data.node.id).toBe(id);
      // Minimum: the export has no read by id; the ID's scope (its bot) makes it one search
      // `conversation = "<id>"` on that bot's token (NICE: `conversation` is "the ID of a conversation").
      expect(one.calls).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: { [ROUTES.cxoneExport]: 1 } });
    }
  });

  it('nodes(ids) of several conversations: one search per bot', async () => {
    const ids = await listIds({ providers: ['CXONE'] }, 12);
    const bots = new Set(ids.map((id) => idParts(id).scope[0]));
    const { data, calls: c } = await ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(data.nodes.map((n: any) => n.id)).toEqual(ids);
    expect(bots.size).toBeGreaterThan(1);
    // Minimum: the loads of one tick are batched into one `conversation = "a" OR conversation = "b" …` search per bot.
    expect(c).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: { [ROUTES.cxoneExport]: bots.size } });
  });
});

describe('upstream calls: the merged list', () => {
  it('the first page reads every stream once; totalCount alone reads one item per stream', async () => {
    const first = await ok(`{ conversations(first: 30) { nodes { id } } }`);
    expect(first.data.conversations.nodes).toHaveLength(30);
    // Minimum: nothing is known of any stream's head, so each is read once: CLOSER's bot list and
    // its per-bot lists, Bot.one's 3 per-bot lists (each whole: botonePages), CXone's 3 per-token exports.
    expect(first.calls).toEqual({
      CLOSER: { [ROUTES.closerBots]: 1, [ROUTES.closerBotConversations]: closerBots },
      BOTONE: { [ROUTES.botoneList]: botonePages },
      CXONE: { [ROUTES.cxoneExport]: 3 },
    });
    const total = await ok(`{ conversations(first: 0) { totalCount nodes { id } } }`);
    expect(total.data.conversations.nodes).toEqual([]);
    expect(total.data.conversations.totalCount).toBeGreaterThan(1000);
    // Minimum: every vendor reports its total with a page, so one 1-item page per stream (Bot.one:
    // its listing, which the merge starts with the stream's first read, as above).
    expect(total.calls).toEqual(first.calls);
  });

  /**
   * The calls a later page must make, derived from what the previous page's cursor knows (each
   * stream's offset and head time) and what the page holds. A stream whose head is older than the
   * page's last conversation cannot make the page: 0 calls. One whose head is unknown, or can make
   * the page, is read once (its read asks for all the page could still need). A CXone stream first
   * uses the export pages cached by earlier requests (everything before its scroll's position `at`,
   * kept in the cursor's stream state) and continues its scroll (1 call) only when fewer are cached
   * than the merge asks for. The merge asks a stream whose head is unknown for a whole page (`first`)
   * before comparing anything, and one with a known head for what is left of the page when its
   * head comes up (`first` minus the page's conversations newer than the head).
   */
  async function derivedCalls(cursor: string, page: Array<{ id: string; updatedAt: string }>, first: number): Promise<Record<string, number>> {
    // A cursor is a short token; its position is in botgraph's cursor table.
    const p = (await bg.app.infra.cursors.decode('conversations', cursor)) as {
      s: Record<string, { o: number; h?: number | null; d?: 1; x?: string }>;
    };
    const last = Date.parse(page.at(-1)!.updatedAt);
    const out: Record<string, number> = {};
    for (const [key, state] of Object.entries(p.s)) {
      let n = 0;
      if (state.d) n = 0;
      // A Bot.one stream reads its listing's sorted snapshot (named by its state), kept 60 s: 0 calls.
      else if (key.startsWith('BOTONE') && state.x) n = 0;
      else if (state.h === undefined) {
        // A head left unread because its stream gave the previous page's last edge.
        n = key.startsWith('CXONE:') && state.x ? (first > (JSON.parse(state.x) as { at: number }).at - state.o ? 1 : 0) : 1;
      } else if (state.h !== null && state.h >= last) {
        n = 1;
        if (key.startsWith('CXONE:')) {
          const before = page.filter((c) => Date.parse(c.updatedAt) > (state.h as number)).length;
          const cachedUpTo = (JSON.parse(state.x as string) as { at: number }).at;
          n = first - before > cachedUpTo - state.o ? 1 : 0;
        }
      }
      out[key] = n;
    }
    return out;
  }

  function perStream(c: Calls): Record<string, number> {
    return {
      CLOSER: c.CLOSER[ROUTES.closerBotConversations] ?? 0,
      BOTONE: c.BOTONE[ROUTES.botoneList] ?? 0,
      CXONE: c.CXONE[ROUTES.cxoneExport] ?? 0,
    };
  }

  function sumByProvider(derived: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = { CLOSER: 0, BOTONE: 0, CXONE: 0 };
    for (const [key, n] of Object.entries(derived)) {
      const provider = key.split(':')[0]!;
      out[provider] = (out[provider] ?? 0) + n;
    }
    return out;
  }

  it('later pages only read the streams whose head can make the page', async () => {
    const first = 10;
    const Q = `query($a: String, $f: ConversationFilter) { conversations(first: ${first}, after: $a, filter: $f) { pageInfo { endCursor } nodes { id updatedAt bot { id } } } }`;
    for (const filter of [{}, { providers: ['CLOSER', 'BOTONE'] }] as Array<{ providers?: string[] }>) {
      let page = await ok(Q, { f: filter });
      let skipped = 0;
      for (let n = 2; n <= 4; n++) {
        const cursor = page.data.conversations.pageInfo.endCursor;
        const next = await ok(Q, { f: filter, a: cursor });
        const nodes = next.data.conversations.nodes;
        expect(nodes).toHaveLength(first);
        const derived = await derivedCalls(cursor, nodes, first);
        // Every stream that has a conversation on the page was derived as needing its read (or a cached one).
        const botOf = new Map<string, string>(nodes.map((c: any) => [c.id, idParts(c.bot.id).nativeId]));
        for (const key of new Set(nodes.map((c: any) => streamOf(c.id, (id) => botOf.get(id)))))
          expect(derived[key as string], `${key as string} on page ${n}`).toBeDefined();
        expect(perStream(next.calls), `${JSON.stringify(filter)} page ${n}`).toEqual(sumByProvider(derived));
        // The bot list: once per request that makes CLOSER's streams (every page, as the cursor names no bots).
        if (filter.providers === undefined || filter.providers.includes('CLOSER')) expect(next.calls.CLOSER[ROUTES.closerBots]).toBe(1);
        skipped += Object.values(derived).filter((x) => x === 0).length;
        page = next;
      }
      // The seeds make some streams (Bot.one's bots) far older than the newest ones: they were skipped.
      expect(skipped, JSON.stringify(filter)).toBeGreaterThan(0);
    }
  });

  it('a failing provider costs the retries of its reads; the others are read as usual', async () => {
    const failing = async () => {
      bg.sim('BOTONE').faults.set({ errorRate: 1, errorStatus: 503 });
      try {
        return await measured(bg, `{ conversations(first: 10) { nodes { id } } }`);
      } finally {
        bg.sim('BOTONE').faults.clear();
      }
    };
    // A listing tells how many pages each bot has, so the next one sends them all with page 1
    // (src/providers/botone/stream.ts): each of them tries 3 times too, once.
    expect((await bg.gql(`{ conversations(first: 10) { nodes { id } } }`)).errors).toBeUndefined();
    const guessing = await failing();
    expect(guessing.res.errors).toHaveLength(1);
    expect(guessing.calls.BOTONE).toEqual({ [ROUTES.botoneList]: 3 * botonePages });
    // The failure forgot the counts. Minimum with the default 3 attempts for a GET: each of the 3
    // Bot.one streams tries page 1 3 times.
    const { res } = await failing();
    const c = await calls(bg);
    expect(res.errors).toHaveLength(1);
    expect(c.BOTONE).toEqual({ [ROUTES.botoneList]: 9 });
    expect(c.CLOSER).toEqual({ [ROUTES.closerBots]: 1, [ROUTES.closerBotConversations]: closerBots });
    expect(c.CXONE).toEqual({ [ROUTES.cxoneExport]: 3 });
  });
});
