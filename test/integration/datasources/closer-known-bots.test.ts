/**
 * A first page of CLOSER conversations reads each bot's own list with the bot list, not after it:
 * the bots the process's last bot list named are read at once, and the bot list stays the authority
 * on which streams there are (docs/providers/closer.md, "Conversation streams"). Against the
 * simulator, whose stats count every call; shown without timing: the bot list is held back, and
 * the per-bot lists still arrive while it is held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderRuntime } from '../../../src/datasources/types.js';
import { createCloserRuntime } from '../../../src/providers/closer/index.js';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { waitFor } from '../../helpers/wait.js';

const BOTS = 'GET /openapi/bot';
const PER_BOT = 'GET /openapi/bot/:botId/conversation';
/** The merge's first read of each stream for `first: 10` (src/pagination/merge.ts, readSize). */
const HEAD_READ = 10;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function start(): Promise<{ sim: CloserSimulator; runtime: ProviderRuntime }> {
  const sim = await startCloserSimulator({ seed: 1, now: Date.parse('2026-11-21T09:00:00Z') });
  const runtime = createCloserRuntime({
    config: { baseUrl: sim.url, apiKey: sim.apiKey, webhookSecret: null },
    // The held bot list must not time out: 3 s of latency against a 10 s attempt timeout.
    upstream: { timeoutMs: 10_000, totalBudgetMs: 20_000, maxAttempts: 3, baseDelayMs: 5 },
    mode: 'SIMULATOR',
  });
  cleanup.push(async () => {
    await runtime.close();
    await sim.close();
  });
  return { sim, runtime };
}

/** A first page's streams and their heads, as the merge reads them. */
/** The routes called since the last reset, without the zeros. */
function calls(sim: CloserSimulator): Record<string, number> {
  return Object.fromEntries(Object.entries(sim.stats.snapshot().routes).filter(([, n]) => n > 0));
}

async function firstPage(runtime: ProviderRuntime): Promise<string[]> {
  const streams = await runtime.forRequest().listStreams!({}, null, HEAD_READ);
  const heads = await Promise.all(streams.map((s) => s.fetch(0, HEAD_READ, null, { after: null })));
  return heads.flatMap((h) => h.items.map((c) => c.nativeId));
}

describe('CLOSER per-bot lists and the bot list', () => {
  it('the first list of a process reads the bot list, then each bot; a later one reads them together', async () => {
    const { sim, runtime } = await start();
    const first = await firstPage(runtime);
    expect(calls(sim)).toEqual({ [BOTS]: 1, [PER_BOT]: sim.botIds.length });

    sim.stats.reset();
    sim.faults.set({ latencyMs: 3_000, routes: [BOTS] });
    const later = firstPage(runtime);
    // Every bot's list is asked for while the bot list is still held.
    await waitFor(
      () => sim.stats.count(PER_BOT) === sim.botIds.length && sim.stats.count(BOTS) === 1,
      'the per-bot lists while the bot list is held',
      2_500,
    );
    expect(await later).toEqual(first);
    sim.faults.clear();
    // And no list twice: the streams' reads took the ones already made.
    expect(calls(sim)).toEqual({ [BOTS]: 1, [PER_BOT]: sim.botIds.length });
  });

  it('a later page, or a list restricted to bots, reads as before', async () => {
    const { sim, runtime } = await start();
    await firstPage(runtime);
    sim.stats.reset();
    await runtime.forRequest().listStreams!({}, null);
    expect(calls(sim)).toEqual({ [BOTS]: 1 });
    sim.stats.reset();
    await runtime.forRequest().listStreams!({}, [sim.botIds[0]!], HEAD_READ);
    expect(calls(sim)).toEqual({});
  });

  it('a bot the bot list no longer names: its read is dropped, and the next list does not make it', async () => {
    const { sim, runtime } = await start();
    await firstPage(runtime);
    const known = [...sim.botIds];
    const [gone, ...kept] = known;
    sim.console.deleteBot(gone!);
    sim.stats.reset();
    const streams = await runtime.forRequest().listStreams!({}, null, HEAD_READ);
    expect(streams.map((s) => s.key)).toEqual(kept.map((b) => `CLOSER:${b}`).sort());
    await Promise.all(streams.map((s) => s.fetch(0, HEAD_READ, null, { after: null })));
    // Every known bot's list was read on the guess, the deleted one's too (one call, whatever it
    // answered), and the streams' reads took the others.
    expect(calls(sim)).toEqual({ [BOTS]: 1, [PER_BOT]: known.length });

    sim.stats.reset();
    await firstPage(runtime);
    expect(calls(sim)).toEqual({ [BOTS]: 1, [PER_BOT]: kept.length });
  });

  it('a per-bot list that fails on the guess fails its stream, without being read again', async () => {
    const { sim, runtime } = await start();
    await firstPage(runtime);
    sim.faults.set({ errorRate: 1, errorStatus: 503, routes: [PER_BOT] });
    sim.stats.reset();
    const streams = await runtime.forRequest().listStreams!({}, null, HEAD_READ);
    // The guesses have failed (every attempt made) before the streams read.
    await waitFor(() => sim.stats.count(PER_BOT) === 3 * sim.botIds.length, 'every attempt of the guessed reads', 5_000);
    await new Promise((resolve) => setImmediate(resolve));
    const heads = await Promise.allSettled(streams.map((s) => s.fetch(0, HEAD_READ, null, { after: null })));
    sim.faults.clear();
    expect(heads.map((h) => h.status)).toEqual(streams.map(() => 'rejected'));
    // Each bot's list tried 3 times (the default attempts), on the guess; its stream took that failure.
    expect(calls(sim)).toEqual({ [BOTS]: 1, [PER_BOT]: 3 * sim.botIds.length });
  });

  it('a failing bot list fails the list after its guessed reads ended, and the next list guesses nothing', async () => {
    const { sim, runtime } = await start();
    await firstPage(runtime);
    sim.faults.set({ errorRate: 1, errorStatus: 503, routes: [BOTS] });
    sim.stats.reset();
    await expect(runtime.forRequest().listStreams!({}, null, HEAD_READ)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    // The bot list tried 3 times; each known bot's list was read once, on the guess.
    expect(calls(sim)).toEqual({ [BOTS]: 3, [PER_BOT]: sim.botIds.length });

    sim.stats.reset();
    await expect(runtime.forRequest().listStreams!({}, null, HEAD_READ)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(calls(sim)).toEqual({ [BOTS]: 3 });
    sim.faults.clear();
  });
});
