import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createBotoneRuntime, type BotoneRuntime } from '../../../src/providers/botone/index.js';
import type { ConversationQuery, ConversationStream, ProviderDatasource } from '../../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel, ConversationStatusName } from '../../../src/models.js';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';

const NOW = Date.parse('2026-02-01T12:00:00Z');
const LIST = 'GET /api/v2/conversations';
const DETAIL = 'GET /api/v2/conversation/:uuid';

let sim: BotoneSimulator;
let runtime: BotoneRuntime;
let botIds: string[];
/** Every conversation, read straight from the simulator's list: the truth the streams are checked against. */
let all: Array<{ id: string; status: string; updated: string }>;
const runtimes: BotoneRuntime[] = [];

interface Stats {
  total: number;
  routes: Record<string, number>;
}
const stats = async (): Promise<Stats> => (await (await fetch(`${sim.url}/__sim/stats`)).json()) as Stats;
const resetStats = async () => {
  await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
};

function makeRuntime(
  overrides: {
    apiVersion?: 'v1' | 'v2';
    botIds?: string[];
    password?: string;
    upstream?: Partial<{ timeoutMs: number; totalBudgetMs: number; maxAttempts: number }>;
  } = {},
): BotoneRuntime {
  const rt = createBotoneRuntime({
    config: {
      baseUrl: sim.url,
      username: sim.username,
      password: overrides.password ?? sim.password,
      apiVersion: overrides.apiVersion ?? 'v2',
      botIds: overrides.botIds ?? botIds,
    },
    upstream: { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3, ...overrides.upstream },
    mode: 'SIMULATOR',
  });
  runtimes.push(rt);
  return rt;
}

async function rawList(version: 'v1' | 'v2', query = ''): Promise<Array<{ id: string; status: string; updated: string }>> {
  const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  const out: Array<{ id: string; status: string; updated: string }> = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${sim.url}/api/${version}/conversations?PageCount=100&PageNumber=${page}${query}`, {
      headers: { authorization: auth },
    });
    const body = (await res.json()) as Record<string, { id: string | number; status: string; updated: string }>;
    const items = Object.keys(body)
      .filter((k) => /^\d+$/.test(k))
      .map((k) => body[k]!);
    out.push(...items.map((i) => ({ id: String(i.id), status: i.status, updated: i.updated })));
    if (items.length < 100) return out;
  }
}

/**
 * Pages a stream the way the merge does: asks for `limit` from an offset and resumes after the
 * items it consumed (here only the first `consume` of each chunk, to resume mid-chunk too).
 */
async function drain(
  stream: ConversationStream,
  limit: number,
  consume = limit,
): Promise<{ items: ConversationModel[]; fetches: number; totals: Array<number | null> }> {
  const items: ConversationModel[] = [];
  const totals: Array<number | null> = [];
  let offset = 0;
  let fetches = 0;
  let state: string | null = null;
  for (;;) {
    const chunk = await stream.fetch(offset, limit, state);
    state = chunk.state;
    fetches += 1;
    totals.push(chunk.total);
    expect(chunk.items.length).toBeLessThanOrEqual(limit);
    const taken = chunk.done ? chunk.items : chunk.items.slice(0, consume);
    expect(chunk.done || taken.length > 0).toBe(true);
    items.push(...taken);
    if (chunk.done && taken.length === chunk.items.length) return { items, fetches, totals };
    const last = taken.length - 1;
    offset = (chunk.offsets ? chunk.offsets[last]! : offset + last) + 1;
    if (fetches > 500) throw new Error('stream never ends');
  }
}

function errorOf(promise: Promise<unknown>): Promise<BotgraphError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(BotgraphError);
      return error as BotgraphError;
    },
  );
}

/** Nothing secret or vendor-made may reach a client: credentials, the query string, the vendor's error body. */
function expectClean(error: BotgraphError): void {
  expect(error.provider).toBe('BOTONE');
  expect(error.extensions.provider).toBe('BOTONE');
  const text = `${error.message} ${JSON.stringify(error.extensions)} ${JSON.stringify(error.toJSON())}`;
  for (const secret of [
    sim.password,
    'wrong-password',
    sim.username,
    'PageCount',
    'PageNumber',
    'BotID',
    '?',
    sim.url,
    'Injected failure',
    'Invalid login',
  ]) {
    expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  sim = await startBotoneSimulator({ port: 0, seed: 3, now: NOW, activity: false });
  botIds = sim.botIds.map(String);
  all = await rawList('v2');
  runtime = makeRuntime();
});

afterAll(async () => {
  await Promise.all(runtimes.map((rt) => rt.close()));
  await sim.close();
});

describe('runtime', () => {
  it('reports v2 and v1 capabilities and a fresh datasource per request', () => {
    expect(runtime).toMatchObject({ provider: 'BOTONE', mode: 'SIMULATOR', apiVersion: 'v2' });
    expect(runtime.capabilities).toEqual(['READ_MESSAGES', 'SEND_MESSAGES', 'HANDOFF', 'TRANSFER', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS']);
    const v1 = makeRuntime({ apiVersion: 'v1' });
    expect(v1.apiVersion).toBe('v1');
    // Vertex (CUSTOM_BLOCKS) has no v1/v2 split: its paths are /api/vertex/v1/… on either API.
    expect(v1.capabilities).toEqual(['READ_MESSAGES', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS']);
    expect(runtime.forRequest()).not.toBe(runtime.forRequest());
  });

  it('answers bots from the configuration, no flows and no end users, with no upstream call', async () => {
    const ds = runtime.forRequest();
    await resetStats();
    expect((await ds.listBots()).map((b) => [b.nativeId, b.name])).toEqual(botIds.map((id) => [id, `Bot.one bot ${id}`]));
    expect(await ds.getBot('1447')).toMatchObject({ nativeId: '1447', provider: 'BOTONE' });
    expect(await ds.getBot('4242')).toBeNull();
    expect(await ds.listFlows('1446')).toEqual([]);
    expect(await ds.getEndUser('x', [])).toBeNull();
    expect(await ds.listEndUsers({ botNativeIds: null }, 0, 10)).toBeNull();
    expect((await stats()).total).toBe(0);
  });

  it('is healthy with the right credentials and not with wrong ones', async () => {
    expect(await runtime.forRequest().health()).toBe(true);
    expect(await makeRuntime({ password: 'wrong-password' }).forRequest().health()).toBe(false);
  });
});

describe('streams', () => {
  it('has one stream per configured bot, restricted by botNativeIds, none for search or an end user', () => {
    const ds = runtime.forRequest();
    expect(ds.conversationStreams({}, null).map((s) => s.key)).toEqual(botIds.map((id) => `BOTONE:${id}`));
    expect(ds.conversationStreams({}, ['1447', '9999']).map((s) => s.key)).toEqual(['BOTONE:1447']);
    expect(ds.conversationStreams({}, [])).toEqual([]);
    expect(ds.conversationStreams({ search: 'курьер' }, null)).toEqual([]);
    expect(ds.conversationStreams({ endUserNativeId: 'u1' }, null)).toEqual([]);
    const unconfigured = makeRuntime({ botIds: [] }).forRequest();
    expect(unconfigured.conversationStreams({}, null).map((s) => s.key)).toEqual(['BOTONE']);
    expect(unconfigured.conversationStreams({}, ['1446'])).toEqual([]);
  });

  /** Newest `updated` first, `updated: ""` last; ties newest created (display number) first. */
  const expectUpdatedOrder = (items: ConversationModel[]) => {
    for (let i = 1; i < items.length; i++) {
      const a = items[i - 1]!.updatedAt?.getTime() ?? -Infinity;
      const b = items[i]!.updatedAt?.getTime() ?? -Infinity;
      expect(a >= b, `${items[i - 1]!.title} before ${items[i]!.title}`).toBe(true);
    }
  };

  it('pages every bot stream newest-updated first whatever the vendor order, nothing skipped or repeated; one snapshot per listing', async () => {
    // The vendor lists id descending (the document's examples: 341 then 340; "#319" with
    // "updated": "" before "#318"), so `updated` is out of order upstream: the stream sorts.
    expect(all.some((c, i) => i > 0 && c.updated !== '' && all[i - 1]!.updated !== '' && c.updated > all[i - 1]!.updated)).toBe(true);
    const ds = runtime.forRequest();
    const seen: string[] = [];
    for (const stream of ds.conversationStreams({}, null)) {
      await resetStats();
      const { items, totals } = await drain(stream, 25);
      const botId = stream.key.split(':')[1]!;
      expect(items.every((c) => c.botNativeId === botId && c.idScope[0] === botId)).toBe(true);
      expect(new Set(totals)).toEqual(new Set([items.length]));
      expectUpdatedOrder(items);
      // Cost: the listing reads every vendor page of 100 once; its later fetches read nothing.
      expect((await stats()).routes[LIST]).toBe(Math.ceil(items.length / 100));
      seen.push(...items.map((c) => c.nativeId));
    }
    expect(seen.length).toBe(all.length);
    expect(new Set(seen)).toEqual(new Set(all.map((c) => c.id)));
  });

  it('resumes from any consumed offset of its snapshot at no cost; without the snapshot, from a new one', async () => {
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({}, ['1446']);
    const whole = await drain(stream!, 100);
    await resetStats();
    const partial = await drain(stream!, 9, 4);
    expect(partial.items.map((c) => c.nativeId)).toEqual(whole.items.map((c) => c.nativeId));
    expect((await stats()).routes[LIST]).toBe(Math.ceil(whole.items.length / 100));

    await resetStats();
    const chunk = await stream!.fetch(37, 20, null);
    expect(chunk.items.map((c) => c.nativeId)).toEqual(whole.items.slice(37, 57).map((c) => c.nativeId));
    expect((await stats()).routes[LIST]).toBe(Math.ceil(whole.items.length / 100));
  });

  it('lists everything unattributed in one stream when no bots are configured', async () => {
    const [stream] = makeRuntime({ botIds: [] }).forRequest().conversationStreams({}, null);
    const { items } = await drain(stream!, 100);
    expect(new Set(items.map((c) => c.nativeId))).toEqual(new Set(all.map((c) => c.id)));
    expect(items).toHaveLength(all.length);
    expectUpdatedOrder(items);
    expect(items.every((c) => c.botNativeId === null && c.idScope.length === 0)).toBe(true);
  });

  it('filters by update time in botgraph (UpdatedFrom filters the respondent time): exactly the conversations updated in the window', async () => {
    const from = new Date(NOW - 20 * 86_400_000 + 500);
    const to = new Date(NOW - 10 * 86_400_000 + 250);
    const ds = runtime.forRequest();
    const items = (await Promise.all(ds.conversationStreams({ updatedFrom: from, updatedTo: to }, null).map((s) => drain(s, 50)))).flatMap(
      (r) => r.items,
    );
    const expected = all.filter((c) => c.updated !== '' && Date.parse(c.updated) >= from.getTime() && Date.parse(c.updated) <= to.getTime());
    expect(expected.length).toBeGreaterThan(10);
    expect(new Set(items.map((c) => c.nativeId))).toEqual(new Set(expected.map((c) => c.id)));
    expect(items.length).toBe(expected.length);
  });

  it('filters by creation time upstream', async () => {
    const from = new Date(NOW - 30 * 86_400_000);
    const to = new Date(NOW - 25 * 86_400_000);
    const ds = runtime.forRequest();
    const chunks = await Promise.all(ds.conversationStreams({ createdFrom: from, createdTo: to }, null).map((s) => drain(s, 100)));
    const items = chunks.flatMap((r) => r.items);
    expect(items.length).toBeGreaterThan(5);
    expect(items.length).toBeLessThan(all.length / 2);
    for (const c of items) {
      if (c.createdAt === null) continue;
      expect(c.createdAt.getTime()).toBeGreaterThanOrEqual(from.getTime());
      expect(c.createdAt.getTime()).toBeLessThanOrEqual(to.getTime());
    }
    const expected = await rawList('v2', `&CreatedFrom=${encodeURIComponent(from.toISOString())}&CreatedTo=${encodeURIComponent(to.toISOString())}`);
    expect(new Set(items.map((c) => c.nativeId))).toEqual(new Set(expected.map((c) => c.id)));
  });

  it('filters statuses on our side, in the snapshot, with its total and count()', async () => {
    const statuses: ConversationStatusName[] = ['WITH_OPERATOR', 'INTERRUPTED'];
    const query: ConversationQuery = { statuses };
    const ds = runtime.forRequest();
    const wanted = new Set(['operator', 'interrupted']);
    let found = 0;
    for (const stream of ds.conversationStreams(query, null)) {
      await resetStats();
      const { items, totals } = await drain(stream, 6, 4);
      expect(new Set(totals)).toEqual(new Set([items.length]));
      expect(items.every((c) => statuses.includes(c.status))).toBe(true);
      expectUpdatedOrder(items);
      expect(await stream.count()).toBe(items.length);
      expect(new Set(items.map((c) => c.nativeId)).size).toBe(items.length);
      found += items.length;
    }
    expect(found).toBe(all.filter((c) => wanted.has(c.status)).length);
  });
});

describe('by-id reads and messages', () => {
  let ds: ProviderDatasource;
  let listed: ConversationModel;

  beforeAll(async () => {
    ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({ statuses: ['WITH_OPERATOR'] }, ['1446']);
    listed = (await stream!.fetch(0, 1, null)).items[0]!;
  });

  it('reads a conversation by id with its data, attributed by the scope', async () => {
    const fresh = runtime.forRequest();
    await resetStats();
    const c = await fresh.getConversation(listed.nativeId, ['1446']);
    expect(c).toMatchObject({ nativeId: listed.nativeId, title: listed.title, botNativeId: '1446', idScope: ['1446'], status: 'WITH_OPERATOR' });
    expect(c!.collectedData!.length).toBeGreaterThan(0);
    expect(c!.messageCount).toBeGreaterThan(0);
    expect(await fresh.getConversation('00000000-0000-4000-8000-000000000000', ['1446'])).toBeNull();
    expect(await fresh.getConversation('not-a-uuid', [])).toBeNull();
    expect((await stats()).routes[DETAIL]).toBe(2);
  });

  it('derives messages from the collected data, operator turns included', async () => {
    await resetStats();
    const { items, total } = await ds.listMessages(listed, 0, 1000);
    expect(total).toBe(items.length);
    expect(items[0]).toMatchObject({ sender: 'BOT', conversationNativeId: listed.nativeId, conversationIdScope: ['1446'] });
    expect(items.some((m) => m.sender === 'END_USER')).toBe(true);
    expect(items.map((m) => m.text)).toContain('Перевожу на оператора. Пожалуйста, подождите, вам ответят в течение нескольких минут.');
    const page = await ds.listMessages(listed, 2, 3);
    expect(page.items).toEqual(items.slice(2, 5));
    expect((await stats()).routes[DETAIL]).toBe(1);
  });

  it('sees an operator message sent through the API as an OPERATOR message', async () => {
    const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
    const res = await fetch(`${sim.url}/api/v2/conversation/${listed.nativeId}/send`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Проверяю ваш заказ' }),
    });
    expect(res.status).toBe(204);
    const { items } = await runtime.forRequest().listMessages(listed, 0, 1000);
    expect(items.at(-1)).toMatchObject({ sender: 'OPERATOR', text: 'Проверяю ваш заказ' });
  });

  it('reads v1: integer ids on the v1 paths', async () => {
    const v1 = makeRuntime({ apiVersion: 'v1' }).forRequest();
    await resetStats();
    const chunk = await v1.conversationStreams({}, ['1448'])[0]!.fetch(0, 5, null);
    expect(chunk.items).toHaveLength(5);
    expect(chunk.items.every((c) => /^\d+$/.test(c.nativeId) && c.channel === null)).toBe(true);
    const fresh = makeRuntime({ apiVersion: 'v1' }).forRequest();
    const c = await fresh.getConversation(chunk.items[0]!.nativeId, ['1448']);
    expect(c).toMatchObject({ nativeId: chunk.items[0]!.nativeId, title: chunk.items[0]!.title });
    expect(Array.isArray(c!.collectedData)).toBe(true);
    const s = await stats();
    expect(s.routes).toMatchObject({
      'GET /api/v1/conversations': Math.ceil((chunk.total as number) / 100),
      'GET /api/v1/conversation/:id': 1,
      [LIST]: 0,
      [DETAIL]: 0,
    });
  });

  it('streams an uploaded file with its content type, on v2 and v1', async () => {
    const [stream] = ds.conversationStreams({ statuses: ['COMPLETED'] }, ['1446']);
    const { items } = await stream!.fetch(0, 30, null);
    const details = await Promise.all(items.map((c) => ds.conversationDetail(c)));
    const file = details.flatMap((d) => d.collectedData ?? []).find((d) => d.fileId !== null && !d.deleted);
    expect(file).toBeDefined();
    const res = await runtime.client.fileStream(file!.fileId!);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('image/png');
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(Number(res.contentLength)).toBe(bytes.length);

    await resetStats();
    const v1 = await makeRuntime({ apiVersion: 'v1' }).client.fileStream(file!.fileId!);
    expect(Buffer.from(await v1.body.arrayBuffer())).toEqual(bytes);
    expect((await stats()).routes['GET /api/v1/file/:fileId']).toBe(1);

    expect((await errorOf(runtime.client.fileStream('999999'))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await errorOf(runtime.client.fileStream('../conversations'))).code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe('failures', () => {
  afterAll(() => {
    sim.faults.clear();
    sim.setInstanceBlocked(false);
  });

  it('5xx: retried, then PROVIDER_UNAVAILABLE', async () => {
    const rt = makeRuntime({ upstream: { maxAttempts: 3 } });
    sim.faults.set({ errorRate: 1, errorStatus: 503, routes: [LIST] });
    await resetStats();
    const error = await errorOf(rt.forRequest().conversationStreams({}, ['1446'])[0]!.fetch(0, 10, null));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect((await stats()).routes[LIST]).toBe(3);
    expectClean(error);
  });

  it('5xx on a detail read rejects that read, not the request', async () => {
    const ds = makeRuntime().forRequest();
    sim.faults.set({ errorRate: 1, errorStatus: 500, routes: [DETAIL] });
    const error = await errorOf(ds.getConversation(all[0]!.id, []));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expectClean(error);
    expect(await ds.conversationStreams({}, ['1446'])[0]!.fetch(0, 1, null)).toMatchObject({ done: false });
  });

  it('a hang: PROVIDER_TIMEOUT within the budget', async () => {
    const rt = makeRuntime({ upstream: { timeoutMs: 300, totalBudgetMs: 700, maxAttempts: 3 } });
    sim.faults.set({ hangRate: 1, routes: [LIST] });
    await resetStats();
    const started = Date.now();
    const error = await errorOf(rt.forRequest().conversationStreams({}, ['1446'])[0]!.fetch(0, 10, null));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await stats()).routes[LIST]).toBeGreaterThanOrEqual(2);
    expectClean(error);
  });

  it('malformed JSON: PROVIDER_BAD_RESPONSE, not retried', async () => {
    sim.faults.set({ malformedRate: 1, routes: [DETAIL] });
    await resetStats();
    const error = await errorOf(makeRuntime().forRequest().getConversation(all[0]!.id, []));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    expect((await stats()).routes[DETAIL]).toBe(1);
    expectClean(error);
  });

  it('wrong credentials: PROVIDER_AUTH_FAILED after one attempt', async () => {
    await resetStats();
    const error = await errorOf(makeRuntime({ password: 'wrong-password' }).forRequest().conversationStreams({}, null)[0]!.fetch(0, 5, null));
    expect(error.code).toBe(ErrorCode.PROVIDER_AUTH_FAILED);
    expect((await stats()).routes[LIST]).toBe(1);
    expectClean(error);
  });

  it('a blocked instance: FORBIDDEN_BY_PROVIDER', async () => {
    sim.setInstanceBlocked(true);
    const error = await errorOf(makeRuntime().forRequest().getConversation(all[0]!.id, []));
    sim.setInstanceBlocked(false);
    expect(error.code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
    expectClean(error);
  });

  it('429 with Retry-After: retried, then PROVIDER_RATE_LIMITED', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 0, routes: [LIST] });
    await resetStats();
    const error = await errorOf(makeRuntime().forRequest().conversationStreams({}, ['1447'])[0]!.fetch(0, 5, null));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_RATE_LIMITED);
    expect((await stats()).routes[LIST]).toBe(3);
    expectClean(error);
  });

  it('429 with Retry-After: succeeds when a later attempt passes, after waiting as asked', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 1, routes: [LIST] });
    await resetStats();
    const started = Date.now();
    const pending = makeRuntime().forRequest().conversationStreams({}, ['1447'])[0]!.fetch(0, 5, null);
    setTimeout(() => sim.faults.clear(), 300);
    const chunk = await pending;
    expect(chunk.items).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // The first page: a 429, then its retry; then the snapshot's other pages in parallel.
    expect((await stats()).routes[LIST]).toBe(1 + Math.ceil((chunk.total as number) / 100));
  });

  it('429 asking for longer than botgraph waits: PROVIDER_RATE_LIMITED at once', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 60, routes: [LIST] });
    await resetStats();
    const error = await errorOf(makeRuntime().forRequest().conversationStreams({}, ['1447'])[0]!.fetch(0, 5, null));
    sim.faults.clear();
    expect(error.code).toBe(ErrorCode.PROVIDER_RATE_LIMITED);
    expect((await stats()).routes[LIST]).toBe(1);
  });
});
