/**
 * `conversationStatsChanged` over a real graphql-ws socket: the first event is the whole result,
 * then the groups that changed, after a mutation (announced at once) and after a change made
 * behind botgraph's back at the vendor (seen by the shared poller). Subscribers with the same
 * arguments share one cohort: one computation per change, whatever their number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor, wsClient } from '../../helpers/live.js';
import { FAST_POLLS } from '../subscriptions/support.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';

const SUB = `subscription($f: ConversationFilter, $g: [StatsDimension!]) {
  conversationStatsChanged(filter: $f, groupBy: $g) { total exact groups { key { status } count exact completionRate } } }`;

let bg: TestBotgraph;
const clients: Client[] = [];
beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'botone' });
});
afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
});

const countOf = (event: any, status: string): number | undefined => event.groups.find((g: any) => g.key.status === status)?.count;

async function activeConversations(n: number): Promise<Array<{ id: string; nativeId: string }>> {
  const res = await bg.gql(`query($f: ConversationFilter) { conversations(first: ${n}, filter: $f) { nodes { id nativeId } } }`, {
    f: { providers: ['BOTONE'], statuses: ['ACTIVE'], createdFrom: new Date(Date.now() - 20 * 86_400_000).toISOString() },
  });
  expect(res.errors).toBeUndefined();
  return res.data.conversations.nodes;
}

describe('conversationStatsChanged', () => {
  it('pushes the changed groups after a mutation and after a polled change; 3 subscribers share one cohort', async () => {
    const [a, b] = await activeConversations(2);
    expect(b).toBeDefined();
    const client = wsClient(bg);
    clients.push(client);
    const variables = { f: { providers: ['BOTONE'] }, g: ['STATUS'] };
    const subs = [0, 1, 2].map(() => collect<any>(client, SUB, variables));
    await Promise.all(subs.map((s) => s.waitFor((e) => e.length >= 1, 'the first result')));
    const [first] = subs[0]!.events;
    for (const s of subs) expect(s.events[0]).toEqual(first);
    const active = countOf(first, 'ACTIVE')!;
    const operator = countOf(first, 'WITH_OPERATOR') ?? 0;
    expect(active).toBeGreaterThan(1);
    expect(first.exact).toBe(true);
    // One cohort, one computation so far. (The WebSocket layer already runs identical subscriptions
    // once per cohort, so the stats service may see the three as one subscriber.)
    const cohorts = bg.app.stats.cohortSnapshot();
    expect(cohorts).toEqual([expect.objectContaining({ computations: 1 })]);
    expect(cohorts[0]!.subscribers).toBeGreaterThanOrEqual(1);
    await subscribed(bg, 3, 'conv:BOTONE');

    // 1. A mutation: announced on the bus at once.
    const m = await bg.gql(`mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { status } } }`, { id: a!.id });
    expect(m.errors).toBeUndefined();
    const afterMutation = await subs[0]!.waitFor(
      (e) => e.some((x) => countOf(x, 'WITH_OPERATOR') === operator + 1),
      'the WITH_OPERATOR group to grow after the mutation',
    );
    const delta = afterMutation.find((x) => countOf(x, 'WITH_OPERATOR') === operator + 1);
    // Only the changed groups: ACTIVE and WITH_OPERATOR.
    expect(delta.groups.map((g: any) => g.key.status).sort()).toEqual(['ACTIVE', 'WITH_OPERATOR']);
    expect(countOf(delta, 'ACTIVE')).toBe(active - 1);
    expect(delta.total).toBe(first.total);

    // 2. A change behind botgraph's back: the vendor's own stop endpoint, seen by the poller.
    const sim = bg.sim('BOTONE') as BotoneSimulator;
    const res = await fetch(`${sim.url}/api/v2/conversation/${b!.nativeId}/stop`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}` },
    });
    expect(res.status).toBe(204);
    await subs[2]!.waitFor((e) => e.some((x) => countOf(x, 'WITH_OPERATOR') === operator + 2), 'the polled change', 10_000);
    for (const s of subs.slice(0, 2))
      await s.waitFor((e) => e.some((x) => countOf(x, 'WITH_OPERATOR') === operator + 2), 'every subscriber to get it');
    // Every subscriber got the same events; each change was computed once for all three.
    expect(subs[1]!.events).toEqual(subs[0]!.events);
    const [cohort] = bg.app.stats.cohortSnapshot();
    expect(cohort!.computations).toBeLessThanOrEqual(subs[0]!.events.length + 1);

    // Leaving: the cohort goes when its last subscriber does.
    for (const s of subs) s.stop();
    await waitFor(() => bg.app.stats.cohortSnapshot().length === 0, 'the cohort to close');
  });

  it('bad input is refused on subscribe, as on HTTP', async () => {
    const client = wsClient(bg);
    clients.push(client);
    const sub = collect<any>(client, `subscription { conversationStatsChanged(timezone: "Nowhere/Land") { total } }`);
    await sub.ended();
    expect(JSON.stringify(sub.error)).toContain('BAD_USER_INPUT');
  });
});
