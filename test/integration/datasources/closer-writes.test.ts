/**
 * CloserDatasource's writes against the real CLOSER simulator (in-process, free port, activity off
 * so that only the test changes state). Each write is read back through the datasource, both in a
 * fresh datasource (CLOSER's state) and in the one that wrote (its caches were dropped). Upstream
 * call counts come from the simulator's `/__sim/stats`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../../../src/config.js';
import { CloserDatasource, createCloserRuntime, type CloserClient } from '../../../src/providers/closer/index.js';
import type { ProviderDatasource, ProviderRuntime } from '../../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel } from '../../../src/models.js';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';

const NOW = Date.parse('2026-11-21T09:00:00Z');
// Three attempts allowed, so that "exactly one request" proves writes opt out of the retries.
const FAST: UpstreamConfig = { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3 };

const ROUTES = {
  message: 'POST /openapi/conversation/:id/message',
  endUserMessage: 'POST /openapi/message',
  manual: 'PUT /openapi/conversation/:id/manual',
  navigation: 'PUT /openapi/conversation/:id/navigation',
  update: 'PUT /openapi/conversation/:id',
  getConversation: 'GET /openapi/conversation/:id',
} as const;

interface VendorConversation {
  id: string;
  botId: string;
  endUserId: string;
  params: Record<string, unknown>;
  tags: string[];
  notes: string;
  updatedAt: string;
  context: { status: string; manual: { status: string } };
  navigation: { current: { flowId: string; nodeId: string } | null; prev: unknown };
}

interface VendorEndUser {
  id: string;
  botId: string;
  lastConversationId: string | null;
}

let sim: CloserSimulator;
let runtime: ProviderRuntime;
const runtimes: ProviderRuntime[] = [];
/** ACTIVE conversations with no handoff, each handed to one test, since the tests change them. */
let idle: VendorConversation[];
let handedOver: VendorConversation[];
let requested: VendorConversation[];
let completed: VendorConversation;

function makeRuntime(upstream: UpstreamConfig = FAST, apiKey = sim.apiKey): ProviderRuntime {
  const rt = createCloserRuntime({
    config: { baseUrl: sim.url, apiKey, webhookSecret: null },
    upstream: { ...upstream, baseDelayMs: 5 },
    mode: 'SIMULATOR',
  });
  runtimes.push(rt);
  return rt;
}

/** A read straight from the simulator, not through botgraph. */
async function vendor<T>(path: string): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, { headers: { 'X-API-Key': sim.apiKey } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function vendorConversations(query: string): Promise<VendorConversation[]> {
  return (await vendor<{ data: VendorConversation[] }>(`/openapi/conversations?limit=100&${query}`)).data;
}

function take<T>(pool: T[]): T {
  const next = pool.shift();
  if (!next) throw new Error('the seed has too few conversations for these tests');
  return next;
}

async function stats(): Promise<Record<string, number>> {
  const res = await fetch(`${sim.url}/__sim/stats`);
  const body = (await res.json()) as { total: number; routes: Record<string, number> };
  const nonZero = Object.fromEntries(Object.entries(body.routes).filter(([, n]) => n > 0));
  return { ...nonZero, total: body.total };
}

async function resetStats(): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
  expect(res.status).toBe(204);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The error names CLOSER and leaks nothing: no key, no URL, no vendor error body. */
function expectSafe(error: unknown, code: ErrorCode, apiKey = sim.apiKey): void {
  expect(error).toBeInstanceOf(BotgraphError);
  const e = error as BotgraphError;
  expect(e.code).toBe(code);
  expect(e.provider).toBe('CLOSER');
  expect(e.extensions.provider).toBe('CLOSER');
  const text = `${e.message} ${JSON.stringify(e)} ${JSON.stringify(e.extensions)}`;
  for (const secret of [
    apiKey,
    sim.url,
    '127.0.0.1',
    '/openapi',
    'statusCode',
    'Injected failure',
    'invalid API key',
    'not found',
    'only ACTIVE',
    'belongs to another bot',
    'invalid body',
  ]) {
    expect(text).not.toContain(secret);
  }
}

function ref(id: string): { nativeId: string; idScope: string[] } {
  return { nativeId: id, idScope: [] };
}

async function read(ds: ProviderDatasource, id: string): Promise<ConversationModel> {
  const conversation = await ds.getConversation(id, []);
  expect(conversation).not.toBeNull();
  return conversation!;
}

function raw(conversation: ConversationModel): VendorConversation {
  return conversation.raw as VendorConversation;
}

async function flowsOf(botId: string): Promise<Array<{ id: string; botId: string }>> {
  return (await vendor<{ data: Array<{ id: string; botId: string }> }>(`/openapi/bot/${botId}/flow?limit=100`)).data;
}

beforeAll(async () => {
  sim = await startCloserSimulator({ port: 0, seed: 7, now: NOW, activity: false });
  runtime = makeRuntime();
  idle = await vendorConversations('status=ACTIVE&manual=NONE');
  handedOver = await vendorConversations('status=ACTIVE&manual=HANDOVER');
  requested = await vendorConversations('status=ACTIVE&manual=REQUESTED');
  completed = (await vendorConversations('status=COMPLETED'))[0]!;
  expect(idle.length).toBeGreaterThanOrEqual(8);
  expect(handedOver.length).toBeGreaterThanOrEqual(1);
  expect(requested.length).toBeGreaterThanOrEqual(2);
  expect(completed).toBeDefined();
});

afterAll(async () => {
  await Promise.all(runtimes.map((rt) => rt.close()));
  await sim?.close();
});

beforeEach(() => {
  sim.faults.clear();
});

describe('CLOSER writes', () => {
  it('implements exactly the writes CLOSER has', () => {
    const ds = runtime.forRequest();
    for (const name of [
      'sendMessage',
      'sendMessageToEndUser',
      'setHandoff',
      'transferToFlow',
      'updateConversation',
      'invalidateConversation',
    ] as const) {
      expect(typeof ds[name]).toBe('function');
    }
    // Their absence is how the resolvers know CLOSER cannot do these, before any upstream call.
    for (const name of ['transferToBot', 'createConversation', 'completeCustomBlock', 'sendCustomBlockMessage'] as const) {
      expect(Reflect.get(ds, name)).toBeUndefined();
    }
  });

  it('sendMessage posts one text as the operator; the message is listed last and the conversation moves on', async () => {
    const target = take(idle);
    const ds = runtime.forRequest();
    const before = await read(ds, target.id);
    const listedBefore = await ds.listMessages(before, 0, 100);

    await resetStats();
    const message = await ds.sendMessage!(ref(target.id), '주문하신 상품은 내일 도착 예정입니다.');
    expect(await stats()).toEqual({ [ROUTES.message]: 1, total: 1 });
    expect(message).toMatchObject({
      provider: 'CLOSER',
      conversationNativeId: target.id,
      conversationIdScope: [],
      sender: 'OPERATOR',
      text: '주문하신 상품은 내일 도착 예정입니다.',
    });
    expect(message!.nativeId).toMatch(/^[0-9a-f]{24}$/);
    expect(message!.createdAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());

    // The same datasource: its by-id entry and its message list were dropped, so both are re-read.
    const after = await read(ds, target.id);
    expect(after.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());
    const listed = await ds.listMessages(after, 0, 100);
    expect(listed.total).toBe(listedBefore.total + 1);
    expect(listed.items.at(-1)).toMatchObject({ nativeId: message!.nativeId, sender: 'OPERATOR', text: message!.text });
    // The new message is primed: reading it by id costs nothing.
    await resetStats();
    expect(await ds.getMessage(message!.nativeId, [target.id])).toMatchObject({ nativeId: message!.nativeId });
    expect((await stats()).total).toBe(0);

    // CLOSER's own state, through a fresh datasource.
    const fresh = runtime.forRequest();
    const again = await fresh.listMessages(await read(fresh, target.id), 0, 100);
    expect(again.items.at(-1)).toMatchObject({ nativeId: message!.nativeId, sender: 'OPERATOR' });
  });

  it('sendMessageToEndUser writes into the end user\u2019s ACTIVE last conversation', async () => {
    const target = take(requested);
    const ds = runtime.forRequest();
    const userBefore = await ds.getEndUser(target.endUserId, []);
    expect((userBefore!.raw as VendorEndUser).lastConversationId).toBe(target.id);

    await resetStats();
    const message = await ds.sendMessageToEndUser!(target.endUserId, '상담원입니다. 무엇을 도와드릴까요?');
    expect(await stats()).toEqual({ [ROUTES.endUserMessage]: 1, total: 1 });
    expect(message).toMatchObject({ conversationNativeId: target.id, sender: 'OPERATOR', text: '상담원입니다. 무엇을 도와드릴까요?' });

    const conversation = await read(ds, target.id);
    expect(conversation.updatedAt!.getTime()).toBeGreaterThan(Date.parse(target.updatedAt));
    const listed = await ds.listMessages(conversation, 0, 100);
    expect(listed.items.at(-1)).toMatchObject({ nativeId: message.nativeId, sender: 'OPERATOR' });
    // The end user's pointer moved, and the stale primed end user was dropped.
    const userAfter = await ds.getEndUser(target.endUserId, []);
    expect((userAfter!.raw as { lastMessageId: string }).lastMessageId).toBe(message.nativeId);
  });

  it('sendMessageToEndUser opens a new conversation when the last one is closed', async () => {
    const ds = runtime.forRequest();
    const closed = await vendorConversations('status=COMPLETED,INTERRUPTED');
    let endUser: VendorEndUser | undefined;
    for (const c of closed) {
      const candidate = await vendor<VendorEndUser>(`/openapi/enduser/${c.endUserId}`);
      const last = candidate.lastConversationId ? await vendor<VendorConversation>(`/openapi/conversation/${candidate.lastConversationId}`) : null;
      if (last && last.context.status !== 'ACTIVE') {
        endUser = candidate;
        break;
      }
    }
    expect(endUser).toBeDefined();
    // Prime the end user and the conversation list, to see both re-read after the write.
    await ds.getEndUser(endUser!.id, []);
    const [stream] = ds.conversationStreams({ endUserNativeId: endUser!.id }, null);
    const before = await stream!.fetch(0, 20, null);

    const message = await ds.sendMessageToEndUser!(endUser!.id, '다시 문의 주셔서 감사합니다.');
    expect(message.conversationNativeId).not.toBe(endUser!.lastConversationId);

    const opened = await read(ds, message.conversationNativeId);
    expect(opened).toMatchObject({ status: 'ACTIVE', handoff: 'BOT', endUserNativeId: endUser!.id, botNativeId: endUser!.botId });
    expect((await ds.listMessages(opened, 0, 10)).items.map((m) => m.nativeId)).toEqual([message.nativeId]);
    const user = await ds.getEndUser(endUser!.id, []);
    expect((user!.raw as VendorEndUser).lastConversationId).toBe(message.conversationNativeId);
    const after = await stream!.fetch(0, 20, null);
    expect(after.total).toBe(before.total! + 1);
    expect(after.items[0]!.nativeId).toBe(message.conversationNativeId);
  });

  it('setHandoff(true) gives the conversation to an operator; setHandoff(false) gives it back to the bot', async () => {
    const target = take(idle);
    const ds = runtime.forRequest();
    const before = await read(ds, target.id);
    expect(before).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });

    await resetStats();
    await ds.setHandoff!(ref(target.id), true);
    expect(await stats()).toEqual({ [ROUTES.manual]: 1, total: 1 });
    const handed = await read(ds, target.id);
    expect(handed).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
    expect(handed.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());
    expect(await read(runtime.forRequest(), target.id)).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });

    await ds.setHandoff!(ref(target.id), false);
    const back = await read(ds, target.id);
    expect(back).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });
    expect(back.updatedAt!.getTime()).toBeGreaterThan(handed.updatedAt!.getTime());
    expect(raw(back).context.manual.status).toBe('NONE');
  });

  it('setHandoff(false) ends a running handover; asking for the state it has changes nothing', async () => {
    const target = take(handedOver);
    const ds = runtime.forRequest();
    expect(await read(ds, target.id)).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
    await ds.setHandoff!(ref(target.id), false);
    const back = await read(ds, target.id);
    expect(back).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });

    // CLOSER answers 200 and leaves even `updatedAt` alone.
    await ds.setHandoff!(ref(target.id), false);
    expect((await read(ds, target.id)).updatedAt).toEqual(back.updatedAt);
  });

  it('a write drops the request\u2019s conversation lists: a status stream read before it is re-read after it', async () => {
    const target = take(idle);
    const ds = runtime.forRequest();
    const [operators] = ds.conversationStreams({ statuses: ['WITH_OPERATOR'] }, null);
    const before = await operators!.fetch(0, 100, null);
    expect(before.items.some((c) => c.nativeId === target.id)).toBe(false);

    await ds.setHandoff!(ref(target.id), true);
    const after = await operators!.fetch(0, 100, null);
    expect(after.total).toBe(before.total! + 1);
    // The newest change comes first.
    expect(after.items[0]).toMatchObject({ nativeId: target.id, status: 'WITH_OPERATOR' });
  });

  it('transferToFlow moves the navigation to the flow\u2019s first node; the answer is primed', async () => {
    const target = take(idle);
    const ds = runtime.forRequest();
    const before = await read(ds, target.id);
    const current = raw(before).navigation.current!;
    const flow = (await flowsOf(target.botId)).find((f) => f.id !== current.flowId)!;

    await resetStats();
    await ds.transferToFlow!(ref(target.id), flow.id);
    expect(await stats()).toEqual({ [ROUTES.navigation]: 1, total: 1 });
    // CLOSER answered with the whole conversation: the read after costs no call.
    const after = await read(ds, target.id);
    expect((await stats()).total).toBe(1);
    expect(raw(after).navigation).toMatchObject({ current: { flowId: flow.id, nodeId: 'node-1', visitCount: 1 }, prev: current });
    expect(after.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());

    const vendorView = await read(runtime.forRequest(), target.id);
    expect(raw(vendorView).navigation.current).toMatchObject({ flowId: flow.id, nodeId: 'node-1' });
    expect(vendorView.updatedAt).toEqual(after.updatedAt);
  });

  it('updateConversation replaces tags and notes, merges params, and sends only the fields given', async () => {
    const target = take(idle);
    const ds = runtime.forRequest();
    const before = await read(ds, target.id);
    const params = raw(before).params;

    await resetStats();
    await ds.updateConversation!(ref(target.id), {
      tags: ['vip', '배송지연', 'vip'],
      notes: '재발송 요청',
      params: { ticket: 'T-1024', priority: 2 },
    });
    expect(await stats()).toEqual({ [ROUTES.update]: 1, total: 1 });
    const updated = await read(ds, target.id);
    expect(updated.tags).toEqual(['vip', '배송지연']);
    expect(updated.notes).toBe('재발송 요청');
    expect(raw(updated).params).toEqual({ ...params, ticket: 'T-1024', priority: 2 });
    expect(updated.collectedData).toEqual(expect.arrayContaining([expect.objectContaining({ variable: 'ticket', answer: 'T-1024' })]));
    expect(updated.updatedAt!.getTime()).toBeGreaterThan(before.updatedAt!.getTime());

    // Notes alone: tags and params stay; a null param is removed.
    await ds.updateConversation!(ref(target.id), { notes: '처리 완료', params: { ticket: null } });
    const vendorView = await read(runtime.forRequest(), target.id);
    expect(vendorView.tags).toEqual(['vip', '배송지연']);
    expect(vendorView.notes).toBe('처리 완료');
    expect(raw(vendorView).params).toEqual({ ...params, priority: 2 });
    expect(await read(ds, target.id)).toEqual(vendorView);
  });

  it('updateConversation is allowed on a closed conversation; an empty patch makes no call', async () => {
    const ds = runtime.forRequest();
    await ds.updateConversation!(ref(completed.id), { tags: ['사후검토'] });
    expect((await read(ds, completed.id)).tags).toEqual(['사후검토']);

    await resetStats();
    expectSafe(await failure(ds.updateConversation!(ref(completed.id), {})), ErrorCode.BAD_USER_INPUT);
    expect((await stats()).total).toBe(0);
  });

  it('invalidateConversation drops the primed conversation and its message lists', async () => {
    const target = idle[0]!;
    const ds = runtime.forRequest();
    const conversation = await read(ds, target.id);
    await ds.listMessages(conversation, 0, 10);
    await resetStats();
    await read(ds, target.id);
    await ds.listMessages(conversation, 0, 10);
    expect((await stats()).total).toBe(0);

    ds.invalidateConversation!(target.id);
    await read(ds, target.id);
    await ds.listMessages(conversation, 0, 10);
    expect(await stats()).toEqual({
      [ROUTES.getConversation]: 1,
      'GET /openapi/conversation/:id/message': 1,
      total: 2,
    });
  });
});

describe('CLOSER write failures', () => {
  /** One call of each write, on conversations that accept them, so that only the fault can fail them. */
  function everyWrite(ds: ProviderDatasource, target: VendorConversation, flowId: string) {
    return [
      { route: ROUTES.message, call: () => ds.sendMessage!(ref(target.id), '안녕하세요') },
      { route: ROUTES.endUserMessage, call: () => ds.sendMessageToEndUser!(target.endUserId, '안녕하세요') },
      { route: ROUTES.manual, call: () => ds.setHandoff!(ref(target.id), true) },
      { route: ROUTES.navigation, call: () => ds.transferToFlow!(ref(target.id), flowId) },
      { route: ROUTES.update, call: () => ds.updateConversation!(ref(target.id), { notes: 'x' }) },
    ];
  }

  it('a 503 is PROVIDER_UNAVAILABLE after exactly one request: writes are never retried', async () => {
    const target = idle[1]!;
    const flow = (await flowsOf(target.botId))[0]!;
    const ds = runtime.forRequest();
    sim.faults.set({ errorRate: 1, errorStatus: 503 });
    for (const { route, call } of everyWrite(ds, target, flow.id)) {
      await resetStats();
      expectSafe(await failure(call()), ErrorCode.PROVIDER_UNAVAILABLE);
      expect(await stats(), route).toEqual({ [route]: 1, total: 1 });
    }
  });

  it('no answer is PROVIDER_TIMEOUT after exactly one request', async () => {
    const target = idle[1]!;
    const flow = (await flowsOf(target.botId))[0]!;
    const ds = makeRuntime({ timeoutMs: 150, totalBudgetMs: 5_000, maxAttempts: 3 }).forRequest();
    sim.faults.set({ hangRate: 1 });
    for (const { route, call } of everyWrite(ds, target, flow.id)) {
      await resetStats();
      const started = Date.now();
      expectSafe(await failure(call()), ErrorCode.PROVIDER_TIMEOUT);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await stats(), route).toEqual({ [route]: 1, total: 1 });
    }
  });

  it('a failed write still drops the cached conversation: it may have happened at CLOSER', async () => {
    const target = idle[1]!;
    const ds = makeRuntime({ timeoutMs: 150, totalBudgetMs: 5_000, maxAttempts: 3 }).forRequest();
    await read(ds, target.id);
    sim.faults.set({ hangRate: 1, routes: [ROUTES.manual] });
    expectSafe(await failure(ds.setHandoff!(ref(target.id), true)), ErrorCode.PROVIDER_TIMEOUT);
    sim.faults.clear();
    await resetStats();
    await read(ds, target.id);
    expect(await stats()).toEqual({ [ROUTES.getConversation]: 1, total: 1 });
  });

  it('an unknown conversation, end user or flow is NOT_FOUND', async () => {
    const ds = runtime.forRequest();
    const unknown = ref('0123456789abcdef01234567');
    const target = idle[1]!;
    const flow = (await flowsOf(target.botId))[0]!;
    for (const call of [
      () => ds.sendMessage!(unknown, '안녕하세요'),
      () => ds.sendMessageToEndUser!('00000000-0000-4000-8000-000000000000', '안녕하세요'),
      () => ds.setHandoff!(unknown, true),
      () => ds.transferToFlow!(unknown, flow.id),
      () => ds.transferToFlow!(ref(target.id), '0123456789abcdef01234567'),
      () => ds.updateConversation!(unknown, { notes: 'x' }),
    ]) {
      expectSafe(await failure(call()), ErrorCode.NOT_FOUND);
    }
  });

  it('a write to a COMPLETED conversation is FORBIDDEN_BY_PROVIDER and changes nothing', async () => {
    const ds = runtime.forRequest();
    const flow = (await flowsOf(completed.botId))[0]!;
    const before = await vendor<VendorConversation>(`/openapi/conversation/${completed.id}`);
    for (const call of [
      () => ds.sendMessage!(ref(completed.id), '안녕하세요'),
      () => ds.setHandoff!(ref(completed.id), true),
      () => ds.transferToFlow!(ref(completed.id), flow.id),
    ]) {
      expectSafe(await failure(call()), ErrorCode.FORBIDDEN_BY_PROVIDER);
    }
    expect(await vendor(`/openapi/conversation/${completed.id}`)).toEqual(before);
  });

  it('a flow of another bot, or a text CLOSER refuses, is BAD_USER_INPUT', async () => {
    const target = idle[1]!;
    const otherBot = sim.botIds.find((b) => b !== target.botId)!;
    const foreign = (await flowsOf(otherBot))[0]!;
    const ds = runtime.forRequest();
    for (const call of [
      () => ds.transferToFlow!(ref(target.id), foreign.id),
      () => ds.sendMessage!(ref(target.id), '   '),
      () => ds.sendMessage!(ref(target.id), 'x'.repeat(4001)),
      () => ds.sendMessageToEndUser!(target.endUserId, ''),
      () => ds.updateConversation!(ref(target.id), { tags: [''] }),
    ]) {
      expectSafe(await failure(call()), ErrorCode.BAD_USER_INPUT);
    }
  });

  it('a wrong API key is PROVIDER_AUTH_FAILED, and the key never shows', async () => {
    const wrongKey = 'closer-wrong-key-5f1e';
    const target = idle[1]!;
    const flow = (await flowsOf(target.botId))[0]!;
    const ds = makeRuntime(FAST, wrongKey).forRequest();
    for (const { route, call } of everyWrite(ds, target, flow.id)) {
      await resetStats();
      expectSafe(await failure(call()), ErrorCode.PROVIDER_AUTH_FAILED, wrongKey);
      expect(await stats(), route).toEqual({ [route]: 1, total: 1 });
    }
  });
});

describe('CLOSER writes racing a read', () => {
  // The simulator delays a request before handling it, never its answer, so a list answered before
  // a write but delivered after it can only be staged with a stand-in client.
  it('a list in flight when a write lands answers its caller but does not prime its stale copy', async () => {
    const stale = { nativeId: 'c1', idScope: [], status: 'ACTIVE', handoff: 'BOT' } as unknown as ConversationModel;
    const fresh = { ...stale, status: 'WITH_OPERATOR', handoff: 'OPERATOR' } as ConversationModel;
    let answerList!: (slice: { items: ConversationModel[]; total: number }) => void;
    let reads = 0;
    const client = {
      listConversations: () => new Promise((resolve) => (answerList = resolve)),
      setManual: async () => {},
      getConversation: async () => {
        reads += 1;
        return fresh;
      },
    } as unknown as CloserClient;
    const ds = new CloserDatasource(client);
    const [stream] = ds.conversationStreams({}, null);

    const listing = stream!.fetch(0, 20, null);
    await ds.setHandoff(ref('c1'), true);
    answerList({ items: [stale], total: 1 });
    expect((await listing).items).toEqual([stale]);

    expect(await ds.getConversation('c1', [])).toBe(fresh);
    expect(reads).toBe(1);
  });
});
