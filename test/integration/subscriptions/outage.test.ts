/**
 * A vendor outage during a subscription: the stream stays open (no error, no complete) while the
 * poller fails and backs off, and events flow again once the vendor is back; a 429's Retry-After
 * is honoured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, sleep, subscribed, waitFor, wsClient } from '../../helpers/live.js';
import { FAST_POLLS, SUB_CONVERSATIONS, SUB_HANDOFFS, botoneApi, conversationsOf, pool, type Conv } from './support.js';

/** Bot.one has no webhooks: what a subscriber sees comes from the poller alone. */
const LIST = 'GET /api/v2/conversations';

let bg: TestBotgraph;
let active: ReturnType<typeof pool<Conv>>;
const client = () => {
  const c = wsClient(bg);
  clients.push(c);
  return c;
};
const clients: ReturnType<typeof wsClient>[] = [];

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'botone', UPSTREAM_MAX_ATTEMPTS: '1' });
  active = pool(await conversationsOf(bg, 'BOTONE', ['ACTIVE'], 100));
});

afterAll(async () => {
  bg.sim('BOTONE').faults.clear();
  await Promise.all(clients.map(async (c) => c.dispose()));
});

const polls = () => bg.app.live.pollers.snapshot().reduce((n, p) => n + p.polls, 0);

describe('a vendor outage', () => {
  it('503s keep the subscription open; events arrive again after recovery', async () => {
    const c = client();
    const updates = collect<Conv>(c, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'] } });
    const handoffs = collect<Conv>(c, SUB_HANDOFFS, { p: ['BOTONE'] });
    await subscribed(bg, 2, 'conv:BOTONE:1446');
    await waitFor(() => bg.app.live.pollers.snapshot().every((p) => p.polls >= 2), 'first polls');

    const sim = bg.sim('BOTONE');
    sim.faults.set({ errorRate: 1, errorStatus: 503, routes: [LIST] });
    await bg.resetStats();
    const during = active.take();
    await botoneApi(bg, 'POST', `/api/v2/conversation/${during.nativeId}/stop`);
    // The pollers keep trying (and failing), the streams stay open and see nothing.
    await waitFor(async () => ((await bg.stats('BOTONE')).routes[LIST] ?? 0) >= 3, 'three failed polls', 10_000);
    expect(updates.error).toBeUndefined();
    expect(updates.completed).toBe(false);
    expect(handoffs.error).toBeUndefined();
    expect(handoffs.completed).toBe(false);
    expect(updates.events.some((e) => e.id === during.id)).toBe(false);
    expect(bg.app.live.pollers.snapshot().every((p) => p.subscribers === 2)).toBe(true);

    sim.faults.clear();
    const back = Date.now();
    // The change made during the outage is found by the first poll that succeeds.
    await updates.waitFor((es) => es.some((e) => e.id === during.id), 'the change made during the outage', 8_000);
    await handoffs.waitFor((es) => es.some((e) => e.id === during.id), 'its handoffRequested', 2_000);
    console.info(`[measure] 503 outage: the change made during it arrived ${Date.now() - back} ms after recovery (back-off)`);
    // And new changes flow at the normal pace again.
    const next = active.take();
    await botoneApi(bg, 'POST', `/api/v2/conversation/${next.nativeId}/stop`);
    await updates.waitFor((es) => es.some((e) => e.id === next.id), 'a change after recovery', 2_000);
    expect(updates.error).toBeUndefined();
    expect(updates.completed).toBe(false);
    for (const s of [updates, handoffs]) s.stop();
  });

  it('a 429 with Retry-After backs the poller off for that long', async () => {
    await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'no pollers', 5_000);
    const c = client();
    const updates = collect<Conv>(c, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'], botIds: [await bot1446()] } });
    await subscribed(bg, 1, 'conv:BOTONE:1446');
    await waitFor(() => polls() >= 2, 'first polls');

    const sim = bg.sim('BOTONE');
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 2, routes: [LIST] });
    await bg.resetStats();
    const p0 = polls();
    // A rate window: reads in 3 s against a 2 s Retry-After (1 or 2). The bound of 3 leaves room
    // for the window to stretch on a loaded machine.
    await sleep(3_000);
    const limited = (await bg.stats('BOTONE')).routes[LIST] ?? 0;
    const limitedPolls = polls() - p0;
    // Without honouring Retry-After this would be ~15 reads (one per 200 ms); with it, one per 2 s.
    expect(limited).toBeGreaterThanOrEqual(1);
    expect(limited).toBeLessThanOrEqual(3);
    expect(limitedPolls).toBeLessThanOrEqual(3);
    expect(updates.error).toBeUndefined();
    expect(updates.completed).toBe(false);
    console.info(`[measure] 429 Retry-After 2 s: ${limited} upstream reads in 3 s (15 without back-off)`);

    sim.faults.clear();
    const conv = active.take((x) => x.bot?.nativeId === '1446');
    await botoneApi(bg, 'POST', `/api/v2/conversation/${conv.nativeId}/stop`);
    await updates.waitFor((es) => es.some((e) => e.id === conv.id), 'an event after the rate limit lifted', 5_000);
    updates.stop();
  });
});

async function bot1446(): Promise<string> {
  const res = await bg.gql(`{ bots(providers: [BOTONE]) { id nativeId } }`);
  return res.data.bots.find((b: { nativeId: string }) => b.nativeId === '1446').id;
}
