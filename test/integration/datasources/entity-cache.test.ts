/**
 * The shared entity cache (CACHE_TTL_MS, src/datasources/cache.ts) over real HTTP against the
 * simulators, upstream calls counted at the simulators' `/__sim/stats`: a repeated query within the
 * TTL costs no call, and a read after botgraph's own write, or after a change the pollers saw, is
 * fresh at once (the TTL is long: ./cache-support.ts).
 */
import { describe, expect, it } from 'vitest';
import { upstreamCallsOf } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor } from '../../helpers/live.js';
import { SUB_CONVERSATIONS, botoneApi, conversationsOf, type Conv } from '../subscriptions/support.js';
import { wsOnce } from '../security/support.js';
import { INBOX, NODE, SEND, cachedBotgraph } from './cache-support.js';

const rig = cachedBotgraph();

describe('the entity cache, CACHE_TTL_MS on', () => {
  it('a repeated inbox within the TTL costs 0 upstream calls, and says how old its data is', async () => {
    let first: any;
    const cold = await upstreamCallsOf(rig.bg, async () => (first = await rig.bg.gql(INBOX)));
    expect(first.errors).toBeUndefined();
    expect(cold.CLOSER + cold.BOTONE + cold.CXONE).toBeGreaterThan(0);
    expect(first.extensions.freshness.cachedReads).toBe(0);

    let again: any;
    const warm = await upstreamCallsOf(rig.bg, async () => (again = await rig.bg.gql(INBOX)));
    expect(warm).toEqual({ CLOSER: 0, BOTONE: 0, CXONE: 0, total: 0 });
    expect(again.data).toEqual(first.data);
    expect(again.extensions.freshness.cachedReads).toBeGreaterThan(0);
    // The data is as old as the first request's reads: fetchedAt did not move.
    expect(again.extensions.freshness.fetchedAt).toBe(first.extensions.freshness.fetchedAt);
    for (const node of again.data.conversations.nodes) {
      expect(Date.parse(node.fetchedAt)).toBeGreaterThanOrEqual(Date.parse(first.extensions.freshness.fetchedAt));
      expect(Date.parse(node.fetchedAt)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('a query over WebSocket says how old its data is, as over HTTP', async () => {
    const overHttp = await rig.bg.gql(INBOX);
    const overWs = (await wsOnce(rig.client, INBOX)).results[0];
    expect(overWs?.errors).toBeUndefined();
    expect(overWs?.data).toEqual(overHttp.data);
    // Within the TTL both used the same kept reads: the same age, every read from the cache.
    expect(overWs?.extensions?.freshness).toEqual({ fetchedAt: overHttp.extensions?.freshness.fetchedAt, cachedReads: expect.any(Number) });
    expect((overWs?.extensions?.freshness as { cachedReads: number }).cachedReads).toBeGreaterThan(0);
  });

  it('a read after sendMessage is fresh at once, and only the written provider is read again', async () => {
    const [conv] = (await conversationsOf(rig.bg, 'CLOSER', ['ACTIVE'], 5)) as [Conv];
    await rig.bg.gql(NODE, { id: conv.id });
    await rig.bg.gql(INBOX);
    const warm = await upstreamCallsOf(rig.bg, () => rig.bg.gql(NODE, { id: conv.id }));
    expect(warm.CLOSER).toBe(0);

    const text = `cache test ${Date.now()}`;
    const sent = await rig.bg.gql(SEND, { id: conv.id, text });
    expect(sent.errors).toBeUndefined();

    let after: any;
    const calls = await upstreamCallsOf(rig.bg, async () => (after = await rig.bg.gql(NODE, { id: conv.id })));
    expect(after.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
    expect(calls.CLOSER).toBeGreaterThan(0);
    // The write dropped CLOSER's entries only: the other providers' part of the inbox is still kept.
    const inbox = await upstreamCallsOf(rig.bg, () => rig.bg.gql(INBOX));
    expect(inbox.CLOSER).toBeGreaterThan(0);
    expect(inbox.BOTONE + inbox.CXONE).toBe(0);
  });

  it('a change made behind botgraph’s back is fresh as soon as a poller has seen it', async () => {
    const conv = (await conversationsOf(rig.bg, 'BOTONE', ['ACTIVE'], 20)).find((c) => c.handoff === 'BOT' && c.bot) as Conv;
    expect(conv).toBeDefined();
    const before = await rig.bg.gql(NODE, { id: conv.id });
    expect(before.data.node.handoff).toBe('BOT');
    // Kept: the same read again costs nothing.
    expect((await upstreamCallsOf(rig.bg, () => rig.bg.gql(NODE, { id: conv.id }))).BOTONE).toBe(0);

    const updates = collect<Conv>(rig.client, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'] } }, 'conversationUpdated');
    await subscribed(rig.bg, 1, `conv:BOTONE:${conv.bot!.nativeId}`);
    // Behind botgraph's back: the vendor's own API, as an operator console would.
    await botoneApi(rig.bg, 'POST', `/api/v2/conversation/${conv.nativeId}/stop`);
    await updates.waitFor((events) => events.some((e) => e.id === conv.id && e.handoff !== 'BOT'), 'the poller to see the handoff', 10_000);
    updates.stop();

    let after: any;
    const calls = await upstreamCallsOf(rig.bg, async () => (after = await rig.bg.gql(NODE, { id: conv.id })));
    expect(after.data.node.handoff).not.toBe('BOT');
    expect(calls.BOTONE).toBeGreaterThan(0);
  });

  it('a health probe always asks the vendor', async () => {
    const query = `{ providers { provider healthy } }`;
    // The previous test's poller (in its grace period) would add its own reads to the count.
    await waitFor(() => rig.bg.app.live.pollers.snapshot().length === 0, 'the pollers to stop', 5_000);
    await rig.bg.gql(query);
    const calls = await upstreamCallsOf(rig.bg, () => rig.bg.gql(query));
    expect(calls).toEqual({ CLOSER: 1, BOTONE: 1, CXONE: 1, total: 3 });
  });
});
