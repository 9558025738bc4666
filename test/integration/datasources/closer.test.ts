/**
 * CloserDatasource against the real CLOSER simulator, in-process on a free port, activity off so
 * that the data holds still. Upstream call counts are read from the simulator's `/__sim/stats`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UpstreamConfig } from '../../../src/config.js';
import { createCloserRuntime } from '../../../src/providers/closer/index.js';
import type { ConversationStream, ProviderRuntime } from '../../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel, ConversationStatusName } from '../../../src/models.js';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { FaultConfig } from '../../../src/simulators/common/faults.js';

const NOW = Date.parse('2026-11-21T09:00:00Z');
const FAST: UpstreamConfig = { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3 };

let sim: CloserSimulator;
let runtime: ProviderRuntime;
const runtimes: ProviderRuntime[] = [];

function makeRuntime(upstream: UpstreamConfig = FAST, apiKey = sim.apiKey): ProviderRuntime {
  const rt = createCloserRuntime({
    config: { baseUrl: sim.url, apiKey, webhookSecret: null },
    upstream: { ...upstream, baseDelayMs: 5 },
    mode: 'SIMULATOR',
  });
  runtimes.push(rt);
  return rt;
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

/** Every conversation as CLOSER lists it, read straight from the simulator (not through botgraph). */
async function vendorConversations(query = ''): Promise<
  Array<{
    id: string;
    botId: string;
    updatedAt: string;
    context: { status: string; manual: { status: string } };
    endUserId: string;
    createdAt: string;
  }>
> {
  const out = [];
  for (let page = 1; ; page += 1) {
    const res = await fetch(`${sim.url}/openapi/conversations?limit=100&page=${page}${query}`, { headers: { 'X-API-Key': sim.apiKey } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: any[]; total: number };
    out.push(...body.data);
    if (page * 100 >= body.total) return out;
  }
}

/** Reads a stream to its end with a changing limit, as the merge does, checking the offsets it reports. */
async function drain(
  stream: ConversationStream,
  limits: number[],
): Promise<{ items: ConversationModel[]; totals: Array<number | null>; fetches: number }> {
  const items: ConversationModel[] = [];
  const totals: Array<number | null> = [];
  let offset = 0;
  let fetches = 0;
  for (;;) {
    const limit = limits[fetches % limits.length] as number;
    const chunk = await stream.fetch(offset, limit, null);
    fetches += 1;
    expect(chunk.items.length).toBeLessThanOrEqual(limit);
    expect(chunk.offsets).toBeUndefined();
    items.push(...chunk.items);
    totals.push(chunk.total);
    offset += chunk.items.length;
    if (chunk.done) return { items, totals, fetches };
    expect(chunk.items.length).toBeGreaterThan(0);
    expect(fetches).toBeLessThan(500);
  }
}

function expectNewestFirst(items: ConversationModel[]): void {
  for (let i = 1; i < items.length; i += 1) {
    expect((items[i - 1] as ConversationModel).updatedAt!.getTime()).toBeGreaterThanOrEqual((items[i] as ConversationModel).updatedAt!.getTime());
  }
}

/** The error must name CLOSER and leak nothing: no key, no URL or query string, no vendor body. */
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
    'page=',
    'limit=',
    'Injected failure',
    'Too Many Requests',
    'invalid API key',
    'statusCode',
  ]) {
    expect(text).not.toContain(secret);
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sim = await startCloserSimulator({ port: 0, seed: 7, now: NOW, activity: false });
  runtime = makeRuntime();
});

afterAll(async () => {
  await Promise.all(runtimes.map((rt) => rt.close()));
  await sim?.close();
});

beforeEach(() => {
  sim.faults.clear();
});

describe('CLOSER runtime', () => {
  it('states its capabilities and API version', () => {
    expect(runtime.provider).toBe('CLOSER');
    expect(runtime.mode).toBe('SIMULATOR');
    expect(runtime.apiVersion).toBeNull();
    expect([...runtime.capabilities].sort()).toEqual(['HANDOFF', 'READ_MESSAGES', 'RICH_MESSAGES', 'SEND_MESSAGES', 'TRANSFER', 'WEBHOOKS']);
    expect(runtime.forRequest()).not.toBe(runtime.forRequest());
  });

  it('health answers true with the right key (one call) and false with a wrong one', async () => {
    await resetStats();
    expect(await runtime.forRequest().health()).toBe(true);
    expect(await stats()).toEqual({ 'GET /openapi/bot': 1, total: 1 });
    expect(await makeRuntime(FAST, 'wrong-key').forRequest().health()).toBe(false);
  });
});

describe('CLOSER conversation streams', () => {
  it('pages through every conversation, newest first, nothing skipped or repeated, ≤ 2 calls per fetch', async () => {
    const expected = await vendorConversations();
    expect(expected.length).toBeGreaterThan(100);
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({}, null);
    expect(stream!.key).toBe('CLOSER');

    await resetStats();
    // Unaligned, changing limits, as the merge asks after consuming part of a chunk.
    const { items, totals, fetches } = await drain(stream!, [20, 7, 33, 1, 100, 13]);
    const calls = await stats();

    expect(items.map((c) => c.nativeId)).toEqual(expected.map((c) => c.id));
    expect(new Set(items.map((c) => c.nativeId)).size).toBe(expected.length);
    expect(totals.every((t) => t === expected.length)).toBe(true);
    expectNewestFirst(items);
    expect(calls.total).toBe(calls['GET /openapi/conversations']);
    expect(calls.total).toBeLessThanOrEqual(2 * fetches);

    // Every listed conversation was primed: reading them all by id costs nothing more.
    await resetStats();
    const again = await Promise.all(items.map((c) => ds.getConversation(c.nativeId, c.idScope)));
    expect(again).toEqual(items);
    expect((await stats()).total).toBe(0);
  });

  it('an aligned page costs exactly one call, and count() one more', async () => {
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({}, null);
    await resetStats();
    const chunk = await stream!.fetch(40, 20, null);
    expect(chunk.items).toHaveLength(20);
    expect(chunk.done).toBe(false);
    expect(chunk.state).toBeNull();
    expect(await stream!.count()).toBe(chunk.total);
    expect(await stats()).toEqual({ 'GET /openapi/conversations': 2, total: 2 });
  });

  it('filters by status upstream; the four groups partition the list', async () => {
    const all = await vendorConversations();
    const ds = runtime.forRequest();
    const counted: Record<string, number> = {};
    for (const status of ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED'] as ConversationStatusName[]) {
      const streams = ds.conversationStreams({ statuses: [status] }, null);
      expect(streams.map((s) => s.key)).toEqual([`CLOSER:${status}`]);
      const { items, totals } = await drain(streams[0]!, [100]);
      expect(items.every((c) => c.status === status)).toBe(true);
      expect(totals[0]).toBe(items.length);
      counted[status] = items.length;
    }
    expect(counted.ACTIVE! + counted.WITH_OPERATOR! + counted.COMPLETED! + counted.INTERRUPTED!).toBe(all.length);
    expect(Object.values(counted).every((n) => n > 0)).toBe(true);

    // ACTIVE and WITH_OPERATOR together are one stream over context.status = ACTIVE.
    const both = ds.conversationStreams({ statuses: ['ACTIVE', 'WITH_OPERATOR'] }, null);
    expect(both).toHaveLength(1);
    expect(await both[0]!.count()).toBe(counted.ACTIVE! + counted.WITH_OPERATOR!);
    expect(ds.conversationStreams({ statuses: ['UNKNOWN'] }, null)).toEqual([]);
  });

  it('filters by bots, dates and end user upstream', async () => {
    const all = await vendorConversations();
    const ds = runtime.forRequest();
    const bots = sim.botIds.slice(0, 2);

    const [byBot] = ds.conversationStreams({}, bots);
    const { items: botItems } = await drain(byBot!, [100]);
    expect(botItems.length).toBe(all.filter((c) => bots.includes(c.botId)).length);
    expect(botItems.every((c) => bots.includes(c.botNativeId!))).toBe(true);

    const from = new Date(NOW - 7 * 86_400_000);
    const [recent] = ds.conversationStreams({ updatedFrom: from }, null);
    const { items: recentItems } = await drain(recent!, [50]);
    expect(recentItems.length).toBe(all.filter((c) => Date.parse(c.updatedAt) >= from.getTime()).length);
    expect(recentItems.length).toBeGreaterThan(0);
    expect(recentItems.length).toBeLessThan(all.length);

    const createdTo = new Date(NOW - 30 * 86_400_000);
    const [old] = ds.conversationStreams({ createdTo }, null);
    expect(await old!.count()).toBe(all.filter((c) => Date.parse(c.createdAt) <= createdTo.getTime()).length);

    const endUserId = (all[0] as { endUserId: string }).endUserId;
    const [mine] = ds.conversationStreams({ endUserNativeId: endUserId }, null);
    const { items: mineItems } = await drain(mine!, [10]);
    expect(mineItems.length).toBe(all.filter((c) => c.endUserId === endUserId).length);
    expect(mineItems.every((c) => c.endUserNativeId === endUserId)).toBe(true);

    expect(ds.conversationStreams({ search: '배송' }, null)).toEqual([]);
    expect(ds.conversationStreams({}, [])).toEqual([]);
  });
});

describe('CLOSER by-id reads', () => {
  it('reads a conversation by id in one call, and null for an unknown id', async () => {
    const [first] = await vendorConversations();
    const ds = runtime.forRequest();
    await resetStats();
    const [a, b, missing] = await Promise.all([
      ds.getConversation(first!.id, []),
      ds.getConversation(first!.id, []),
      ds.getConversation('ffffffffffffffffffffffff', []),
    ]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ provider: 'CLOSER', nativeId: first!.id, botNativeId: first!.botId, idScope: [] });
    expect(missing).toBeNull();
    expect(await stats()).toEqual({ 'GET /openapi/conversation/:id': 2, total: 2 });
    expect(await ds.conversationDetail(a!)).toBe(a);
  });

  it('50 conversations over 3 bots resolve their bots in one call; one bot alone is a by-id read', async () => {
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({}, null);
    const { items } = await stream!.fetch(0, 50, null);
    expect(new Set(items.map((c) => c.botNativeId)).size).toBe(3);
    await resetStats();
    const bots = await Promise.all(items.map((c) => ds.getBot(c.botNativeId!)));
    expect(bots.map((b) => b?.nativeId)).toEqual(items.map((c) => c.botNativeId));
    expect(await stats()).toEqual({ 'GET /openapi/bot': 1, total: 1 });

    const other = runtime.forRequest();
    await resetStats();
    const one = await other.getBot(sim.botIds[1]!);
    expect(one?.name.length).toBeGreaterThan(0);
    expect(await other.getBot('ffffffffffffffffffffffff')).toBeNull();
    expect(await stats()).toEqual({ 'GET /openapi/bot/:botId': 2, total: 2 });
  });

  it('lists bots (priming getBot) and each bot’s flows', async () => {
    const ds = runtime.forRequest();
    await resetStats();
    const bots = await ds.listBots();
    expect(bots.map((b) => b.nativeId)).toEqual(sim.botIds);
    await Promise.all(sim.botIds.map((id) => ds.getBot(id)));
    const flows = await ds.listFlows(sim.botIds[0]!);
    expect(flows.length).toBeGreaterThan(1);
    expect(flows.every((f) => f.botNativeId === sim.botIds[0])).toBe(true);
    expect(flows.filter((f) => f.isDefault)).toHaveLength(1);
    expect(await stats()).toEqual({ 'GET /openapi/bot': 1, 'GET /openapi/bot/:botId/flow': 1, total: 2 });
  });

  it('reads end users one call per distinct id, and lists them by bot and platform (priming)', async () => {
    const all = await vendorConversations();
    const ds = runtime.forRequest();
    const ids = [...new Set(all.slice(0, 10).map((c) => c.endUserId))];
    await resetStats();
    const users = await Promise.all([...ids, ...ids].map((id) => ds.getEndUser(id, [])));
    expect(users.map((u) => u?.nativeId)).toEqual([...ids, ...ids]);
    expect(users[0]).toMatchObject({ provider: 'CLOSER', idScope: [] });
    expect(users[0]!.name).toEqual(expect.any(String));
    expect(users[0]!.channel).toBe(users[0]!.platform);
    expect(await ds.getEndUser('00000000-0000-4000-8000-000000000000', [])).toBeNull();
    expect(await stats()).toEqual({ 'GET /openapi/enduser/:id': ids.length + 1, total: ids.length + 1 });

    const bot = sim.botIds[0]!;
    const firstPage = await ds.listEndUsers({ botNativeIds: [bot] }, 0, 30);
    expect(firstPage!.items.length).toBeGreaterThan(0);
    expect(firstPage!.items.every((u) => u.botNativeId === bot)).toBe(true);
    const seen = new Set<string>();
    for (let offset = 0; offset < firstPage!.total; offset += 30) {
      const page = await ds.listEndUsers({ botNativeIds: [bot] }, offset, 30);
      for (const u of page!.items) seen.add(u.nativeId);
    }
    expect(seen.size).toBe(firstPage!.total);

    const platform = firstPage!.items[0]!.platform!;
    const byPlatform = await ds.listEndUsers({ botNativeIds: null, platform: platform.toUpperCase() }, 0, 100);
    expect(byPlatform!.items.length).toBeGreaterThan(0);
    expect(byPlatform!.items.every((u) => u.platform === platform)).toBe(true);

    await resetStats();
    await ds.getEndUser(byPlatform!.items[0]!.nativeId, []);
    expect((await stats()).total).toBe(0);
  });
});

describe('CLOSER messages', () => {
  it('lists a conversation’s messages oldest first with offsets, and finds one by id via its scope', async () => {
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({ statuses: ['WITH_OPERATOR'] }, null);
    const { items } = await stream!.fetch(0, 1, null);
    const conversation = items[0]!;

    await resetStats();
    const all = await ds.listMessages(conversation, 0, 100);
    expect(all.total).toBe(all.items.length);
    expect(all.items.length).toBeGreaterThan(3);
    for (let i = 1; i < all.items.length; i += 1) {
      expect(all.items[i - 1]!.createdAt!.getTime()).toBeLessThanOrEqual(all.items[i]!.createdAt!.getTime());
    }
    expect(all.items.every((m) => m.conversationNativeId === conversation.nativeId && m.provider === 'CLOSER')).toBe(true);
    expect(all.items.some((m) => m.sender === 'END_USER')).toBe(true);
    expect(all.items.some((m) => m.sender === 'BOT')).toBe(true);
    expect(all.items.some((m) => m.sender === 'OPERATOR')).toBe(true);

    const middle = await ds.listMessages(conversation, 2, 3);
    expect(middle.items.map((m) => m.nativeId)).toEqual(all.items.slice(2, 5).map((m) => m.nativeId));
    expect(await ds.getMessage(all.items[1]!.nativeId, [conversation.nativeId])).toBe(all.items[1]);
    expect(await stats()).toEqual({ 'GET /openapi/conversation/:id/message': 2, total: 2 });

    // A fresh request has nothing primed: one scan of the conversation answers every id asked of it.
    const fresh = runtime.forRequest();
    await resetStats();
    const found = await Promise.all([
      fresh.getMessage(all.items[0]!.nativeId, [conversation.nativeId]),
      fresh.getMessage(all.items.at(-1)!.nativeId, [conversation.nativeId]),
      fresh.getMessage('ffffffffffffffffffffffff', [conversation.nativeId]),
      fresh.getMessage(all.items[0]!.nativeId, ['ffffffffffffffffffffffff']),
    ]);
    expect(found.map((m) => m?.nativeId ?? null)).toEqual([all.items[0]!.nativeId, all.items.at(-1)!.nativeId, null, null]);
    expect(await stats()).toEqual({ 'GET /openapi/conversation/:id/message': 2, total: 2 });
  });

  it('an unknown conversation has no messages', async () => {
    const ds = runtime.forRequest();
    const fake = { ...(await ds.conversationStreams({}, null)[0]!.fetch(0, 1, null)).items[0]!, nativeId: 'ffffffffffffffffffffffff' };
    expect(await ds.listMessages(fake, 0, 10)).toEqual({ items: [], total: 0 });
  });
});

describe('CLOSER failure modes', () => {
  async function withFaults<T>(faults: FaultConfig, run: () => Promise<T>): Promise<T> {
    sim.faults.set(faults);
    try {
      return await run();
    } finally {
      sim.faults.clear();
    }
  }

  it('5xx → PROVIDER_UNAVAILABLE after maxAttempts attempts', async () => {
    const ds = makeRuntime().forRequest();
    await resetStats();
    const error = await withFaults({ errorRate: 1, errorStatus: 503 }, () => failure(ds.conversationStreams({}, null)[0]!.fetch(0, 20, null)));
    expectSafe(error, ErrorCode.PROVIDER_UNAVAILABLE);
    expect(await stats()).toEqual({ 'GET /openapi/conversations': 3, total: 3 });
  });

  it('a hang → PROVIDER_TIMEOUT within the budget', async () => {
    const ds = makeRuntime({ timeoutMs: 300, totalBudgetMs: 800, maxAttempts: 3 }).forRequest();
    await resetStats();
    const started = Date.now();
    const error = await withFaults({ hangRate: 1 }, () => failure(ds.getConversation('64f3c1a2b3c4d5e6f7a8b9c3', [])));
    expect(Date.now() - started).toBeLessThan(2_000);
    expectSafe(error, ErrorCode.PROVIDER_TIMEOUT);
    const calls = (await stats())['GET /openapi/conversation/:id'];
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('malformed JSON → PROVIDER_BAD_RESPONSE, not retried', async () => {
    const ds = makeRuntime().forRequest();
    await resetStats();
    const error = await withFaults({ malformedRate: 1 }, () => failure(ds.listBots()));
    expectSafe(error, ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(await stats()).toEqual({ 'GET /openapi/bot': 1, total: 1 });
  });

  it('a wrong API key → PROVIDER_AUTH_FAILED, not retried, key not leaked', async () => {
    const key = 'sk-wrong-closer-key-123';
    const ds = makeRuntime(FAST, key).forRequest();
    await resetStats();
    const error = await failure(ds.listEndUsers({ botNativeIds: null }, 0, 10));
    expectSafe(error, ErrorCode.PROVIDER_AUTH_FAILED, key);
    expectSafe(error, ErrorCode.PROVIDER_AUTH_FAILED, sim.apiKey);
    expect(await stats()).toEqual({ 'GET /openapi/endusers': 1, total: 1 });
  });

  it('429 with Retry-After → retried, then PROVIDER_RATE_LIMITED', async () => {
    const ds = makeRuntime().forRequest();
    await resetStats();
    const error = await withFaults({ rateLimitRate: 1, retryAfterSeconds: 0 }, () =>
      failure(ds.getEndUser('0b6f3c1e-8a2d-4f5b-9c7e-1d2a3b4c5d6e', [])),
    );
    expectSafe(error, ErrorCode.PROVIDER_RATE_LIMITED);
    expect(await stats()).toEqual({ 'GET /openapi/enduser/:id': 3, total: 3 });
  });

  it('429 with Retry-After: 1 → waits, and succeeds once CLOSER lets it through', async () => {
    const ds = makeRuntime().forRequest();
    await resetStats();
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 1 });
    const lifted = setTimeout(() => sim.faults.clear(), 400);
    const started = Date.now();
    const bots = await ds.listBots();
    clearTimeout(lifted);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(bots.map((b) => b.nativeId)).toEqual(sim.botIds);
    expect(await stats()).toEqual({ 'GET /openapi/bot': 2, total: 2 });
  });
});
