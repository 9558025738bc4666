/**
 * The cost limit applies to stats with the weight of their upstream budget (src/stats/cost.ts):
 * `WEIGHTS.UPSTREAM × STATS_MAX_CALLS`. Over the limit, a stats query or subscription is refused
 * before it runs, on HTTP and WebSocket, with 0 upstream calls; `StatsKey.bot` weighs like an
 * object (bots are resolved once per provider, not once per group).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, wsClient } from '../../helpers/live.js';
import { upstreamCalls } from '../security/support.js';
import { WEIGHTS } from '../../../src/limits/cost.js';

const MAX_CALLS = 40;
const STATS_WEIGHT = WEIGHTS.UPSTREAM * MAX_CALLS;

let bg: TestBotgraph;
const clients: Client[] = [];
beforeAll(async () => {
  // Between a plain list (one vendor field) and a stats query (40 calls' worth).
  bg = await startTestBotgraph({ STATS_MAX_CALLS: String(MAX_CALLS), MAX_COST: String(STATS_WEIGHT - 1) });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
});

describe('the cost of stats', () => {
  it('a stats query over the cost limit is refused in validation, naming the limit and its cost, with 0 upstream calls', async () => {
    await bg.resetStats();
    const res = await bg.gql('{ conversationStats(groupBy: [PROVIDER]) { total } }');
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', limit: STATS_WEIGHT - 1, value: STATS_WEIGHT });
    expect(await upstreamCalls(bg)).toBe(0);

    // The same over WebSocket: the subscription is refused before it subscribes.
    const client = wsClient(bg);
    clients.push(client);
    const sub = collect<any>(client, 'subscription { conversationStatsChanged(groupBy: [PROVIDER]) { total } }');
    await sub.ended();
    expect(JSON.stringify(sub.error)).toContain('COST_LIMIT_EXCEEDED');
    expect(bg.app.stats.cohortSnapshot()).toEqual([]);
    expect(await upstreamCalls(bg)).toBe(0);

    // Under the same limit a one-call list runs: the limit is about the stats budget, not any query.
    const list = await bg.gql('{ conversations(first: 20) { nodes { id } } }');
    expect(list.errors).toBeUndefined();
    expect(await upstreamCalls(bg)).toBeGreaterThan(0);
  });

  it('StatsKey.bot weighs like an object, not a vendor call per group', async () => {
    const small = await startTestBotgraph({ STATS_MAX_CALLS: String(MAX_CALLS), MAX_COST: '1' });
    const cost = async (groups: string) => {
      const res = await small.gql(`{ conversationStats(groupBy: [BOT]) { total ${groups} } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
      return res.errors![0]!.extensions!.value as number;
    };
    expect(await cost('')).toBe(STATS_WEIGHT);
    // groups (a list: DEFAULT_LIST_SIZE of objects) → key (object) → bot (object) → name (scalar).
    const withBot = await cost('groups { key { bot { name } } }');
    expect(withBot).toBe(STATS_WEIGHT + WEIGHTS.OBJECT + WEIGHTS.DEFAULT_LIST_SIZE * (WEIGHTS.OBJECT + WEIGHTS.OBJECT));
    // A vendor call per group would add DEFAULT_LIST_SIZE × UPSTREAM over the same query without the bot.
    expect(withBot - (await cost('groups { key { provider } }'))).toBeLessThan(WEIGHTS.DEFAULT_LIST_SIZE * WEIGHTS.UPSTREAM);
  });
});
