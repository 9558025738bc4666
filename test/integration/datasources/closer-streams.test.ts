/**
 * CLOSER's list streams against the simulator: one per bot on `GET /openapi/bot/{botId}/conversation`
 * (the document: "특정 챗봇의 대화 리스트 가져오기", a given chatbot's conversation list), read by
 * keyset with `updatedTo` (docs/providers/closer.md: "every `…From`/`…To` … bound is **inclusive**";
 * "List order: conversations … `updatedAt` descending, then `id` descending"), one call per read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKeysets, keysetOf } from '../../../src/datasources/base.js';
import type { ConversationStream, ProviderRuntime } from '../../../src/datasources/types.js';
import type { ConversationModel } from '../../../src/models.js';
import { createCloserRuntime } from '../../../src/providers/closer/index.js';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';

let sim: CloserSimulator;
let runtime: ProviderRuntime;

beforeAll(async () => {
  sim = await startCloserSimulator({ seed: 1, now: Date.parse('2026-11-21T09:00:00Z') });
  runtime = createCloserRuntime({
    config: { baseUrl: sim.url, apiKey: sim.apiKey, webhookSecret: null },
    upstream: { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3, baseDelayMs: 5 },
    mode: 'SIMULATOR',
  });
});
afterAll(async () => {
  await runtime.close();
  await sim.close();
});

async function routes(): Promise<Record<string, number>> {
  const body = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { routes: Record<string, number> };
  return Object.fromEntries(Object.entries(body.routes).filter(([, n]) => n > 0));
}
async function reset(): Promise<void> {
  await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
}

describe('CLOSER list streams', () => {
  it('one stream per bot, after one bot-list read; pollers and stats keep the one all-bots stream', async () => {
    const ds = runtime.forRequest();
    await reset();
    const streams = await ds.listStreams!({}, null);
    expect(streams.map((s) => s.key)).toEqual(sim.botIds.map((b) => `CLOSER:${b}`).sort());
    expect(await routes()).toEqual({ 'GET /openapi/bot': 1 });
    expect(ds.conversationStreams({}, null).map((s) => s.key)).toEqual(['CLOSER']);
    // An end user's conversations: one call for every bot (the end user's bot is not known).
    expect((await ds.listStreams!({ endUserNativeId: 'x' }, null)).map((s) => s.key)).toEqual(['CLOSER']);
    // Asked for bots: no bot-list read.
    await reset();
    const [bot] = sim.botIds;
    expect((await runtime.forRequest().listStreams!({ statuses: ['ACTIVE'] }, [bot!])).map((s) => s.key)).toEqual([`CLOSER:${bot}:ACTIVE`]);
    expect(await routes()).toEqual({});
  });

  it('pages one bot by keyset to its end: every conversation once, in order, one call per read', async () => {
    const bot = sim.botIds[1]!;
    const expected = sim.store.listConversations({ botIds: [bot] }).map((c) => c.id);
    const stream = (await runtime.forRequest().listStreams!({}, [bot]))[0] as ConversationStream;
    const tie = stream.tieKey!;
    await reset();
    const seen: ConversationModel[] = [];
    let reads = 0;
    for (;;) {
      const after = seen.length ? keysetOf(seen.at(-1)!, tie) : null;
      const chunk = await stream.fetch(0, 17, null, { after });
      reads += 1;
      seen.push(...chunk.items);
      if (chunk.done) break;
      expect(chunk.items).toHaveLength(17);
    }
    expect(seen.map((c) => c.nativeId)).toEqual(expected);
    for (let i = 1; i < seen.length; i++) expect(compareKeysets(keysetOf(seen[i - 1]!, tie), keysetOf(seen[i]!, tie))).toBeLessThan(0);
    // ⌈n / 17⌉ reads (the last may be the one that finds the end), each one call to the bot's own list.
    expect(reads).toBe(Math.ceil(expected.length / 17) + (expected.length % 17 === 0 ? 1 : 0));
    expect(await routes()).toEqual({ 'GET /openapi/bot/:botId/conversation': reads });
  });

  it('a catch-up read asks for what changed since a time and existed then (updatedFrom, createdTo)', async () => {
    const bot = sim.botIds[0]!;
    const all = sim.store.listConversations({ botIds: [bot] });
    const since = Date.parse(all[10]!.updatedAt);
    const createdTo = Date.parse(all[3]!.createdAt);
    const stream = (await runtime.forRequest().listStreams!({}, [bot]))[0] as ConversationStream;
    const chunk = await stream.fetch(0, 100, null, { after: null, since: { updatedFrom: since, createdTo } });
    const wanted = all.filter((c) => Date.parse(c.updatedAt) >= since && Date.parse(c.createdAt) <= createdTo).map((c) => c.id);
    expect(wanted.length).toBeGreaterThan(0);
    expect(chunk.items.map((c) => c.nativeId)).toEqual(wanted);
    expect(chunk.done).toBe(true);
  });
});
