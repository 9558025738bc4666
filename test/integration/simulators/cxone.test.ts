import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { textTokens } from '../../../src/providers/cxone/simulator/tracker.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const TOKEN = 'cxone-demo-token';
const EXAMPLE = JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8'));
const EXAMPLE_ID: string = EXAMPLE.data[0].conversationId;

type Json = any;

async function get(sim: CxoneSimulator, params: Record<string, string>, path = '/api/public/conversations') {
  const url = new URL(path, sim.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

/** Follows next_page_url to the end, adding the token back as the vendor requires. */
async function exportAll(sim: CxoneSimulator, token: string, params: Record<string, string> = {}) {
  const pages: Json[] = [];
  let res = await get(sim, { token, ...params });
  expect(res.status).toBe(200);
  pages.push(res.body);
  while (res.body.next_page_url) {
    const next = new URL(res.body.next_page_url);
    expect(next.searchParams.has('token')).toBe(false);
    next.searchParams.set('token', token);
    const r = await fetch(next);
    res = { status: r.status, headers: r.headers, body: await r.json() };
    expect(res.status).toBe(200);
    pages.push(res.body);
    if (pages.length > 500) throw new Error('export does not end');
  }
  return { pages, items: pages.flatMap((p) => p.data as Json[]) };
}

function stateOf(c: Json, now: number): string {
  if (c.journey.endsWith('->end')) return 'COMPLETED';
  const handover = c.tracker.events.some((e: Json) => {
    if (e.event !== 'action') return false;
    if (e.type === 'handover' || e.name === 'handover') return true;
    const m = /^(?:action|utter)_(.+)$/.exec(e.name);
    try {
      return m ? JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')).type === 'handover' : false;
    } catch {
      return false;
    }
  });
  if (handover) return 'WITH_OPERATOR';
  return now - c.lastMessageAt <= 30 * 60_000 ? 'ACTIVE' : 'INTERRUPTED';
}

let sim: CxoneSimulator;
let all: Record<string, Json[]>;

beforeAll(async () => {
  sim = await startCxoneSimulator({ seed: 7, now: NOW });
  all = {};
  for (const [bot, token] of Object.entries(sim.tokens)) all[bot] = (await exportAll(sim, token, { perPage: '200' })).items;
});
afterAll(async () => {
  await sim.close();
});

describe('cxone simulator: handle and defaults', () => {
  it('exposes the three demo tokens, one per bot', () => {
    expect(sim.tokens).toEqual({ '1327': 'cxone-demo-token', '1328': 'cxone-demo-token-1328', '1329': 'cxone-demo-token-1329' });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.port).toBeGreaterThan(0);
  });

  it('refuses two bots sharing one token', async () => {
    await expect(startCxoneSimulator({ tokens: { a: 'same', b: 'same' } })).rejects.toThrow(/also used/);
  });

  it('seeds the bots named by custom tokens, and no others', async () => {
    const custom = await startCxoneSimulator({ tokens: { '42': 'secret-42' }, conversationsPerBot: 5, now: NOW });
    try {
      const res = await get(custom, { token: 'secret-42' });
      expect(res.body.total).toBe(5);
      expect(res.body.data.every((c: Json) => c.tracker.name.startsWith('42-chat;'))).toBe(true);
      expect((await get(custom, { token: TOKEN })).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('GET /api/public/conversations: success shape', () => {
  it('returns the documented page envelope with defaults', async () => {
    const res = await get(sim, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(Object.keys(res.body)).toEqual(['data', 'per_page', 'total', 'count', 'path', 'next_page_url', 'scroll_id']);
    expect(res.body.per_page).toBe(50);
    expect(res.body.count).toBe(50);
    expect(res.body.data).toHaveLength(50);
    expect(res.body.total).toBe(all['1327']!.length);
    expect(res.body.path).toBe(`${sim.url}/api/public/conversations`);
    expect(res.body.scroll_id).toMatch(/^FGluY2x1ZGVfY29udGV4dF91dWlk[A-Za-z0-9_-]+$/);
    const next = new URL(res.body.next_page_url);
    expect(`${next.origin}${next.pathname}`).toBe(res.body.path);
    expect(next.searchParams.get('scrollId')).toBe(res.body.scroll_id);
    expect(next.searchParams.has('token')).toBe(false);
  });

  it("gives every conversation the example record's fields, in its order", () => {
    const keys = Object.keys(EXAMPLE.data[0]);
    for (const c of Object.values(all).flat()) expect(Object.keys(c)).toEqual(keys);
  });

  it('serves the vendor example conversation verbatim as a record of bot 1327', () => {
    const found = all['1327']!.filter((c) => c.conversationId === EXAMPLE_ID);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual(EXAMPLE.data[0]);
    expect(found[0].tracker.name.startsWith('1327-')).toBe(true);
  });

  it('keeps the example fixture verbatim apart from the one repaired quote', () => {
    const text = readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8');
    expect(text).toContain('"journey": "start__1-\\u003Egreetings__2-\\u003Enlu_fallback__3-\\u003Eend"');
    expect(text.split('\n')[32]).toBe('"action_text": null,');
    expect(EXAMPLE.total).toBe(13);
    expect(EXAMPLE.data[0].tracker.events).toHaveLength(31);
  });

  it('limits each token to its own bot', () => {
    for (const [bot, items] of Object.entries(all)) {
      expect(items.length).toBeGreaterThan(100);
      for (const c of items) expect(c.tracker.name).toBe(`${bot}-${c.conversationId}`);
    }
  });

  it('orders by lastMessageAt descending, then conversationId ascending', () => {
    for (const items of Object.values(all)) {
      for (let i = 1; i < items.length; i++) {
        const a = items[i - 1]!;
        const b = items[i]!;
        const ok = a.lastMessageAt > b.lastMessageAt || (a.lastMessageAt === b.lastMessageAt && a.conversationId < b.conversationId);
        expect(ok).toBe(true);
      }
    }
  });
});

describe('seed data', () => {
  const conversations = () => Object.values(all).flat();

  it('has at least 3 bots, 300 conversations and 3,000 user and bot messages', () => {
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(3);
    expect(conversations().length).toBeGreaterThanOrEqual(300);
    const messages = conversations()
      .flatMap((c) => c.tracker.events)
      .filter((e: Json) => e.event === 'user' || e.event === 'bot');
    expect(messages.length).toBeGreaterThanOrEqual(3000);
  });

  it('seeds all four derived states for every bot', () => {
    for (const items of Object.values(all)) {
      const states = new Set(items.map((c) => stateOf(c, NOW)));
      expect([...states].sort()).toEqual(['ACTIVE', 'COMPLETED', 'INTERRUPTED', 'WITH_OPERATOR']);
      expect(items.filter((c) => stateOf(c, NOW) === 'ACTIVE').length).toBeGreaterThanOrEqual(3);
    }
    // A conversation that was handed over and then closed by the agent counts as completed.
    const closedAfterHandover = conversations().filter((c) => c.journey.includes('handover__') && c.journey.endsWith('->end'));
    expect(closedAfterHandover.length).toBeGreaterThan(0);
  });

  it('spreads conversations over the 90 days before now, none in the future', () => {
    const seeded = conversations().filter((c) => c.conversationId !== EXAMPLE_ID);
    for (const c of seeded) {
      expect(c.timestamp).toBeGreaterThanOrEqual(NOW - 90 * DAY - 60_000);
      expect(c.lastMessageAt).toBeLessThanOrEqual(NOW);
      expect(c.lastMessageAt).toBeGreaterThanOrEqual(c.timestamp);
    }
    const ages = seeded.map((c) => (NOW - c.timestamp) / DAY);
    expect(Math.max(...ages)).toBeGreaterThan(80);
    expect(Math.min(...ages)).toBeLessThan(1);
  });

  it('derives counts, lastMessageAt, journey and transitions from the tracker', () => {
    for (const c of conversations()) {
      const users = c.tracker.events.filter((e: Json) => e.event === 'user').length;
      const bots = c.tracker.events.filter((e: Json) => e.event === 'bot').length;
      expect(c.customerMsgCount).toBe(users);
      expect(c.botMsgCount).toBe(bots);
      expect(c.msgCount).toBe(users + bots);
      expect(c.lastMessageAt).toBe(Math.round(c.tracker.events.at(-1).timestamp * 1000));
      const parts = c.journey.split('->');
      expect(parts[0]).toBe('start__1');
      parts.forEach((p: string, i: number) => {
        if (p !== 'end') expect(p).toMatch(new RegExp(`__${i + 1}$`));
      });
      expect(c.transitions.map((t: Json) => t.name)).toEqual(parts.slice(1).map((p: string, i: number) => `${parts[i]}->${p}`));
      expect(c.conversationId).toMatch(/^chat;[A-Za-z0-9]{60};[0-9a-f]{40}$/);
    }
  });

  it("numbers each bot's conversations in start order without duplicates", () => {
    for (const items of Object.values(all)) {
      const byStart = [...items].sort((a, b) => a.timestamp - b.timestamp);
      const numbers = byStart.map((c) => c.conversationNumber);
      expect(new Set(numbers).size).toBe(numbers.length);
      for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]);
    }
  });

  it("writes Rasa events in the example's shapes, with float-second timestamps", () => {
    const events: Json[] = conversations().flatMap((c) => c.tracker.events);
    const types = new Set(events.map((e) => e.event));
    for (const t of [
      'action',
      'session_started',
      'slot',
      'user',
      'user_featurization',
      'bot',
      'restart',
      'active_loop',
      'followup',
      'pause',
      'resume',
      'reset_slots',
      'reminder',
    ]) {
      expect(types.has(t), t).toBe(true);
    }
    const user = events.find((e) => e.event === 'user' && e.parse_data.entities.length > 0);
    expect(Object.keys(user)).toEqual(['input_channel', 'metadata', 'parse_data', 'message_id', 'text', 'event', 'timestamp']);
    expect(Object.keys(user.parse_data)).toEqual([
      'metadata',
      'entities',
      'intent_ranking',
      'message_id',
      'text',
      'text_tokens',
      'intent',
      'response_selector',
    ]);
    const ent = user.parse_data.entities[0];
    expect(user.text.slice(ent.start, ent.end)).toBe(ent.value);
    for (const e of events.filter((x) => x.event === 'user')) {
      const ranking = e.parse_data.intent_ranking.map((r: Json) => r.confidence);
      expect([...ranking].sort((a, b) => b - a)).toEqual(ranking);
      expect(e.parse_data.intent).toEqual(e.parse_data.intent_ranking[0]);
    }
    // Tokens are computed the way the example's are ("I'm" is two tokens, the full stop none).
    for (const e of EXAMPLE.data[0].tracker.events.filter((x: Json) => x.event === 'user')) {
      expect(textTokens(e.text)).toEqual(e.parse_data.text_tokens);
    }
    expect(events.some((e) => e.event === 'action' && e.type === 'ask_affirmation' && /^action_/.test(e.name))).toBe(true);
    const typed = events.filter((e) => e.event === 'action' && /^action_eyJ/.test(e.name));
    for (const a of typed.slice(0, 200)) {
      const decoded = JSON.parse(Buffer.from(a.name.slice(7), 'base64').toString('utf8'));
      expect(decoded).toEqual({ tid: expect.any(Number), type: a.type });
    }
    const utter = events.find((e) => e.event === 'action' && /^utter_eyJ/.test(e.name));
    expect(Object.keys(JSON.parse(Buffer.from(utter.name.slice(6), 'base64').toString('utf8')))).toEqual(['hash', 'tid', 'type']);
    expect(events.some((e) => e.event === 'bot' && e.data?.custom?.payload?.quick_replies?.length > 0)).toBe(true);
    expect(events.some((e) => e.event === 'bot' && e.data?.custom?.payload?.buttons?.length > 0)).toBe(true);
    expect(events.some((e) => e.event === 'bot' && typeof e.text === 'string')).toBe(true);
    expect(events.every((e) => typeof e.timestamp === 'number' && e.timestamp > 1e9 && e.timestamp < 1e10)).toBe(true);
  });

  it('has customers on several channels, with tags and notes', () => {
    const channels = new Set(conversations().map((c) => c.channel.name));
    expect(channels.size).toBeGreaterThanOrEqual(5);
    expect(channels.has('WhatsApp')).toBe(true);
    expect(conversations().some((c) => c.tags.includes('escalated'))).toBe(true);
    expect(conversations().some((c) => c.notes !== '')).toBe(true);
    expect(new Set(conversations().map((c) => c.customer.name)).size).toBeGreaterThan(50);
    const dfo = conversations().find((c) => c.channel.name === 'Web chat');
    expect(dfo.dfo.caseId).toMatch(/^\d{9}$/);
  });
});

describe('auth and errors', () => {
  it('answers 401 without a token', async () => {
    const res = await get(sim, {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ status: 401, error: 'unauthorized', message: expect.stringContaining('token') });
  });

  it('answers 401 for a wrong token, even with a valid scroll', async () => {
    const first = await get(sim, { token: TOKEN, perPage: '5' });
    const res = await get(sim, { token: 'nope', scrollId: first.body.scroll_id });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
  });

  it('does not accept the token in a header', async () => {
    const res = await fetch(`${sim.url}/api/public/conversations`, { headers: { authorization: `Bearer ${TOKEN}`, token: TOKEN } });
    expect(res.status).toBe(401);
  });

  it.each(['0', '201', 'abc', '1.5', '-3'])('rejects perPage=%s with 400', async (perPage) => {
    const res = await get(sim, { token: TOKEN, perPage });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, error: 'invalid_parameter', message: expect.stringContaining('perPage') });
  });

  it('accepts perPage=200 and perPage=1', async () => {
    expect((await get(sim, { token: TOKEN, perPage: '200' })).body.count).toBe(Math.min(200, all['1327']!.length));
    const one = await get(sim, { token: TOKEN, perPage: '1' });
    expect(one.body.count).toBe(1);
    expect(one.body.per_page).toBe(1);
  });

  it('rejects an unknown timezone with 400 and accepts IANA names', async () => {
    const bad = await get(sim, { token: TOKEN, timezone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('Mars/Olympus_Mons');
    const good = await get(sim, { token: TOKEN, timezone: 'Europe/Prague', perPage: '3' });
    expect(good.status).toBe(200);
    expect(good.body.data.map((c: Json) => c.conversationId)).toEqual(all['1327']!.slice(0, 3).map((c) => c.conversationId));
  });

  it('converts the response timestamps to the timezone, and only the timestamps', async () => {
    // The document, timezone: "응답에서 타임스탬프의 기본 시간대는 UTC입니다. 타임스탬프를 다른 시간대로 변환하려면
    // 이 매개변수를 사용하여 새로운 시간대를 지정합니다." (UTC by default; to convert the timestamps to
    // another zone, name it). Epoch numbers converted: the zone's wall time written as if UTC.
    for (const [zone, hours] of [
      ['Asia/Seoul', 9],
      ['Asia/Kolkata', 5.5],
    ] as const) {
      const res = await get(sim, { token: TOKEN, timezone: zone, perPage: '3' });
      const utc = all['1327']!.slice(0, 3);
      expect(res.body.data).toHaveLength(3);
      res.body.data.forEach((c: Json, i: number) => {
        const u = utc[i]!;
        expect(c.timestamp - u.timestamp).toBe(hours * 3_600_000);
        expect(c.lastMessageAt - u.lastMessageAt).toBe(hours * 3_600_000);
        c.tracker.events.forEach((e: Json, j: number) => expect(e.timestamp - u.tracker.events[j].timestamp).toBeCloseTo(hours * 3600, 3));
        expect({ ...c, timestamp: 0, lastMessageAt: 0, tracker: c.tracker.name }).toEqual({
          ...u,
          timestamp: 0,
          lastMessageAt: 0,
          tracker: u.tracker.name,
        });
      });
      // A scroll keeps the search's timezone, as it keeps perPage.
      const next = await get(sim, { token: TOKEN, scrollId: res.body.scroll_id });
      expect(next.body.data[0].timestamp - all['1327']![3]!.timestamp).toBe(hours * 3_600_000);
    }
    // The default, and an explicit UTC, shift nothing.
    const plain = await get(sim, { token: TOKEN, timezone: 'UTC', perPage: '3' });
    expect(plain.body.data).toEqual(all['1327']!.slice(0, 3));
  });

  it('answers 410 scroll_unknown for a scroll id it never issued', async () => {
    for (const id of ['garbage', 'FGluY2x1ZGVfY29udGV4dF91dWlkAAAA']) {
      const res = await get(sim, { token: TOKEN, scrollId: id });
      expect(res.status).toBe(410);
      expect(res.body).toEqual({ status: 410, error: 'scroll_unknown', message: expect.stringContaining('scroll') });
    }
  });

  it("does not let another bot's token use a scroll", async () => {
    const first = await get(sim, { token: TOKEN, perPage: '5' });
    const res = await get(sim, { token: 'cxone-demo-token-1328', scrollId: first.body.scroll_id });
    expect(res.status).toBe(410);
    expect(res.body.error).toBe('scroll_unknown');
  });

  it('rejects scrollId and scroll_id that disagree', async () => {
    const a = await get(sim, { token: TOKEN, perPage: '5' });
    const b = await get(sim, { token: TOKEN, perPage: '5' });
    const res = await get(sim, { token: TOKEN, scrollId: a.body.scroll_id, scroll_id: b.body.scroll_id });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_parameter');
  });

  it('is read-only: writes get 405 with the error body', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${sim.url}/api/public/conversations?token=${TOKEN}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(405);
      expect(await res.json()).toEqual({ status: 405, error: 'method_not_allowed', message: 'Method Not Allowed' });
    }
  });

  it('answers 404 with the error body for unknown paths', async () => {
    const res = await get(sim, { token: TOKEN }, '/api/public/bots');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 404, error: 'not_found', message: 'Not Found' });
  });
});

describe('scroll paging', () => {
  it('pages to the end with nothing skipped or repeated; next_page_url only while a next page exists', async () => {
    // The document, next_page_url: "다음 데이터 페이지가 있는 경우 해당 페이지의 URL입니다." (the URL of the
    // next page of data, if there is one): the last page has none.
    const { pages, items } = await exportAll(sim, TOKEN, { perPage: '7' });
    const total = all['1327']!.length;
    expect(items.map((c) => c.conversationId)).toEqual(all['1327']!.map((c) => c.conversationId));
    expect(new Set(items.map((c) => c.conversationId)).size).toBe(total);
    expect(pages).toHaveLength(Math.ceil(total / 7));
    for (const p of pages) {
      expect(p.count).toBe(p.data.length);
      expect(p.count).toBeGreaterThan(0);
      expect(p.total).toBe(total);
      expect(p.per_page).toBe(7);
    }
    for (const p of pages.slice(0, -1)) expect(p.next_page_url).not.toBeNull();
    const last = pages.at(-1);
    expect(last.data.length).toBe(total - 7 * (pages.length - 1));
    expect(last.next_page_url).toBeNull();
    // scroll_id ("단일 검색 요청에서 추가적인 결과 배치를 가져오는 데 사용되는 ID") still continues the
    // scroll: after the last page it gives the empty page that ends an Elasticsearch scroll.
    expect(typeof last.scroll_id).toBe('string');
    const after = await get(sim, { token: TOKEN, scrollId: last.scroll_id });
    expect(after.body).toMatchObject({ data: [], count: 0, total, next_page_url: null });
  });

  it('gives no next_page_url when the first page holds the whole export', async () => {
    const res = await get(sim, { token: TOKEN, perPage: '200' });
    expect(res.body.count).toBe(all['1327']!.length);
    expect(res.body.next_page_url).toBeNull();
  });

  it('accepts the scroll as scroll_id too, and keeps perPage of the original search', async () => {
    const first = await get(sim, { token: TOKEN, perPage: '4' });
    const camel = await get(sim, { token: TOKEN, scrollId: first.body.scroll_id, perPage: '100' });
    const snake = await get(sim, { token: TOKEN, scroll_id: first.body.scroll_id });
    expect(camel.status).toBe(200);
    expect(camel.body).toEqual(snake.body);
    expect(camel.body.count).toBe(4);
    expect(camel.body.data).toEqual(all['1327']!.slice(4, 8));
  });

  it('returns the same page again when a scroll id is retried', async () => {
    const first = await get(sim, { token: TOKEN, perPage: '3' });
    const again1 = await get(sim, { token: TOKEN, scrollId: first.body.scroll_id });
    const again2 = await get(sim, { token: TOKEN, scrollId: first.body.scroll_id });
    expect(again1.body).toEqual(again2.body);
    expect(again1.body.data.map((c: Json) => c.conversationId)).toEqual(all['1327']!.slice(3, 6).map((c) => c.conversationId));
  });

  it('keeps the empty last page empty when it is fetched again', async () => {
    const { pages } = await exportAll(sim, TOKEN, { perPage: '200' });
    const empty = await get(sim, { token: TOKEN, scrollId: pages.at(-1).scroll_id });
    expect(empty.body.data).toEqual([]);
    const res = await get(sim, { token: TOKEN, scrollId: empty.body.scroll_id });
    expect(res.body.data).toEqual([]);
    expect(res.body.next_page_url).toBeNull();
  });

  it('answers an empty search with one empty page', async () => {
    const res = await get(sim, { token: TOKEN, query: 'customer = "Nobody At All"' });
    expect(res.body).toMatchObject({ data: [], total: 0, count: 0, next_page_url: null });
  });
});

describe('determinism', () => {
  it('gives identical data for the same seed and now, and different data for another seed', async () => {
    const a = await startCxoneSimulator({ seed: 3, now: NOW, conversationsPerBot: 40 });
    const b = await startCxoneSimulator({ seed: 3, now: NOW, conversationsPerBot: 40 });
    const c = await startCxoneSimulator({ seed: 4, now: NOW, conversationsPerBot: 40 });
    try {
      for (const token of Object.values(a.tokens)) {
        const da = (await exportAll(a, token, { perPage: '200' })).items;
        const db = (await exportAll(b, token, { perPage: '200' })).items;
        const dc = (await exportAll(c, token, { perPage: '200' })).items;
        expect(da.length).toBeGreaterThan(0);
        expect(JSON.stringify(da)).toBe(JSON.stringify(db));
        expect(JSON.stringify(da)).not.toBe(JSON.stringify(dc));
      }
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
