/**
 * One shared poller per topic: upstream reads per poll interval follow the number of distinct
 * topics, never the number of subscribers; the poller stops once the last subscriber left.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, sleep, subscribed, waitFor, wsClient, type Collected } from '../../helpers/live.js';
import { FAST_POLLS, SUB_MESSAGES, conversationsOf, type Conv } from './support.js';

const INTERVAL = Number(FAST_POLLS.POLL_INTERVAL_MS);
const WINDOW_MS = 2_000;
/** The default WS_MAX_SUBSCRIPTIONS: 200 subscribers need 8 sockets. */
const PER_SOCKET = 25;

let bg: TestBotgraph;
let x: Conv;
let y: Conv;
/** Every client a test opened; closed after it, passed or failed, so the next test starts with no poller. */
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map(async (c) => c.dispose()));
  await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'every poller to stop', 3_000);
});

beforeAll(async () => {
  // 200 subscribers from one address in a moment: more than the per-principal operation rate allows.
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer', RATE_LIMIT_OPS_PER_SECOND: '0' });
  [x, y] = (await conversationsOf(bg, 'CLOSER', ['COMPLETED'], 2)) as [Conv, Conv];
});

const pollsOf = (topic: string): number => bg.app.live.pollers.snapshot().find((p) => p.topic === topic)?.polls ?? 0;

/**
 * Upstream requests (at the simulator) and polls (the pollers' own counters) over one window.
 * Both counters are read between polls, so that no poll straddles the edges.
 */
async function measure(topics: string[]): Promise<{ requests: number; polls: number; routes: Record<string, number> }> {
  const total = () => topics.reduce((n, t) => n + pollsOf(t), 0);
  // Start right after a poll counted: the request it makes follows within a millisecond or two.
  const settle = async () => {
    const p = total();
    await waitFor(() => total() > p, 'a poll');
    // Past the request that poll makes (a millisecond or two); longer only shifts the window.
    await sleep(40);
  };
  await settle();
  await bg.resetStats();
  const p0 = total();
  // A rate window: requests per time, so the time is the measure (both counters are read at its ends).
  await sleep(WINDOW_MS - 40);
  await settle();
  const p1 = total();
  const stats = await bg.stats('CLOSER');
  return { requests: stats.total, polls: p1 - p0, routes: Object.fromEntries(Object.entries(stats.routes).filter(([, n]) => n > 0)) };
}

async function subscribeMany(conv: Conv, n: number): Promise<{ clients: Client[]; subs: Array<Collected<unknown>> }> {
  const mine: Client[] = [];
  const subs: Array<Collected<unknown>> = [];
  for (let i = 0; i < n; i++) {
    if (i % PER_SOCKET === 0) {
      clients.push(wsClient(bg));
      mine.push(clients.at(-1)!);
    }
    subs.push(collect(mine.at(-1)!, SUB_MESSAGES, { id: conv.id }));
  }
  return { clients: mine, subs };
}

describe('poll count', () => {
  const results: Record<string, { requests: number; polls: number; perInterval: number }> = {};

  it('is one upstream read per poll interval per topic with 1 subscriber and with 200', async () => {
    const topic = `msg:CLOSER:${x.nativeId}`;
    const one = await subscribeMany(x, 1);
    await subscribed(bg, 1, topic);
    const m1 = await measure([topic]);

    const more = await subscribeMany(x, 199);
    await subscribed(bg, 200, topic, 10_000);
    // Every subscription was accepted (25 on each socket is within the limit) and none ended.
    expect([...one.subs, ...more.subs].every((s) => s.error === undefined && !s.completed)).toBe(true);
    expect(bg.app.live.pollers.snapshot()).toEqual([{ topic, subscribers: 200, polls: expect.any(Number) }]);
    const m200 = await measure([topic]);

    for (const [name, m] of [
      ['1', m1],
      ['200', m200],
    ] as const) {
      results[name] = { ...m, perInterval: m.requests / (WINDOW_MS / INTERVAL) };
      // Each poll is one read of the conversation's messages, nothing else (±1: a request in
      // flight at an edge of the window is counted on one side only).
      expect(Math.abs(m.requests - m.polls), `${name} subscriber(s): ${JSON.stringify(m)}`).toBeLessThanOrEqual(1);
      expect(Object.keys(m.routes).filter((r) => m.routes[r]! > 0)).toEqual(['GET /openapi/conversation/:id/message']);
      // And the poller keeps its pace: about one poll per interval (polls take a little time too).
      expect(m.polls).toBeGreaterThanOrEqual(Math.floor((WINDOW_MS / INTERVAL) * 0.5));
      expect(m.polls).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / INTERVAL) + 1);
    }
    expect(Math.abs(m200.requests - m1.requests)).toBeLessThanOrEqual(2);
    console.info(`[measure] 1 subscriber: ${JSON.stringify(results['1'])}; 200 subscribers: ${JSON.stringify(results['200'])}`);

    // Two distinct topics: twice the reads, each topic still read once per poll.
    const other = await subscribeMany(y, 3);
    const topicY = `msg:CLOSER:${y.nativeId}`;
    await subscribed(bg, 3, topicY);
    const m2 = await measure([topic, topicY]);
    expect(Math.abs(m2.requests - m2.polls), JSON.stringify(m2)).toBeLessThanOrEqual(2);
    expect(
      bg.app.live.pollers
        .snapshot()
        .map((p) => p.topic)
        .sort(),
    ).toEqual([topic, topicY].sort());
    const ratio = m2.requests / m1.requests;
    expect(ratio).toBeGreaterThan(1.6);
    expect(ratio).toBeLessThan(2.4);
    console.info(`[measure] 2 topics: ${JSON.stringify(m2)} (×${ratio.toFixed(2)} of one topic)`);

    // The last unsubscribe stops the poller after the grace period: no more upstream reads.
    const left = Date.now();
    await Promise.all([...one.clients, ...more.clients, ...other.clients].map(async (c) => c.dispose()));
    await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'every poller to stop', 3_000);
    const stoppedAfter = Date.now() - left;
    expect(stoppedAfter).toBeGreaterThanOrEqual(Number(FAST_POLLS.POLL_GRACE_MS) - 50);
    await bg.resetStats();
    // Four intervals of a stopped poller: with no poller left there is no later poll to wait for,
    // and a longer wait (a loaded machine) can only catch more, never fail a correct stop.
    await sleep(INTERVAL * 4);
    expect((await bg.stats('CLOSER')).total).toBe(0);
    expect(bg.app.live.pollers.snapshot()).toEqual([]);
    console.info(`[measure] pollers stopped ${stoppedAfter} ms after the last unsubscribe (grace ${FAST_POLLS.POLL_GRACE_MS} ms)`);
  }, 40_000);

  it('a subscriber coming back within the grace period keeps the same poller', async () => {
    const topic = `msg:CLOSER:${x.nativeId}`;
    const c = wsClient(bg);
    clients.push(c);
    const first = collect(c, SUB_MESSAGES, { id: x.id });
    await subscribed(bg, 1, topic);
    await waitFor(() => pollsOf(topic) >= 2, 'two polls');
    first.stop();
    await waitFor(() => bg.app.live.pollers.snapshot()[0]?.subscribers === 0, 'the unsubscribe');
    const before = pollsOf(topic);
    collect(c, SUB_MESSAGES, { id: x.id });
    await subscribed(bg, 1, topic);
    // A time-based expiry: past the grace period, when a stopped poller would have been replaced;
    // a longer wait only makes the check stronger.
    await sleep(Number(FAST_POLLS.POLL_GRACE_MS) + INTERVAL * 2);
    // Not restarted: the counter went on from where it was.
    expect(pollsOf(topic)).toBeGreaterThan(before);
    expect(bg.app.live.pollers.snapshot()).toHaveLength(1);
    await c.dispose();
    await waitFor(() => bg.app.live.pollers.snapshot().length === 0, 'the poller to stop', 3_000);
  });
});
