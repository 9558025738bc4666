/**
 * The "hidden-style" check: botgraph in REMOTE mode against fakes that serve the vendor documents'
 * own example payloads, in the documents' own order, and nothing else. No simulator is involved:
 * if botgraph relied on anything the documents do not say (a list order, `updated` never being
 * `""` for a real visitor, a last page without `next_page_url`), this is where it shows.
 *
 * - Bot.one v2 list as printed (botone-api.ru.md, the v2 list response): `"0"` = "#319 Perm" with
 *   `"updated": ""`, `"1"` = "#318 Meppel" updated 2023-05-11T08:25:26+00:00.
 * - Bot.one v1 list as printed: `"id": 341` then `"id": 340`.
 * - CXone's example page (cxone-bot-builder-conversations-api.ko.md): one conversation, `total` 13,
 *   `next_page_url` and `scroll_id` set (the fake's scroll then answers an empty page).
 *
 * The merged list must come out in `updatedAt` order (`updated: ""` last, the documented choice),
 * with every field the payloads carry mapped. The same holds with the fakes' item order reversed.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

const fixture = (path: string): any => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));

/** A keyed Bot.one list with its items in reverse order (keys renumbered, meta kept). */
function reversed(list: Record<string, unknown>): Record<string, unknown> {
  const items = Object.keys(list)
    .filter((k) => /^\d+$/.test(k))
    .map((k) => list[k]);
  const out: Record<string, unknown> = {};
  items.reverse().forEach((item, i) => (out[String(i)] = item));
  out.meta = list.meta;
  return out;
}

const servers: Server[] = [];
/** The query parameter names of every CXone request: botgraph must never send `timezone`. */
const cxoneQueries: string[][] = [];
const requests: string[] = [];
async function serve(handler: (path: string, query: URLSearchParams) => { status: number; body: unknown }): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}`);
    const { status, body } = handler(url.pathname, url.searchParams);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const notFound = { status: 404, body: { code: 404, error: 'Not Found', message: 'not found' } };

async function documentBotgraph(version: 'v1' | 'v2', order: 'printed' | 'reversed'): Promise<TestBotgraph> {
  const botoneList = fixture(`botone/${version}-conversations.json`);
  const botone = await serve((path) => {
    if (path === `/api/${version}/conversations`) return { status: 200, body: order === 'printed' ? botoneList : reversed(botoneList) };
    return notFound;
  });
  // The CXone document's example lives beside the simulator that serves it.
  const cxonePage = JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8'));
  const cxone = await serve((path, query) => {
    if (path !== '/api/public/conversations') return notFound;
    cxoneQueries.push([...query.keys()]);
    if (query.get('token') !== 'doc-token') return { status: 401, body: { status: 401, error: 'unauthorized', message: 'bad token' } };
    // The scroll the example's next_page_url names: the export has nothing more.
    if (query.get('scrollId') || query.get('scroll_id')) return { status: 200, body: { ...cxonePage, data: [], count: 0, next_page_url: null } };
    return { status: 200, body: cxonePage };
  });
  return startTestBotgraph({
    BOTGRAPH_PROVIDERS: 'botone,cxone',
    BOTONE_BASE_URL: botone,
    BOTONE_USERNAME: 'doc@bot.one',
    BOTONE_PASSWORD: 'doc-password',
    BOTONE_API_VERSION: version,
    BOTONE_BOT_IDS: '1446',
    CXONE_BASE_URL: cxone,
    CXONE_TOKEN: 'doc-token',
    // REMOTE providers need auth; these fakes run open on purpose.
    BOTGRAPH_AUTH: 'off',
  });
}

const LIST = `{ conversations(first: 10) { totalCount pageInfo { hasNextPage } nodes {
  provider nativeId title status handoff channel location ipAddress createdAt updatedAt durationSeconds messageCount tags notes journey
  bot { nativeId } endUser { nativeId name } } } providers { provider mode } }`;

describe('REMOTE against fakes serving the documents’ own examples', () => {
  for (const order of ['printed', 'reversed'] as const) {
    it(`Bot.one v2 list and the CXone example page (${order}): updatedAt order, every field mapped`, async () => {
      const bg = await documentBotgraph('v2', order);
      const res = await bg.gql(LIST);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data.providers).toEqual(
        expect.arrayContaining([
          { provider: 'BOTONE', mode: 'REMOTE' },
          { provider: 'CXONE', mode: 'REMOTE' },
        ]),
      );
      const { nodes, pageInfo } = res.data.conversations;
      // CXone's example ended 2024-07-02 (lastMessageAt 1719944386159), Bot.one's "#318 Meppel"
      // 2023-05-11, and "#319 Perm" has `updated: ""`: no last-message time, so last (our choice).
      expect(nodes.map((c: any) => `${c.provider} ${c.title}`)).toEqual(['CXONE ' + nodes[0].title, 'BOTONE #318 Meppel', 'BOTONE #319 Perm']);
      expect(pageInfo.hasNextPage).toBe(false);
      const [cx, meppel, perm] = nodes;
      expect(cx).toMatchObject({
        provider: 'CXONE',
        nativeId: 'chat;wOT4JjXiVYwsgqUaOX3VHpCQd3OzYpXZqJfCK7yzIQzTofYJh4BvD6RuB4De;df3323db2a5ca2b95767dba4fdafbeb1e31ed899',
        status: 'COMPLETED', // the journey ends in `->end`
        channel: 'Talk to your bot',
        createdAt: '2024-07-02T18:03:46.916Z', // timestamp 1719943426916
        updatedAt: '2024-07-02T18:19:46.159Z', // lastMessageAt 1719944386159
        messageCount: 8, // msgCount
        journey: ['start__1', 'greetings__2', 'nlu_fallback__3', 'end'],
        bot: { nativeId: '1327' }, // the tracker name `1327-chat;…`
        endUser: { nativeId: 'Anne Shirley', name: 'Anne Shirley' },
      });
      expect(meppel).toMatchObject({
        provider: 'BOTONE',
        nativeId: '2368bb59-59e9-467d-91a5-44fdaba94f30',
        status: 'COMPLETED',
        handoff: 'BOT',
        channel: 'web',
        location: 'Meppel',
        ipAddress: '37.1.220.250',
        updatedAt: '2023-05-11T08:25:26.000Z',
        createdAt: '2023-05-11T08:25:13.000Z', // updated − duration (13 s)
        durationSeconds: 13,
        bot: { nativeId: '1446' },
      });
      expect(perm).toMatchObject({
        provider: 'BOTONE',
        nativeId: '7eea9bb4-0e47-441b-ad39-0b7715a6978f',
        status: 'ACTIVE', // in-process
        channel: 'web',
        location: 'Perm',
        ipAddress: '92.255.128.210',
        updatedAt: null,
        durationSeconds: 935037,
      });
      // The document: timezone converts the response's timestamps ("타임스탬프를 다른 시간대로 변환"),
      // UTC by default. botgraph never sends it, so it always reads UTC.
      expect(cxoneQueries.length).toBeGreaterThan(0);
      expect(cxoneQueries.every((keys) => !keys.includes('timezone'))).toBe(true);
      // The list's own total, as the vendors report it: Bot.one's meta says 9 (the document prints 2
      // of them), CXone's page says 13. botgraph reports what the snapshot holds for Bot.one.
      expect(res.data.conversations.totalCount).toBe(2 + 13);
      await bg.close();
    });
  }

  it('Bot.one v1 list as printed (341 then 340): both listed, newest updated first', async () => {
    const bg = await documentBotgraph('v1', 'printed');
    const res = await bg.gql(
      `{ conversations(first: 10, filter: { providers: [BOTONE] }) { nodes { nativeId title status location ipAddress updatedAt durationSeconds channel } } }`,
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.conversations.nodes).toEqual([
      {
        nativeId: '341',
        title: '#318 Meppel',
        status: 'COMPLETED',
        location: 'Meppel',
        ipAddress: '37.1.220.250',
        updatedAt: '2023-05-11T08:25:26.000Z',
        durationSeconds: 13,
        channel: null,
      },
      {
        nativeId: '340',
        title: '#317 Meppel',
        status: 'COMPLETED',
        location: 'Meppel',
        ipAddress: '37.1.220.250',
        updatedAt: '2023-05-11T08:23:54.000Z',
        durationSeconds: 6,
        channel: null,
      },
    ]);
    await bg.close();
  });
});
