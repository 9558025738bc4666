import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { createCxoneRuntime } from '../../../src/providers/cxone/index.js';
import type { ConversationQuery, ConversationStream, ProviderRuntime } from '../../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel } from '../../../src/models.js';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ROUTE = 'GET /api/public/conversations';
const UPSTREAM = { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3 };

let sim: CxoneSimulator;
let runtime: ProviderRuntime;
const runtimes: ProviderRuntime[] = [];
/** Every log line of every runtime made here, to prove no token reaches them. */
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

function makeRuntime(options: { tokens?: Record<string, string>; upstream?: typeof UPSTREAM; url?: string } = {}): ProviderRuntime {
  const rt = createCxoneRuntime({
    config: { baseUrl: options.url ?? sim.url, tokens: options.tokens ?? sim.tokens },
    upstream: options.upstream ?? UPSTREAM,
    mode: 'SIMULATOR',
    logger,
    now: () => sim.clock(),
  });
  runtimes.push(rt);
  return rt;
}

/** Upstream calls since the last reset, read from the simulator's own stats endpoint. */
async function calls(): Promise<number> {
  const res = await fetch(`${sim.url}/__sim/stats`);
  const body = (await res.json()) as { routes: Record<string, number> };
  return body.routes[ROUTE] ?? 0;
}

async function resetCalls(): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
  expect(res.status).toBe(204);
}

/** Pages a stream to its end as the merge does: resume after the last consumed offset, hand back the state. */
async function drain(stream: ConversationStream, limit: number) {
  const items: ConversationModel[] = [];
  const offsets: number[] = [];
  const perFetch: number[] = [];
  let offset = 0;
  let state: string | null = null;
  for (let guard = 0; guard < 500; guard++) {
    const before = await calls();
    const chunk = await stream.fetch(offset, limit, state);
    perFetch.push((await calls()) - before);
    expect(chunk.items.length).toBeLessThanOrEqual(limit);
    const chunkOffsets = chunk.offsets ?? chunk.items.map((_, i) => offset + i);
    items.push(...chunk.items);
    offsets.push(...chunkOffsets);
    if (chunk.done) return { items, offsets, perFetch, total: chunk.total };
    expect(chunk.items.length).toBeGreaterThan(0);
    offset = (chunkOffsets.at(-1) as number) + 1;
    state = chunk.state;
  }
  throw new Error('stream never ended');
}

function streamOf(rt: ProviderRuntime, query: ConversationQuery = {}, bot = '1327'): ConversationStream {
  const streams = rt.forRequest().conversationStreams(query, [bot]);
  expect(streams).toHaveLength(1);
  return streams[0] as ConversationStream;
}

async function caught(promise: Promise<unknown>): Promise<BotgraphError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BotgraphError);
    return error as BotgraphError;
  }
  throw new Error('expected a failure');
}

/** A failure must name the provider and never carry a credential, a query string or the vendor's body. */
function expectClean(error: BotgraphError, code: ErrorCode): void {
  expect(error.code).toBe(code);
  expect(error.provider).toBe('CXONE');
  expect(error.extensions.provider).toBe('CXONE');
  const text = `${error.message} ${JSON.stringify(error.extensions)} ${JSON.stringify(error)}`;
  for (const token of Object.values(sim.tokens)) expect(text).not.toContain(token);
  expect(text).not.toContain('wrong-token');
  expect(text).not.toContain('token=');
  expect(text).not.toContain('?');
  expect(text).not.toContain('Injected failure');
  expect(text).not.toContain('Invalid token');
}

/** Every conversation of a bot, read straight from the simulator in its export order. */
let reference: ConversationModel[];

beforeAll(async () => {
  sim = await startCxoneSimulator({ port: 0, now: NOW, seed: 3 });
  runtime = makeRuntime();
  reference = (await drain(streamOf(runtime), 200)).items;
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
  await sim.close();
});

beforeEach(async () => {
  sim.faults.clear();
  await resetCalls();
});

describe('runtime', () => {
  it('is read-only, unversioned, and gives a fresh datasource per request', () => {
    expect(runtime.provider).toBe('CXONE');
    expect(runtime.mode).toBe('SIMULATOR');
    expect(runtime.capabilities).toEqual(['READ_MESSAGES', 'TRACKER_EVENTS']);
    expect(runtime.apiVersion).toBeNull();
    expect(runtime.forRequest()).not.toBe(runtime.forRequest());
  });

  it('lists the configured bots without any upstream call', async () => {
    const ds = runtime.forRequest();
    const bots = await ds.listBots();
    expect(bots.map((b) => [b.nativeId, b.name])).toEqual([
      ['1327', 'CXone bot 1327'],
      ['1328', 'CXone bot 1328'],
      ['1329', 'CXone bot 1329'],
    ]);
    expect(await ds.getBot('1328')).toMatchObject({ nativeId: '1328' });
    expect(await ds.getBot('9999')).toBeNull();
    expect(await ds.listFlows('1327')).toEqual([]);
    expect(await ds.listEndUsers({ botNativeIds: null }, 0, 10)).toBeNull();
    expect(await calls()).toBe(0);
  });

  it("learns a bare token's bot with one perPage=1 read, once", async () => {
    const rt = makeRuntime({ tokens: { '': sim.tokens['1328'] as string } });
    const ds = rt.forRequest();
    expect((await ds.listBots()).map((b) => b.nativeId)).toEqual(['1328']);
    expect(await ds.getBot('1328')).toMatchObject({ nativeId: '1328' });
    expect(await rt.forRequest().getBot('1327')).toBeNull();
    expect(await calls()).toBe(1);
    // One stream, whose key does not depend on the bot being known yet; another bot's filter empties it.
    const [stream] = rt.forRequest().conversationStreams({}, null);
    expect(stream?.key).toBe('CXONE:*');
    const chunk = await stream!.fetch(0, 3, null);
    expect(chunk.items.map((c) => c.botNativeId)).toEqual(['1328', '1328', '1328']);
    const other = rt.forRequest().conversationStreams({}, ['1327']);
    expect(await other[0]!.fetch(0, 3, null)).toMatchObject({ items: [], done: true, total: 0 });
  });

  it('answers health with one cheap read', async () => {
    expect(await runtime.forRequest().health()).toBe(true);
    expect(await calls()).toBe(1);
  });
});

describe('streams', () => {
  it('has one stream per token, keyed by bot, restricted to the bots asked for', () => {
    const ds = runtime.forRequest();
    expect(ds.conversationStreams({}, null).map((s) => s.key)).toEqual(['CXONE:1327', 'CXONE:1328', 'CXONE:1329']);
    expect(ds.conversationStreams({}, ['1329', '42']).map((s) => s.key)).toEqual(['CXONE:1329']);
  });

  it('pages through every conversation of every bot, newest updatedAt first, nothing skipped or repeated', async () => {
    for (const bot of ['1327', '1328', '1329']) {
      await resetCalls();
      const { items, offsets, perFetch, total } = await drain(streamOf(makeRuntime(), {}, bot), 25);
      expect(total).toBe(items.length);
      expect(items.length).toBeGreaterThan(100);
      expect(new Set(items.map((c) => c.nativeId)).size).toBe(items.length);
      expect(offsets).toEqual(items.map((_, i) => i));
      expect(items.every((c) => c.botNativeId === bot && c.provider === 'CXONE')).toBe(true);
      const times = items.map((c) => c.updatedAt!.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // One call per page of 25, none for the empty page: the scroll's total says where it ends.
      expect(perFetch.every((n) => n === 1)).toBe(true);
      expect(await calls()).toBe(Math.ceil(items.length / 25));
    }
    expect(reference.map((c) => c.nativeId)).toContain(
      'chat;wOT4JjXiVYwsgqUaOX3VHpCQd3OzYpXZqJfCK7yzIQzTofYJh4BvD6RuB4De;df3323db2a5ca2b95767dba4fdafbeb1e31ed899',
    );
  });

  it('serves an offset behind the scroll from the batch cache, then continues the scroll', async () => {
    const stream = streamOf(makeRuntime());
    const first = await stream.fetch(0, 10, null);
    expect(await calls()).toBe(1);
    // The merge consumed 5 of the 10 and stored the chunk's state: the next page starts behind the scroll.
    const second = await stream.fetch(5, 10, first.state);
    expect(second.items.map((c) => c.nativeId)).toEqual(reference.slice(5, 15).map((c) => c.nativeId));
    expect(second.offsets).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // 5–9 from the cache, 10–19 from the scroll's next page.
    expect(await calls()).toBe(2);
    const third = await stream.fetch(15, 5, second.state);
    expect(third.items.map((c) => c.nativeId)).toEqual(reference.slice(15, 20).map((c) => c.nativeId));
    expect(await calls()).toBe(2);
  });

  it('restarts the export and skips ahead when the batch is not cached (another replica)', async () => {
    const stream = streamOf(makeRuntime());
    const first = await stream.fetch(0, 10, null);
    const elsewhere = streamOf(makeRuntime());
    await resetCalls();
    const chunk = await elsewhere.fetch(40, 10, first.state);
    expect(chunk.items.map((c) => c.nativeId)).toEqual(reference.slice(40, 50).map((c) => c.nativeId));
    expect(chunk.offsets?.[0]).toBe(40);
    // One page of 200 covers offset 40.
    expect(await calls()).toBe(1);
  });

  it('restarts the export when the vendor says the scroll expired', async () => {
    // The scrolls' own clock, stepped by the test: the scroll stays valid while the first chunk is
    // read however slow the machine, then expires without a wait.
    let t = Date.now();
    const shortSim = await startCxoneSimulator({ port: 0, now: NOW, seed: 3, scrollTtlMs: 30, scrollClock: () => t });
    try {
      const a = makeRuntime({ url: shortSim.url });
      const first = await streamOf(a).fetch(0, 10, null);
      t += 30;
      shortSim.stats.reset();
      // A fresh runtime has no cached batches, so it must use the (expired) scroll.
      const b = makeRuntime({ url: shortSim.url });
      const chunk = await streamOf(b).fetch(10, 10, first.state);
      expect(chunk.items.map((c) => c.nativeId)).toEqual(reference.slice(10, 20).map((c) => c.nativeId));
      // 410 from the scroll, then a new export.
      expect(shortSim.stats.count(ROUTE)).toBe(2);
    } finally {
      await shortSim.close();
    }
  });

  it('filters by creation time upstream, exactly (total from the vendor)', async () => {
    const sorted = [...reference].sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
    const from = sorted[20]!.createdAt!;
    const to = sorted[59]!.createdAt!;
    const { items, total, perFetch } = await drain(streamOf(makeRuntime(), { createdFrom: from, createdTo: to }), 50);
    expect(items).toHaveLength(40);
    expect(total).toBe(40);
    expect(new Set(items.map((c) => c.nativeId))).toEqual(new Set(sorted.slice(20, 60).map((c) => c.nativeId)));
    expect(perFetch).toEqual([1]);
  });

  it('filters by last update upstream', async () => {
    const from = reference[30]!.updatedAt!;
    const { items, total } = await drain(streamOf(makeRuntime(), { updatedFrom: from }), 100);
    const expected = reference.filter((c) => c.updatedAt!.getTime() >= from.getTime());
    expect(items.map((c) => c.nativeId)).toEqual(expected.map((c) => c.nativeId));
    expect(total).toBe(expected.length);
  });

  it('searches message text upstream, quoting the value safely', async () => {
    const { items } = await drain(streamOf(makeRuntime(), { search: 'columbus' }), 20);
    const expected = reference.filter((c) =>
      (c.embeddedMessages ?? []).some((m) => m.sender === 'END_USER' && (m.text ?? '').toLowerCase().includes('columbus')),
    );
    expect(items.map((c) => c.title)).toContain('#13 Anne Shirley');
    expect(items.map((c) => c.nativeId)).toEqual(expected.map((c) => c.nativeId));
    // Quotes, backslashes and keywords are data, not syntax: no 400, just no match.
    const odd = await streamOf(makeRuntime(), { search: 'x" OR text ~ "a\\' }).fetch(0, 10, null);
    expect(odd).toMatchObject({ items: [], done: true, total: 0 });
  });

  it('filters statuses on our side: vendor offsets, total null, count() by scanning', async () => {
    const active = reference.filter((c) => c.status === 'ACTIVE');
    expect(active.length).toBeGreaterThan(0);
    const stream = streamOf(makeRuntime(), { statuses: ['ACTIVE', 'INTERRUPTED'] });
    const { items, offsets, total } = await drain(stream, 10);
    const expected = reference.map((c, i) => ({ c, i })).filter(({ c }) => c.status === 'ACTIVE' || c.status === 'INTERRUPTED');
    expect(items.map((c) => c.nativeId)).toEqual(expected.map(({ c }) => c.nativeId));
    // The offsets are positions in the (action != handover) export, increasing.
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(total).toBeNull();
    await resetCalls();
    expect(await stream.count()).toBe(expected.length);
    expect(await calls()).toBe(1);
  });

  it('narrows WITH_OPERATOR upstream by the handover action', async () => {
    const expected = reference.filter((c) => c.status === 'WITH_OPERATOR');
    const { items } = await drain(streamOf(makeRuntime(), { statuses: ['WITH_OPERATOR'] }), 50);
    expect(items.map((c) => c.nativeId)).toEqual(expected.map((c) => c.nativeId));
    expect(items.every((c) => c.handoff === 'OPERATOR')).toBe(true);
  });

  it('filters by end user on our side', async () => {
    const customer = reference[3]!.endUserNativeId as string;
    const expected = reference.filter((c) => c.endUserNativeId === customer);
    const { items } = await drain(streamOf(makeRuntime(), { endUserNativeId: customer }), 10);
    expect(items.map((c) => c.nativeId)).toEqual(expected.map((c) => c.nativeId));
  });
});

describe('reads by id', () => {
  it('finds a conversation from its scope with one narrow search, batching the loads of one tick', async () => {
    const ds = makeRuntime().forRequest();
    const [a, b, c] = [reference[0]!, reference[50]!, reference[100]!];
    const got = await Promise.all([
      ds.getConversation(a.nativeId, a.idScope),
      ds.getConversation(b.nativeId, b.idScope),
      ds.getConversation(a.nativeId, a.idScope),
      ds.getConversation(c.nativeId, c.idScope),
      ds.getConversation('chat;missing', a.idScope),
      ds.getConversation(a.nativeId, ['1327', '1']),
    ]);
    expect(got.map((x) => x?.nativeId ?? null)).toEqual([a.nativeId, b.nativeId, a.nativeId, c.nativeId, null, null]);
    expect(await calls()).toBe(1);
    // Cached for the rest of the request.
    await ds.getConversation(b.nativeId, b.idScope);
    expect(await calls()).toBe(1);
  });

  it('answers null without a call for a bot with no token or a malformed scope', async () => {
    const ds = runtime.forRequest();
    expect(await ds.getConversation(reference[0]!.nativeId, ['4242', '1700000000000'])).toBeNull();
    expect(await ds.getConversation(reference[0]!.nativeId, ['1327', 'yesterday'])).toBeNull();
    expect(await ds.getConversation(reference[0]!.nativeId, [])).toBeNull();
    expect(await calls()).toBe(0);
  });

  it('costs nothing after a list in the same request (lists prime the loader)', async () => {
    const ds = makeRuntime().forRequest();
    const [stream] = ds.conversationStreams({}, ['1327']);
    const chunk = await stream!.fetch(0, 5, null);
    expect(await calls()).toBe(1);
    const again = await Promise.all(chunk.items.map((c) => ds.getConversation(c.nativeId, c.idScope)));
    expect(again).toEqual(chunk.items);
    expect(await calls()).toBe(1);
  });

  it('reads messages, a message and an end user from the conversation', async () => {
    const ds = makeRuntime().forRequest();
    const conversation = reference.find((c) => (c.embeddedMessages?.length ?? 0) >= 4) as ConversationModel;
    const all = await ds.listMessages(conversation, 0, 1000);
    expect(all.total).toBe(conversation.embeddedMessages!.length);
    expect(all.items[0]?.sender).toBe('END_USER');
    const page = await ds.listMessages(conversation, 1, 2);
    expect(page.items).toEqual(all.items.slice(1, 3));
    expect(await calls()).toBe(0);

    const target = all.items[2]!;
    const message = await ds.getMessage(target.nativeId, [conversation.nativeId, ...conversation.idScope]);
    expect(message).toMatchObject({ nativeId: target.nativeId, text: target.text, sender: target.sender });
    expect(await ds.getMessage(`${conversation.nativeId}#9999`, [conversation.nativeId, ...conversation.idScope])).toBeNull();
    expect(await ds.getMessage('other#1', [conversation.nativeId, ...conversation.idScope])).toBeNull();

    const endUser = conversation.endUser!;
    expect(await ds.getEndUser(endUser.nativeId, endUser.idScope)).toEqual(endUser);
    expect(await ds.getEndUser('somebody else', endUser.idScope)).toBeNull();
    // The message and the end user share the one read of their conversation.
    expect(await calls()).toBe(1);
  });
});

describe('failures', () => {
  const fast = { timeoutMs: 300, totalBudgetMs: 1_500, maxAttempts: 3 };

  it('5xx → PROVIDER_UNAVAILABLE after the retries', async () => {
    sim.faults.set({ errorRate: 1, errorStatus: 503 });
    const error = await caught(streamOf(makeRuntime({ upstream: fast })).fetch(0, 5, null));
    expectClean(error, ErrorCode.PROVIDER_UNAVAILABLE);
    expect(await calls()).toBe(3);
  });

  it('a hang → PROVIDER_TIMEOUT within the budget', async () => {
    sim.faults.set({ hangRate: 1 });
    const started = Date.now();
    const error = await caught(
      makeRuntime({ upstream: { timeoutMs: 300, totalBudgetMs: 700, maxAttempts: 3 } })
        .forRequest()
        .getConversation(reference[0]!.nativeId, reference[0]!.idScope),
    );
    expectClean(error, ErrorCode.PROVIDER_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await calls()).toBeGreaterThanOrEqual(2);
  });

  it('malformed JSON → PROVIDER_BAD_RESPONSE, not retried', async () => {
    sim.faults.set({ malformedRate: 1 });
    const error = await caught(streamOf(makeRuntime({ upstream: fast })).fetch(0, 5, null));
    expectClean(error, ErrorCode.PROVIDER_BAD_RESPONSE);
    expect(await calls()).toBe(1);
  });

  it('a wrong token → PROVIDER_AUTH_FAILED, and the token appears in no error or log line', async () => {
    const rt = makeRuntime({ tokens: { '1327': 'wrong-token' } });
    const error = await caught(streamOf(rt).fetch(0, 5, null));
    expectClean(error, ErrorCode.PROVIDER_AUTH_FAILED);
    expect(await rt.forRequest().health()).toBe(false);
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    expect(logs).not.toContain('wrong-token');
    for (const token of Object.values(sim.tokens)) expect(logs).not.toContain(token);
    expect(logs).not.toContain('token=');
  });

  it('429 → retried after Retry-After, then PROVIDER_RATE_LIMITED', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 0 });
    const error = await caught(streamOf(makeRuntime({ upstream: fast })).fetch(0, 5, null));
    expectClean(error, ErrorCode.PROVIDER_RATE_LIMITED);
    expect(await calls()).toBe(3);
  });

  it('429 → success when a later attempt passes', async () => {
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 1 });
    const pending = streamOf(makeRuntime({ upstream: { timeoutMs: 1_000, totalBudgetMs: 4_000, maxAttempts: 3 } })).fetch(0, 5, null);
    // The first attempt got its 429 (a fixed pause could end before it, on a loaded machine); the
    // retry comes a second later, after the fault is gone.
    await waitFor(async () => (await calls()) >= 1, 'the first, rate-limited attempt', 5_000, 10);
    sim.faults.clear();
    const chunk = await pending;
    expect(chunk.items.map((c) => c.nativeId)).toEqual(reference.slice(0, 5).map((c) => c.nativeId));
    expect(await calls()).toBe(2);
  });
});
