/**
 * CLOSER simulator, write side: every PUT and POST changes state that later reads show, moves
 * `updatedAt` forward, and answers each documented error with the documented status and body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { Bot, Conversation, EndUser, Flow, Message, Page } from '../../../src/providers/closer/simulator/types.js';

// `now` in the future of the real clock: writes must still land after every seeded time.
const NOW = Date.now() + 30 * 86_400_000;

let sim: CloserSimulator;
let bots: Bot[];

const api = (path: string, method = 'GET', body?: unknown, raw?: string) =>
  fetch(sim.url + path, {
    method,
    headers: { 'X-API-Key': sim.apiKey, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function ok<T>(path: string, method = 'GET', body?: unknown, status = 200): Promise<T> {
  const res = await api(path, method, body);
  const json = (await res.json()) as T;
  expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(status);
  return json;
}

async function expectError(res: Response, status: number, message?: RegExp): Promise<void> {
  const body = (await res.json()) as { statusCode: number; error: string; message: string };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  if (message) expect(body.message).toMatch(message);
}

async function conversationsWhere(query: string): Promise<Conversation[]> {
  return (await ok<Page<Conversation>>(`/openapi/conversations?limit=100&${query}`)).data;
}

/** An ACTIVE conversation not yet used by another test, with the wanted handoff state. */
const used = new Set<string>();
async function freshActive(manual: 'NONE' | 'REQUESTED' | 'HANDOVER' = 'NONE'): Promise<Conversation> {
  const list = await conversationsWhere(`status=ACTIVE&manual=${manual}`);
  const c = list.find((x) => !used.has(x.id));
  if (!c) throw new Error(`no unused ACTIVE/${manual} conversation left`);
  used.add(c.id);
  return c;
}

beforeAll(async () => {
  sim = await startCloserSimulator({ seed: 7, now: NOW });
  bots = (await ok<Page<Bot>>('/openapi/bot')).data;
});
afterAll(async () => {
  await sim.close();
});

describe('PUT /openapi/conversation/{id}', () => {
  it('replaces tags and notes, merges params, removes a param set to null, and moves updatedAt forward', async () => {
    const c = await freshActive();
    const before = await ok<Conversation>(`/openapi/conversation/${c.id}`);
    const updated = await ok<Conversation>(`/openapi/conversation/${c.id}`, 'PUT', {
      tags: ['VIP', '환불요청', 'VIP'],
      notes: '고객이 부분 환불을 원함',
      params: { orderNumber: '20260101-0000001', extra: 1 },
    });
    expect(updated.tags).toEqual(['VIP', '환불요청']);
    expect(updated.notes).toBe('고객이 부분 환불을 원함');
    expect(updated.params).toEqual({ ...before.params, orderNumber: '20260101-0000001', extra: 1 });
    expect(updated.updatedAt > before.updatedAt).toBe(true);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(NOW);

    const again = await ok<Conversation>(`/openapi/conversation/${c.id}`, 'PUT', { tags: [], params: { extra: null } });
    expect(again.tags).toEqual([]);
    expect(again.notes).toBe('고객이 부분 환불을 원함');
    expect(again.params).not.toHaveProperty('extra');
    expect(again.updatedAt > updated.updatedAt).toBe(true);
    expect(await ok<Conversation>(`/openapi/conversation/${c.id}`)).toEqual(again);
    // The list sees it too, now first by updatedAt.
    expect((await conversationsWhere(''))[0]!.id).toBe(c.id);
  });

  it('edits a closed conversation too', async () => {
    const closed = (await conversationsWhere('status=COMPLETED'))[0]!;
    const updated = await ok<Conversation>(`/openapi/conversation/${closed.id}`, 'PUT', { notes: '사후 메모' });
    expect(updated.notes).toBe('사후 메모');
    expect(updated.context.status).toBe('COMPLETED');
  });

  it('rejects bad bodies with 400 and unknown ids with 404', async () => {
    const c = (await conversationsWhere('status=COMPLETED'))[1]!;
    const path = `/openapi/conversation/${c.id}`;
    await expectError(await api(path, 'PUT', {}), 400, /at least one/);
    await expectError(await api(path, 'PUT', { tags: 'VIP' }), 400, /tags/);
    await expectError(await api(path, 'PUT', { tags: [''] }), 400);
    await expectError(await api(path, 'PUT', { notes: 5 }), 400, /notes/);
    await expectError(await api(path, 'PUT', { params: [1, 2] }), 400, /params/);
    await expectError(await api(path, 'PUT', { title: 'x' }), 400);
    await expectError(await api(path, 'PUT', undefined, '{"tags": ['), 400, /not valid JSON/);
    await expectError(await api(path, 'PUT'), 400, /body is required/);
    await expectError(await api('/openapi/conversation/000000000000000000000000', 'PUT', { notes: 'x' }), 404);
    expect(await ok<Conversation>(path)).toEqual(c);
  });
});

describe('/openapi/conversation/{id}/manual', () => {
  it('hands a conversation over and back, and the reads follow', async () => {
    const c = await freshActive('NONE');
    const on = await ok<{ conversationId: string; status: string; updatedAt: string }>(`/openapi/conversation/${c.id}/manual`, 'PUT', {
      status: 'HANDOVER',
    });
    expect(on).toEqual({ conversationId: c.id, status: 'HANDOVER', updatedAt: expect.any(String) });
    expect(on.updatedAt > c.updatedAt).toBe(true);
    expect(await ok(`/openapi/conversation/${c.id}/manual`)).toEqual(on);
    const conv = await ok<Conversation>(`/openapi/conversation/${c.id}`);
    expect(conv.context.manual).toEqual({ status: 'HANDOVER', updatedAt: on.updatedAt });
    expect(conv.updatedAt).toBe(on.updatedAt);
    expect((await conversationsWhere('manual=HANDOVER')).some((x) => x.id === c.id)).toBe(true);

    const off = await ok<{ status: string; updatedAt: string }>(`/openapi/conversation/${c.id}/manual`, 'PUT', { status: 'NONE' });
    expect(off.status).toBe('NONE');
    expect(off.updatedAt > on.updatedAt).toBe(true);
    expect((await ok<Conversation>(`/openapi/conversation/${c.id}`)).context.manual.status).toBe('NONE');
  });

  it('takes over a REQUESTED conversation, and setting the current state again changes nothing', async () => {
    const c = await freshActive('REQUESTED');
    const on = await ok<{ status: string; updatedAt: string }>(`/openapi/conversation/${c.id}/manual`, 'PUT', { status: 'HANDOVER' });
    expect(on.status).toBe('HANDOVER');
    const same = await ok<{ status: string; updatedAt: string }>(`/openapi/conversation/${c.id}/manual`, 'PUT', { status: 'HANDOVER' });
    expect(same).toEqual(on);
    expect((await ok<Conversation>(`/openapi/conversation/${c.id}`)).updatedAt).toBe(on.updatedAt);
  });

  it('answers 400 to REQUESTED or a bad status, 403 on a closed conversation, 404 on an unknown one', async () => {
    const c = await freshActive('NONE');
    const path = `/openapi/conversation/${c.id}/manual`;
    await expectError(await api(path, 'PUT', { status: 'REQUESTED' }), 400, /HANDOVER or NONE/);
    await expectError(await api(path, 'PUT', { status: 'handover' }), 400);
    await expectError(await api(path, 'PUT', {}), 400);
    await expectError(await api(path, 'PUT', undefined, 'not json'), 400);
    expect((await ok<{ status: string }>(path)).status).toBe('NONE');
    const closed = (await conversationsWhere('status=INTERRUPTED'))[0]!;
    await expectError(await api(`/openapi/conversation/${closed.id}/manual`, 'PUT', { status: 'HANDOVER' }), 403, /INTERRUPTED/);
    expect((await ok<{ status: string }>(`/openapi/conversation/${closed.id}/manual`)).status).toBe('NONE');
    await expectError(await api('/openapi/conversation/000000000000000000000000/manual', 'PUT', { status: 'NONE' }), 404);
  });
});

describe('POST /openapi/conversation/{id}/message', () => {
  it('sends an agent message: 201, appended to the conversation, which moves forward', async () => {
    const c = await freshActive('HANDOVER');
    const sent = await ok<Message>(`/openapi/conversation/${c.id}/message`, 'POST', { data: { type: 'text', text: '확인해 드리겠습니다.' } }, 201);
    expect(sent).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      botId: c.botId,
      endUserId: c.endUserId,
      conversationId: c.id,
      isUser: false,
      meta: { sender: { userKey: c.userKey, platform: 'closer-chat' } },
      data: { type: 'text', text: '확인해 드리겠습니다.' },
      timestamp: expect.any(Number),
    });
    expect(sent.timestamp).toBeGreaterThan(Date.parse(c.updatedAt));
    const list = (await ok<Page<Message>>(`/openapi/conversation/${c.id}/message?limit=100`)).data;
    expect(list.at(-1)).toEqual(sent);
    expect((await ok<Page<Message>>(`/openapi/messages?conversationId=${c.id}&limit=100`)).data.at(-1)).toEqual(sent);
    const conv = await ok<Conversation>(`/openapi/conversation/${c.id}`);
    expect(Date.parse(conv.updatedAt)).toBe(sent.timestamp);
    const user = await ok<EndUser>(`/openapi/enduser/${c.endUserId}`);
    expect(user.lastMessageId).toBe(sent.id);
  });

  it('accepts media, cards and location messages', async () => {
    const c = await freshActive('HANDOVER');
    const bodies = [
      { type: 'media', media: { contentType: 'image/png', uri: 'https://example.com/a.png' } },
      {
        type: 'cards',
        text: '추천 상품',
        cards: [
          {
            title: '텀블러',
            description: '500ml',
            media: { contentType: 'image/jpeg', uri: 'https://example.com/t.jpg' },
            uri: 'https://example.com/p/1',
            buttons: [{ title: '구매', payload: 'BUY_1' }],
          },
        ],
      },
      { type: 'location', location: { title: '본사', latitude: 37.5, longitude: 127.0 } },
    ];
    for (const data of bodies) {
      const sent = await ok<Message>(`/openapi/conversation/${c.id}/message`, 'POST', { data }, 201);
      expect(sent.data).toEqual(data);
    }
    const list = (await ok<Page<Message>>(`/openapi/conversation/${c.id}/message?limit=100`)).data;
    expect(list.slice(-3).map((m) => m.data)).toEqual(bodies);
  });

  it('answers 400 to bad message data, 403 on a closed conversation, 404 on an unknown one', async () => {
    const c = await freshActive('NONE');
    const path = `/openapi/conversation/${c.id}/message`;
    const before = (await ok<Page<Message>>(`${path}?limit=1`)).total;
    for (const data of [
      undefined,
      { type: 'text' },
      { type: 'text', text: '   ' },
      { type: 'video', text: 'x' },
      { type: 'media', media: { contentType: 'image', uri: 'https://x' } },
      { type: 'media', media: { contentType: 'image/png', uri: 'not a url' } },
      { type: 'cards', cards: [] },
      { type: 'location', location: { latitude: 91, longitude: 0 } },
    ]) {
      await expectError(await api(path, 'POST', { data }), 400, /invalid body/);
    }
    await expectError(await api(path, 'POST', { data: { type: 'text', text: 'x' }, extra: true }), 400);
    await expectError(await api(path, 'POST', undefined, '{'), 400, /JSON/);
    expect((await ok<Page<Message>>(`${path}?limit=1`)).total).toBe(before);
    const closed = (await conversationsWhere('status=COMPLETED'))[2]!;
    await expectError(await api(`/openapi/conversation/${closed.id}/message`, 'POST', { data: { type: 'text', text: 'x' } }), 403, /COMPLETED/);
    await expectError(await api('/openapi/conversation/000000000000000000000000/message', 'POST', { data: { type: 'text', text: 'x' } }), 404);
  });
});

describe('PUT /openapi/conversation/{id}/navigation', () => {
  it('moves the conversation to a flow node, keeping the previous position', async () => {
    const c = await freshActive('NONE');
    const flows = (await ok<Page<Flow>>(`/openapi/bot/${c.botId}/flow?limit=100`)).data;
    const target = flows.find((f) => f.id !== c.navigation.current?.flowId && f.nodes.length >= 2)!;
    const moved = await ok<Conversation>(`/openapi/conversation/${c.id}/navigation`, 'PUT', { flowId: target.id, nodeId: 'node-2' });
    expect(moved.navigation).toEqual({ current: { flowId: target.id, nodeId: 'node-2', visitCount: 1 }, prev: c.navigation.current });
    expect(moved.updatedAt > c.updatedAt).toBe(true);
    // Without nodeId: the flow's first node. The same node again counts a second visit.
    const first = await ok<Conversation>(`/openapi/conversation/${c.id}/navigation`, 'PUT', { flowId: target.id });
    expect(first.navigation.current).toEqual({ flowId: target.id, nodeId: 'node-1', visitCount: 1 });
    const again = await ok<Conversation>(`/openapi/conversation/${c.id}/navigation`, 'PUT', { flowId: target.id });
    expect(again.navigation.current?.visitCount).toBe(2);
    expect(await ok<Conversation>(`/openapi/conversation/${c.id}`)).toEqual(again);
  });

  it('answers 400 for another bot flow or an unknown node, 404 for an unknown flow or conversation, 403 when closed', async () => {
    const c = await freshActive('NONE');
    const otherBot = bots.find((b) => b.id !== c.botId)!;
    const foreign = (await ok<Page<Flow>>(`/openapi/bot/${otherBot.id}/flow`)).data[0]!;
    const own = (await ok<Page<Flow>>(`/openapi/bot/${c.botId}/flow`)).data[0]!;
    const path = `/openapi/conversation/${c.id}/navigation`;
    await expectError(await api(path, 'PUT', { flowId: foreign.id }), 400, /another bot/);
    await expectError(await api(path, 'PUT', { flowId: own.id, nodeId: 'node-99' }), 400, /node-99/);
    await expectError(await api(path, 'PUT', { nodeId: 'node-1' }), 400, /flowId/);
    await expectError(await api(path, 'PUT', { flowId: '000000000000000000000000' }), 404, /flow/);
    expect((await ok<Conversation>(`/openapi/conversation/${c.id}`)).navigation).toEqual(c.navigation);
    const closed = (await conversationsWhere(`status=COMPLETED&botId=${c.botId}`))[0]!;
    await expectError(await api(`/openapi/conversation/${closed.id}/navigation`, 'PUT', { flowId: own.id }), 403);
    await expectError(await api('/openapi/conversation/000000000000000000000000/navigation', 'PUT', { flowId: own.id }), 404);
  });
});

describe('POST /openapi/message', () => {
  it('writes into the end user ACTIVE conversation', async () => {
    const c = await freshActive('HANDOVER');
    const sent = await ok<Message>('/openapi/message', 'POST', { endUserId: c.endUserId, data: { type: 'text', text: '안내 드립니다.' } }, 201);
    expect(sent.conversationId).toBe(c.id);
    expect(sent.meta.sender.platform).toBe('closer-chat');
    expect((await ok<Page<Message>>(`/openapi/conversation/${c.id}/message?limit=100`)).data.at(-1)).toEqual(sent);
  });

  it('opens a new ACTIVE conversation when the last one is closed, and the end user points at it', async () => {
    const users = (await ok<Page<EndUser>>('/openapi/endusers?limit=100')).data;
    const closedConvs = new Set((await conversationsWhere('status=COMPLETED')).map((c) => c.id));
    const user = users.find((u) => u.lastConversationId && closedConvs.has(u.lastConversationId))!;
    const totalBefore = (await ok<Page<Conversation>>('/openapi/conversations?limit=1')).total;
    const sent = await ok<Message>('/openapi/message', 'POST', { endUserId: user.id, data: { type: 'text', text: '다시 연락드렸습니다.' } }, 201);
    expect(sent.conversationId).not.toBe(user.lastConversationId);
    const conv = await ok<Conversation>(`/openapi/conversation/${sent.conversationId}`);
    expect(conv).toMatchObject({ botId: user.botId, endUserId: user.id, platform: user.platform, userKey: user.userKey, tags: [], notes: '' });
    expect(conv.context.status).toBe('ACTIVE');
    expect(conv.context.manual.status).toBe('NONE');
    expect(Date.parse(conv.updatedAt)).toBe(sent.timestamp);
    expect((await ok<Page<Conversation>>('/openapi/conversations?limit=1')).total).toBe(totalBefore + 1);
    const after = await ok<EndUser>(`/openapi/enduser/${user.id}`);
    expect(after.lastConversationId).toBe(conv.id);
    expect(after.lastMessageId).toBe(sent.id);
    expect(after.updatedAt > user.updatedAt).toBe(true);
    expect((await ok<Page<Message>>(`/openapi/conversation/${conv.id}/message`)).data).toEqual([sent]);
  });

  it('answers 404 for an unknown end user and 400 for a bad body', async () => {
    await expectError(
      await api('/openapi/message', 'POST', { endUserId: '00000000-0000-4000-8000-000000000000', data: { type: 'text', text: 'x' } }),
      404,
      /end user/,
    );
    await expectError(await api('/openapi/message', 'POST', { data: { type: 'text', text: 'x' } }), 400, /endUserId/);
    await expectError(await api('/openapi/message', 'POST', { endUserId: 'x', data: { type: 'text', text: 1 } }), 400);
    await expectError(await api('/openapi/message', 'POST', [1]), 400);
    await expectError(await api('/openapi/message', 'POST'), 400);
    // Over the shell's 1 MiB body limit: 413, not a fault.
    await expectError(await api('/openapi/message', 'POST', { endUserId: 'x'.repeat(1_100_000), data: { type: 'text', text: 'x' } }), 413);
  });
});
