/**
 * CLOSER simulator, read side: every GET endpoint's shape, auth, errors, paging and filters, and
 * what the seed must contain. Talks real HTTP to a simulator on port 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { Bot, Conversation, EndUser, Flow, Message, Page } from '../../../src/providers/closer/simulator/types.js';

const NOW = Date.parse('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;
const HEX24 = /^[0-9a-f]{24}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HANGUL = /[가-힣]/;

let sim: CloserSimulator;
let bots: Bot[];
let conversations: Conversation[];
let messages: Message[];
let endUsers: EndUser[];

const api = (path: string, init: RequestInit = {}) =>
  fetch(sim.url + path, { ...init, headers: { 'X-API-Key': sim.apiKey, ...(init.headers as Record<string, string>) } });

async function ok<T>(path: string): Promise<T> {
  const res = await api(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function expectError(res: Response, status: number, message?: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { statusCode: number; error: string; message: string };
  expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  if (message) expect(body.message).toMatch(message);
}

/** Walks every page of a list; checks the page fields on the way. */
async function all<T extends { id: string }>(path: string, limit = 100): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; ; page++) {
    const body = await ok<Page<T>>(`${path}${sep}page=${page}&limit=${limit}`);
    expect(body.page).toBe(page);
    expect(body.limit).toBe(limit);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    if (body.data.length === 0) {
      expect(out.length).toBe(body.total);
      return out;
    }
    out.push(...body.data);
  }
}

const isUpdatedDesc = (list: Array<{ updatedAt: string; id: string }>) =>
  list.every((x, i) => i === 0 || list[i - 1]!.updatedAt > x.updatedAt || (list[i - 1]!.updatedAt === x.updatedAt && list[i - 1]!.id > x.id));
const isTimestampAsc = (list: Message[]) =>
  list.every((x, i) => i === 0 || list[i - 1]!.timestamp < x.timestamp || (list[i - 1]!.timestamp === x.timestamp && list[i - 1]!.id < x.id));

beforeAll(async () => {
  sim = await startCloserSimulator({ seed: 42, now: NOW });
  bots = (await ok<Page<Bot>>('/openapi/bot?limit=100')).data;
  conversations = await all<Conversation>('/openapi/conversations');
  messages = await all<Message>('/openapi/messages');
  endUsers = await all<EndUser>('/openapi/endusers');
});
afterAll(async () => {
  await sim.close();
});

describe('auth', () => {
  const endpoints: Array<[string, string]> = [
    ['GET', '/openapi/bot'],
    ['GET', '/openapi/bot/{bot}'],
    ['GET', '/openapi/bot/{bot}/conversation'],
    ['GET', '/openapi/bot/{bot}/flow'],
    ['GET', '/openapi/conversation/{conv}'],
    ['PUT', '/openapi/conversation/{conv}'],
    ['GET', '/openapi/conversation/{conv}/manual'],
    ['PUT', '/openapi/conversation/{conv}/manual'],
    ['GET', '/openapi/conversation/{conv}/message'],
    ['POST', '/openapi/conversation/{conv}/message'],
    ['PUT', '/openapi/conversation/{conv}/navigation'],
    ['GET', '/openapi/conversations'],
    ['GET', '/openapi/enduser/{user}'],
    ['GET', '/openapi/endusers'],
    ['POST', '/openapi/message'],
    ['GET', '/openapi/messages'],
  ];

  it('answers 401 with the error body to a missing or wrong X-API-Key on all 16 endpoints, and changes nothing', async () => {
    const conv = conversations.find((c) => c.context.status === 'ACTIVE')!;
    for (const [method, template] of endpoints) {
      const path = template.replace('{bot}', bots[0]!.id).replace('{conv}', conv.id).replace('{user}', conv.endUserId);
      const init =
        method === 'GET'
          ? {}
          : {
              body: JSON.stringify({ tags: ['x'], status: 'HANDOVER', data: { type: 'text', text: 'x' } }),
              headers: { 'content-type': 'application/json' },
            };
      await expectError(await fetch(sim.url + path, { method, ...init }), 401, /X-API-Key/);
      await expectError(await fetch(sim.url + path, { method, ...init, headers: { ...init.headers, 'X-API-Key': 'wrong' } }), 401, /invalid API key/);
    }
    expect(await ok<Conversation>(`/openapi/conversation/${conv.id}`)).toEqual(conv);
  });

  it('accepts a custom key and rejects the demo key then', async () => {
    const other = await startCloserSimulator({ apiKey: 'secret-1', now: NOW });
    try {
      expect(other.apiKey).toBe('secret-1');
      expect((await fetch(`${other.url}/openapi/bot`, { headers: { 'X-API-Key': 'secret-1' } })).status).toBe(200);
      await expectError(await fetch(`${other.url}/openapi/bot`, { headers: { 'X-API-Key': 'closer-demo-key' } }), 401);
    } finally {
      await other.close();
    }
  });

  it('uses the demo key by default', () => {
    expect(sim.apiKey).toBe('closer-demo-key');
  });
});

describe('seeded data', () => {
  it('has at least 3 bots, 300 conversations and 3,000 messages', () => {
    expect(bots.length).toBeGreaterThanOrEqual(3);
    expect(conversations.length).toBeGreaterThanOrEqual(300);
    expect(messages.length).toBeGreaterThanOrEqual(3000);
    expect(sim.botIds).toEqual(bots.map((b) => b.id));
  });

  it('has every conversation state and handoff state, HANDOVER and REQUESTED only on ACTIVE ones', () => {
    const combos = new Set(conversations.map((c) => `${c.context.status}/${c.context.manual.status}`));
    for (const combo of ['ACTIVE/NONE', 'ACTIVE/REQUESTED', 'ACTIVE/HANDOVER', 'COMPLETED/NONE', 'INTERRUPTED/NONE']) expect(combos).toContain(combo);
    for (const c of conversations) if (c.context.status !== 'ACTIVE') expect(c.context.manual.status).toBe('NONE');
  });

  it('spreads conversations over the 90 days before now, and nothing lies in the future', () => {
    const created = conversations.map((c) => Date.parse(c.createdAt));
    expect(Math.min(...created)).toBeGreaterThanOrEqual(NOW - 90 * DAY);
    expect(Math.min(...created)).toBeLessThan(NOW - 80 * DAY);
    expect(Math.max(...conversations.map((c) => Date.parse(c.updatedAt)))).toBeLessThanOrEqual(NOW);
    expect(Math.max(...messages.map((m) => m.timestamp))).toBeLessThanOrEqual(NOW);
    for (const c of conversations) expect(c.updatedAt >= c.createdAt).toBe(true);
  });

  it('has Korean text, end users on several platforms with Korean names and cities, and agent, media, cards and location messages', () => {
    expect(messages.filter((m) => m.data.type === 'text' && HANGUL.test(m.data.text)).length).toBeGreaterThan(2000);
    const types = new Set(messages.map((m) => m.data.type));
    expect([...types].sort()).toEqual(['cards', 'location', 'media', 'text']);
    expect(messages.some((m) => !m.isUser && m.meta.sender.platform === 'closer-chat')).toBe(true);
    expect(messages.some((m) => !m.isUser && m.meta.sender.platform === 'closer')).toBe(true);
    expect(new Set(endUsers.map((u) => u.platform)).size).toBeGreaterThanOrEqual(5);
    for (const u of endUsers) {
      expect(u.params.name).toMatch(/^[가-힣]{2,4}$/);
      expect(u.params.location).toMatch(HANGUL);
    }
    expect(conversations.some((c) => c.tags.length > 0)).toBe(true);
    expect(conversations.some((c) => c.notes.length > 0)).toBe(true);
    for (const b of bots) expect(b.title).toMatch(HANGUL);
  });

  it('keeps the references consistent: every message and conversation points at existing objects', () => {
    const convById = new Map(conversations.map((c) => [c.id, c]));
    const userById = new Map(endUsers.map((u) => [u.id, u]));
    for (const m of messages) {
      const c = convById.get(m.conversationId)!;
      expect(c).toBeDefined();
      expect(m.endUserId).toBe(c.endUserId);
      expect(m.botId).toBe(c.botId);
      expect(m.meta.sender.userKey).toBe(c.userKey);
      if (m.isUser) expect(m.meta.sender.platform).toBe(c.platform);
    }
    for (const c of conversations) {
      const u = userById.get(c.endUserId)!;
      expect(u.botId).toBe(c.botId);
      expect(u.userKey).toBe(c.userKey);
    }
    // At most one open conversation per end user, and it is their latest.
    for (const u of endUsers) {
      const mine = conversations.filter((c) => c.endUserId === u.id);
      expect(mine.filter((c) => c.context.status === 'ACTIVE').length).toBeLessThanOrEqual(1);
      const latest = mine.reduce((a, b) => (a.createdAt > b.createdAt ? a : b));
      expect(u.lastConversationId).toBe(latest.id);
      const lastMsg = messages.filter((m) => m.endUserId === u.id).at(-1)!;
      expect(u.lastMessageId).toBe(lastMsg.id);
    }
  });
});

describe('GET /openapi/bot and /openapi/bot/{botId}', () => {
  it('lists bots oldest first with the documented shape', () => {
    for (const b of bots) {
      expect(Object.keys(b).sort()).toEqual(['createdAt', 'deletedAt', 'description', 'id', 'title', 'updatedAt']);
      expect(b.id).toMatch(HEX24);
      expect(b.createdAt).toMatch(ISO);
      expect(b.deletedAt).toBeNull();
    }
    expect(bots.map((b) => b.createdAt)).toEqual(bots.map((b) => b.createdAt).sort());
    expect(bots.map((b) => b.title)).toContain('쇼핑몰 상담봇');
  });

  it('pages the bot list', async () => {
    const one = await ok<Page<Bot>>('/openapi/bot?limit=1&page=2');
    expect(one).toEqual({ data: [bots[1]], total: bots.length, page: 2, limit: 1 });
    expect((await ok<Page<Bot>>('/openapi/bot')).limit).toBe(20);
  });

  it('gets one bot, 404 for an unknown id', async () => {
    expect(await ok<Bot>(`/openapi/bot/${bots[2]!.id}`)).toEqual(bots[2]);
    await expectError(await api('/openapi/bot/000000000000000000000000'), 404, /bot 0{24} not found/);
  });
});

describe('GET /openapi/bot/{botId}/flow', () => {
  it('lists each bot flows with nodes, one default flow, oldest first', async () => {
    for (const b of bots) {
      const flows = await all<Flow>(`/openapi/bot/${b.id}/flow`, 3);
      expect(flows.length).toBeGreaterThanOrEqual(4);
      expect(flows.filter((f) => f.isDefault)).toHaveLength(1);
      expect(flows.map((f) => f.createdAt)).toEqual(flows.map((f) => f.createdAt).sort());
      for (const f of flows) {
        expect(Object.keys(f).sort()).toEqual(['botId', 'createdAt', 'id', 'isDefault', 'nodes', 'title', 'updatedAt']);
        expect(f.botId).toBe(b.id);
        expect(f.nodes.length).toBeGreaterThan(0);
        expect(f.nodes[0]).toEqual({ id: 'node-1', title: expect.stringMatching(HANGUL) });
      }
    }
  });

  it('404 for an unknown bot', async () => {
    await expectError(await api('/openapi/bot/ffffffffffffffffffffffff/flow'), 404);
  });
});

describe('GET /openapi/conversation/{id} and /manual', () => {
  it('answers the documented conversation shape', async () => {
    const c = await ok<Conversation>(`/openapi/conversation/${conversations[0]!.id}`);
    expect(c).toEqual(conversations[0]);
    expect(Object.keys(c).sort()).toEqual(
      ['botId', 'context', 'createdAt', 'endUserId', 'id', 'navigation', 'notes', 'params', 'platform', 'tags', 'updatedAt', 'userKey'].sort(),
    );
    expect(c.id).toMatch(HEX24);
    expect(c.endUserId).toMatch(UUID);
    expect(c.context.manual.updatedAt).toMatch(ISO);
    expect(c.navigation.current).toEqual({
      flowId: expect.stringMatching(HEX24),
      nodeId: expect.stringMatching(/^node-\d+$/),
      visitCount: expect.any(Number),
    });
  });

  it('answers the handoff state', async () => {
    const c = conversations.find((x) => x.context.manual.status === 'HANDOVER')!;
    expect(await ok(`/openapi/conversation/${c.id}/manual`)).toEqual({
      conversationId: c.id,
      status: 'HANDOVER',
      updatedAt: c.context.manual.updatedAt,
    });
  });

  it('404 for an unknown conversation', async () => {
    await expectError(await api('/openapi/conversation/nope'), 404, /conversation nope not found/);
    await expectError(await api('/openapi/conversation/nope/manual'), 404);
    await expectError(await api('/openapi/conversation/nope/message'), 404);
  });
});

describe('GET /openapi/conversation/{id}/message', () => {
  it('lists a conversation messages oldest first, the same as the global list', async () => {
    const c = conversations.find((x) => x.context.status === 'COMPLETED')!;
    const list = await all<Message>(`/openapi/conversation/${c.id}/message`, 5);
    expect(list.length).toBeGreaterThan(3);
    expect(isTimestampAsc(list)).toBe(true);
    expect(list).toEqual(messages.filter((m) => m.conversationId === c.id));
    const m = list[0]!;
    expect(Object.keys(m).sort()).toEqual(['botId', 'conversationId', 'data', 'endUserId', 'id', 'isUser', 'meta', 'timestamp']);
    expect(typeof m.timestamp).toBe('number');
  });

  it('filters by from and to (inclusive), in ISO or epoch ms', async () => {
    const c = conversations.find((x) => x.context.status === 'COMPLETED')!;
    const list = messages.filter((m) => m.conversationId === c.id);
    const from = list[1]!.timestamp;
    const to = list[3]!.timestamp;
    const byMs = await ok<Page<Message>>(`/openapi/conversation/${c.id}/message?from=${from}&to=${to}`);
    expect(byMs.data).toEqual(list.slice(1, 4));
    const byIso = await ok<Page<Message>>(
      `/openapi/conversation/${c.id}/message?from=${new Date(from).toISOString()}&to=${encodeURIComponent(new Date(to).toISOString().replace('Z', '+00:00'))}`,
    );
    expect(byIso.data).toEqual(list.slice(1, 4));
    await expectError(await api(`/openapi/conversation/${c.id}/message?from=yesterday`), 400, /from/);
    await expectError(await api(`/openapi/conversation/${c.id}/message?from=${to}&to=${from}`), 400, /after/);
  });
});

describe('GET /openapi/conversations and /openapi/bot/{botId}/conversation', () => {
  it('orders by updatedAt then id, descending, and pages to the end with nothing skipped or repeated', async () => {
    expect(isUpdatedDesc(conversations)).toBe(true);
    const small = await all<Conversation>('/openapi/conversations', 7);
    expect(small.map((c) => c.id)).toEqual(conversations.map((c) => c.id));
    expect(new Set(small.map((c) => c.id)).size).toBe(small.length);
  });

  it('answers an empty page past the end, with the total', async () => {
    const past = await ok<Page<Conversation>>('/openapi/conversations?page=1000&limit=100');
    expect(past).toEqual({ data: [], total: conversations.length, page: 1000, limit: 100 });
  });

  it('rejects bad paging with 400', async () => {
    for (const q of ['page=0', 'page=-1', 'page=abc', 'page=1.5', 'limit=0', 'limit=101', 'limit=x', 'limit=']) {
      await expectError(await api(`/openapi/conversations?${q}`), 400);
    }
    expect((await ok<Page<Conversation>>('/openapi/conversations?limit=100')).data).toHaveLength(100);
    expect((await ok<Page<Conversation>>('/openapi/conversations?limit=1')).data).toHaveLength(1);
  });

  it('filters by botId, also comma-separated, and the per-bot list equals the filtered one', async () => {
    const [a, b] = [bots[0]!.id, bots[1]!.id];
    const onlyA = await all<Conversation>(`/openapi/conversations?botId=${a}`);
    expect(onlyA.length).toBeGreaterThan(50);
    expect(onlyA.every((c) => c.botId === a)).toBe(true);
    expect(await all<Conversation>(`/openapi/bot/${a}/conversation`)).toEqual(onlyA);
    const both = await all<Conversation>(`/openapi/conversations?botId=${a},${b}`);
    expect(both).toEqual(conversations.filter((c) => c.botId === a || c.botId === b));
    expect((await ok<Page<Conversation>>('/openapi/conversations?botId=000000000000000000000000')).total).toBe(0);
    await expectError(await api('/openapi/bot/000000000000000000000000/conversation'), 404);
  });

  it('filters by status and manual, one value or a list; rejects unknown values', async () => {
    for (const status of ['ACTIVE', 'COMPLETED', 'INTERRUPTED']) {
      const list = await all<Conversation>(`/openapi/conversations?status=${status}`);
      expect(list).toEqual(conversations.filter((c) => c.context.status === status));
      expect(list.length).toBeGreaterThan(0);
    }
    const handover = await all<Conversation>(`/openapi/bot/${bots[0]!.id}/conversation?manual=HANDOVER`);
    expect(handover.length).toBeGreaterThan(0);
    expect(handover).toEqual(conversations.filter((c) => c.botId === bots[0]!.id && c.context.manual.status === 'HANDOVER'));
    const waiting = await all<Conversation>('/openapi/conversations?status=ACTIVE&manual=REQUESTED,HANDOVER');
    expect(waiting).toEqual(conversations.filter((c) => c.context.status === 'ACTIVE' && c.context.manual.status !== 'NONE'));
    await expectError(await api('/openapi/conversations?status=OPEN'), 400, /status must be one of/);
    await expectError(await api('/openapi/conversations?manual=handover'), 400);
    await expectError(await api('/openapi/conversations?status='), 400);
    await expectError(await api('/openapi/conversations?status=ACTIVE,'), 400);
  });

  it('filters by createdFrom/createdTo and updatedFrom/updatedTo, inclusive', async () => {
    const pivot = conversations[Math.floor(conversations.length / 2)]!;
    const created = await all<Conversation>(`/openapi/conversations?createdFrom=${encodeURIComponent(pivot.createdAt)}`);
    expect(created).toEqual(conversations.filter((c) => c.createdAt >= pivot.createdAt));
    expect(created.some((c) => c.id === pivot.id)).toBe(true);
    const createdTo = await all<Conversation>(`/openapi/conversations?createdTo=${Date.parse(pivot.createdAt)}`);
    expect(createdTo).toEqual(conversations.filter((c) => c.createdAt <= pivot.createdAt));
    const from = NOW - 30 * DAY;
    const to = NOW - 10 * DAY;
    const updated = await all<Conversation>(`/openapi/conversations?updatedFrom=${from}&updatedTo=${encodeURIComponent(new Date(to).toISOString())}`);
    expect(updated.length).toBeGreaterThan(0);
    expect(updated).toEqual(conversations.filter((c) => Date.parse(c.updatedAt) >= from && Date.parse(c.updatedAt) <= to));
    // A zone other than Z names the same instant.
    const kst = new Date(from + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
    expect(await all<Conversation>(`/openapi/conversations?updatedFrom=${encodeURIComponent(kst)}&updatedTo=${to}`)).toEqual(updated);
    for (const bad of ['2026-01-01', '2026-01-01T00:00:00', 'soon', '2026-13-45T00:00:00Z', '2026-02-30T00:00:00Z', '2026-03-01T24:00:00Z', '-5']) {
      await expectError(await api(`/openapi/conversations?createdFrom=${encodeURIComponent(bad)}`), 400, /createdFrom/);
    }
    await expectError(await api(`/openapi/conversations?updatedFrom=${to}&updatedTo=${from}`), 400, /updatedFrom is after updatedTo/);
  });

  it('filters by endUserId', async () => {
    const user = endUsers.find((u) => conversations.filter((c) => c.endUserId === u.id).length > 1)!;
    const list = await all<Conversation>(`/openapi/conversations?endUserId=${user.id}`);
    expect(list.length).toBeGreaterThan(1);
    expect(list).toEqual(conversations.filter((c) => c.endUserId === user.id));
    const perBot = await all<Conversation>(`/openapi/bot/${user.botId}/conversation?endUserId=${user.id}`);
    expect(perBot).toEqual(list);
  });
});

describe('GET /openapi/enduser/{id} and /openapi/endusers', () => {
  it('answers the documented end-user shape', async () => {
    const u = await ok<EndUser>(`/openapi/enduser/${endUsers[0]!.id}`);
    expect(u).toEqual(endUsers[0]);
    expect(Object.keys(u).sort()).toEqual([
      'botId',
      'createdAt',
      'id',
      'lastConversationId',
      'lastMessageId',
      'params',
      'platform',
      'updatedAt',
      'userKey',
    ]);
    expect(u.id).toMatch(UUID);
    await expectError(await api('/openapi/enduser/00000000-0000-4000-8000-000000000000'), 404, /end user/);
  });

  it('orders by updatedAt descending and pages to the end', async () => {
    expect(endUsers.length).toBeGreaterThan(150);
    expect(isUpdatedDesc(endUsers)).toBe(true);
    expect(new Set(endUsers.map((u) => u.id)).size).toBe(endUsers.length);
    expect((await all<EndUser>('/openapi/endusers', 33)).map((u) => u.id)).toEqual(endUsers.map((u) => u.id));
  });

  it('filters by botId, platform and userKey', async () => {
    const b = bots[1]!.id;
    expect(await all<EndUser>(`/openapi/endusers?botId=${b}`)).toEqual(endUsers.filter((u) => u.botId === b));
    const kakao = await all<EndUser>('/openapi/endusers?platform=kakao');
    expect(kakao.length).toBeGreaterThan(0);
    expect(kakao).toEqual(endUsers.filter((u) => u.platform === 'kakao'));
    expect(await all<EndUser>('/openapi/endusers?platform=line,web')).toEqual(endUsers.filter((u) => u.platform === 'line' || u.platform === 'web'));
    const one = endUsers[5]!;
    expect((await ok<Page<EndUser>>(`/openapi/endusers?userKey=${encodeURIComponent(one.userKey)}`)).data).toEqual([one]);
    await expectError(await api('/openapi/endusers?platform=telegram'), 400, /platform/);
  });
});

describe('GET /openapi/messages', () => {
  it('orders by timestamp then id, ascending, with nothing skipped or repeated', () => {
    expect(isTimestampAsc(messages)).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    for (const m of messages.slice(0, 50)) expect(m.id).toMatch(HEX24);
  });

  it('filters by conversationId, endUserId, botId, isUser, from and to', async () => {
    const c = conversations.find((x) => x.context.manual.status === 'HANDOVER')!;
    expect(await all<Message>(`/openapi/messages?conversationId=${c.id}`)).toEqual(messages.filter((m) => m.conversationId === c.id));
    expect(await all<Message>(`/openapi/messages?endUserId=${c.endUserId}`)).toEqual(messages.filter((m) => m.endUserId === c.endUserId));
    const b = bots[2]!.id;
    const ofBot = await all<Message>(`/openapi/messages?botId=${b}&isUser=false`);
    expect(ofBot).toEqual(messages.filter((m) => m.botId === b && !m.isUser));
    const userOnly = await all<Message>(`/openapi/messages?isUser=true&from=${NOW - 5 * DAY}&to=${NOW - 2 * DAY}`);
    expect(userOnly.length).toBeGreaterThan(0);
    expect(userOnly).toEqual(messages.filter((m) => m.isUser && m.timestamp >= NOW - 5 * DAY && m.timestamp <= NOW - 2 * DAY));
    expect(await all<Message>(`/openapi/messages?botId=${bots[0]!.id},${b}&isUser=true`)).toEqual(
      messages.filter((m) => (m.botId === bots[0]!.id || m.botId === b) && m.isUser),
    );
    expect((await ok<Page<Message>>('/openapi/messages?conversationId=unknown')).total).toBe(0);
    await expectError(await api('/openapi/messages?isUser=yes'), 400, /isUser/);
    await expectError(await api('/openapi/messages?to=2026-02-30'), 400);
  });
});

describe('routing errors', () => {
  it('answers 404 for an unknown path and 405 for a wrong method, with the error body', async () => {
    await expectError(await api('/openapi/nothing'), 404);
    await expectError(await api('/openapi/bot', { method: 'DELETE' }), 405);
  });
});
