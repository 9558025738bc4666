/**
 * Issue #11, point 2: `updated: ""` is not only for conversations made through the API. The
 * document's v2 list prints item "0" as a real web visitor: `"name": "#319 Perm"`, `"status":
 * "in-process"`, `"ip": "92.255.128.210"`, `"updated": ""`, `"duration": 935037`, `"source": "web"`.
 * So the v1 create lookup (v1's create answers a UUID no v1 endpoint takes, and botgraph must find
 * the integer id in the bot's list) must not take "the highest id with `updated: ""`": a visitor
 * who opened the chat right after the create has a higher id. It takes the highest id with
 * `updated: ""` **and no IP** (docs/providers/botone.md, "v1"). Against a fake v1 that serves
 * exactly that list, over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createBotoneRuntime } from '../../../src/providers/botone/index.js';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** The document's two v1 items (341, 340) under a visitor like its "#319 Perm" and the conversation the create made. */
function v1List(withApiMade: boolean) {
  const items = [
    // A web visitor who has not written yet, like the document's `""` item (v1 has no `source`).
    { id: 343, name: '#320 Perm', status: 'in-process', ip: '92.255.128.210', location: 'Perm', updated: '', duration: 935037 },
    ...(withApiMade ? [{ id: 342, name: '#319 Unknown', status: 'in-process', ip: '', location: 'Unknown', updated: '', duration: 2 }] : []),
    { id: 341, name: '#318 Meppel', status: 'completed', ip: '37.1.220.250', location: 'Meppel', updated: '2023-05-11T08:25:26+00:00', duration: 13 },
    { id: 340, name: '#317 Meppel', status: 'completed', ip: '37.1.220.250', location: 'Meppel', updated: '2023-05-11T08:23:54+00:00', duration: 6 },
  ];
  const out: Record<string, unknown> = Object.fromEntries(items.map((item, i) => [String(i), item]));
  out.meta = { pagination: { total: items.length, count: items.length, per_page: 100, current_page: 1, total_pages: 1, links: {} } };
  return out;
}

async function fakeV1(withApiMade: boolean): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}`);
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/v1/dialog/1446/create') return res.end(JSON.stringify({ dialogId: '4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa' }));
    if (url.pathname === '/api/v1/conversations') return res.end(JSON.stringify(v1List(withApiMade)));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function runtimeFor(baseUrl: string) {
  return createBotoneRuntime({
    config: { baseUrl, username: 'doc@bot.one', password: 'doc-password', apiVersion: 'v1', botIds: ['1446'] },
    upstream: { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 1 },
    mode: 'REMOTE',
  });
}

describe('Bot.one v1 createConversation: the integer id of what was created', () => {
  it('is the API-made `updated: ""` conversation (no IP), not the newer web visitor with `updated: ""`', async () => {
    const fake = await fakeV1(true);
    const runtime = runtimeFor(fake.url);
    try {
      const created = await runtime.forRequest().createConversation!('1446', { name: 'Dasha' }, false);
      expect(created).toMatchObject({ nativeId: '342', numericId: 342, uuid: '4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa', idScope: ['1446'] });
      expect(fake.requests).toEqual(['GET /api/v1/dialog/1446/create', 'GET /api/v1/conversations']);
    } finally {
      await runtime.close();
    }
  });

  it("with only the visitor to be found, the id is reported unknown (the UUID), never the visitor's", async () => {
    const fake = await fakeV1(false);
    const runtime = runtimeFor(fake.url);
    try {
      const created = await runtime.forRequest().createConversation!('1446', null, false);
      expect(created).toMatchObject({ nativeId: '4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa', numericId: null });
    } finally {
      await runtime.close();
    }
  });
});
