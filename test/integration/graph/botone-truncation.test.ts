/**
 * Nothing dropped silently: a Bot.one listing reads a bot's whole list once (the list has no
 * documented order, docs/providers/botone.md "Order and cost"), at most BOTONE_MAX_LIST_PAGES pages
 * of 100. Past that cap the data still comes, from the pages read, and the response carries one
 * PROVIDER_LIST_TRUNCATED partial error per truncated bot, over HTTP and WebSocket alike. Here the
 * cap is 2 pages, against the real Bot.one simulator, whose bot 1446 is given 202 conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type GraphQLResponse, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, waitFor, wsClient } from '../../helpers/live.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { idParts, makeId, measured, ROUTES } from './support.js';

const CAP = 2;
const TRUNCATED = '1446';
let bg: TestBotgraph;
let sim: BotoneSimulator;
const bot = (id: string) => makeId('BOTONE', 'Bot', id);
const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.dispose();
});

/** The bot's conversations in the simulator, as v2 ids, newest created (highest id) first. */
const vendorIds = (botId: string) =>
  sim.store
    .list({ botId: Number(botId) })
    .sort((a, b) => b.id - a.id)
    .map((c) => c.uuid);

beforeAll(async () => {
  bg = await startTestBotgraph({ BOTONE_MAX_LIST_PAGES: String(CAP) });
  sim = bg.sim('BOTONE') as BotoneSimulator;
  // Past the cap, through the vendor's own create endpoint (`GET /api/v2/dialog/{BotID}/create`).
  const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  const missing = CAP * 100 + 2 - vendorIds(TRUNCATED).length;
  expect(missing).toBeGreaterThan(0);
  for (let i = 0; i < missing; i++) {
    const res = await fetch(`${sim.url}/api/v2/dialog/${TRUNCATED}/create`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
  }
  expect(vendorIds(TRUNCATED)).toHaveLength(CAP * 100 + 2);
  // The other two bots stay within the cap (146 and 112 on the seed): 2 pages each, untruncated.
  for (const other of ['1447', '1448']) expect(vendorIds(other).length).toBeLessThanOrEqual(CAP * 100);
});

const LIST = `query($f: ConversationFilter, $n: Int, $a: String) {
  conversations(first: $n, after: $a, filter: $f) { totalCount pageInfo { hasNextPage endCursor } nodes { id } }
}`;

function expectTruncation(errors: unknown): void {
  expect(errors).toEqual([
    {
      message: expect.stringContaining(`bot ${TRUNCATED} has ${CAP * 100 + 2} conversations`),
      path: ['conversations'],
      extensions: {
        code: 'PROVIDER_LIST_TRUNCATED',
        retryable: false,
        provider: 'BOTONE',
        limit: CAP * 100,
        value: CAP * 100 + 2,
        botNativeId: TRUNCATED,
      },
    },
  ]);
}

describe('Bot.one past BOTONE_MAX_LIST_PAGES', () => {
  it('lists the pages read, says the rest is missing, and calls the vendor exactly the cap', async () => {
    const { res, calls } = await measured(bg, LIST, { f: { botIds: [bot(TRUNCATED)] }, n: 30 });
    // The data still comes.
    expect(res.data.conversations.nodes).toHaveLength(30);
    // What is listed, not the vendor's total (which is in the error).
    expect(res.data.conversations.totalCount).toBe(CAP * 100);
    expect(res.data.conversations.pageInfo.hasNextPage).toBe(true);
    expectTruncation(res.errors);
    // 3 vendor pages exist; the listing reads the cap, 2, and nothing else.
    expect(calls.BOTONE).toEqual({ [ROUTES.botoneList]: CAP });
  });

  it('paged to its end: the 200 conversations of the pages read, each once, every page saying so', async () => {
    const listed: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const res: GraphQLResponse = await bg.gql(LIST, { f: { botIds: [bot(TRUNCATED)] }, n: 60, a: after });
      expectTruncation(res.errors);
      listed.push(...res.data.conversations.nodes.map((n: { id: string }) => idParts(n.id).nativeId));
      if (!res.data.conversations.pageInfo.hasNextPage) break;
      after = res.data.conversations.pageInfo.endCursor;
      expect(page).toBeLessThan(10);
    }
    expect(new Set(listed).size).toBe(listed.length);
    // The simulator lists id descending, as the document's examples do: the two oldest are the ones missing.
    const all = vendorIds(TRUNCATED);
    expect(new Set(listed)).toEqual(new Set(all.slice(0, CAP * 100)));
  });

  it('a bot within the cap is listed whole, with no error and the calls it always cost', async () => {
    const f = { botIds: [bot('1447')] };
    await bg.resetStats();
    const first: GraphQLResponse = await bg.gql(LIST, { f, n: 100 });
    const second: GraphQLResponse = await bg.gql(LIST, { f, n: 100, a: first.data.conversations.pageInfo.endCursor });
    for (const res of [first, second]) expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(first.data.conversations.nodes.length + second.data.conversations.nodes.length).toBe(vendorIds('1447').length);
    expect(second.data.conversations.pageInfo.hasNextPage).toBe(false);
    // ⌈146/100⌉ = 2 pages, read once for the listing; the second page is served from its snapshot.
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneList]).toBe(Math.ceil(vendorIds('1447').length / 100));
  });

  it('the merged list over all bots: one error, for the truncated bot only; Σ min(cap, pages) calls', async () => {
    const { res, calls } = await measured(bg, LIST, { f: { providers: ['BOTONE'] }, n: 20 });
    expect(res.data.conversations.nodes).toHaveLength(20);
    expectTruncation(res.errors);
    expect(calls.BOTONE).toEqual({ [ROUTES.botoneList]: CAP + CAP + CAP });
  });

  it('says the same over WebSocket as over HTTP', async () => {
    const variables = { f: { providers: ['BOTONE'] }, n: 20 };
    const http = await bg.gql(LIST, variables);
    const client = wsClient(bg);
    clients.push(client);
    const ws = collect(client, LIST, variables);
    await waitFor(() => ws.results.length > 0, 'the WS answer');
    expectTruncation(http.errors);
    expectTruncation(ws.results[0]!.errors);
    // The same conversations (each cursor is its own token).
    expect((ws.results[0]!.data as any).conversations.nodes).toEqual(http.data.conversations.nodes);
  });
});

describe('later pages', () => {
  it('every page of the merged list says so, also one that reads no Bot.one stream', async () => {
    // Pages of 3 over every provider: most later pages take nothing from bot 1446 and do not read
    // its stream (its head, kept in the cursor, is older than the page). What is missing past the
    // cap could belong on any of them, so each says so (without the cursor keeping it, some
    // page did not).
    let after: string | null = null;
    for (let page = 0; page < 8; page++) {
      const res: GraphQLResponse = await bg.gql(LIST, { f: {}, n: 3, a: after });
      expect(res.data.conversations.nodes).toHaveLength(3);
      expectTruncation(res.errors);
      after = res.data.conversations.pageInfo.endCursor;
    }
  });
});
