/**
 * The upstream cost of stats queries, counted by the simulators per route: a week by provider and
 * status costs at most one call per stream (and status, where the vendor counts), a second
 * identical query over closed days costs nothing, and vendor totals replace reading where cheaper.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { calls, ROUTES } from '../graph/support.js';
import { allTruth } from './truth.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';

const DAY = 86_400_000;
const COUNTS = `query($f: ConversationFilter, $g: [StatsDimension!], $b: TimeBucket) {
  conversationStats(filter: $f, groupBy: $g, bucket: $b) { total exact upstreamCalls groups { key { provider bot { nativeId } status bucketStart } count exact } } }`;

/** A whole past week in UTC days: every day of it is closed. */
function pastWeek(): { createdFrom: string; createdTo: string; from: number; to: number } {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const from = today - 8 * DAY;
  const to = today - DAY - 1;
  return { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString(), from, to };
}

async function run(bg: TestBotgraph, variables: Record<string, unknown>, only?: 'CLOSER') {
  await bg.resetStats();
  const res = await bg.gql(COUNTS, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  if (only) {
    const { routes } = await bg.stats(only);
    return { stats: res.data.conversationStats, calls: { [only]: Object.fromEntries(Object.entries(routes).filter(([, n]) => n > 0)) } as any };
  }
  return { stats: res.data.conversationStats, calls: await calls(bg) };
}

describe('upstream calls of stats queries', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph();
  });

  it('a closed week by provider and status per day: one call per stream, then 0 calls for the same query', async () => {
    const week = pastWeek();
    const variables = { f: { createdFrom: week.createdFrom, createdTo: week.createdTo }, g: ['PROVIDER', 'STATUS'], b: 'DAY' };
    const first = await run(bg, variables);
    // Minimum: a week of one stream fits in one page of the vendor's largest size (CLOSER 100,
    // Bot.one 100, CXone 200): CLOSER's one list, one list per Bot.one bot (3), one export per
    // CXone token (3). Reading is cheaper here than one count per status and day.
    expect(first.calls).toEqual({
      CLOSER: { [ROUTES.closerConversations]: 1 },
      BOTONE: { [ROUTES.botoneList]: 3 },
      CXONE: { [ROUTES.cxoneExport]: 3 },
    });
    expect(first.stats.upstreamCalls).toBe(7);
    expect(first.stats.exact).toBe(true);
    const truth = allTruth(bg).filter((t) => t.created >= week.from && t.created <= week.to);
    expect(first.stats.total).toBe(truth.length);

    const second = await run(bg, variables);
    expect(second.calls).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: {} });
    expect(second.stats.upstreamCalls).toBe(0);
    expect(second.stats).toEqual({ ...first.stats, upstreamCalls: 0 });

    // Another grouping of the same closed days is served by the same aggregates.
    const other = await run(bg, { f: variables.f, g: ['BOT'] });
    expect(other.calls).toEqual({ CLOSER: { [ROUTES.closerBots]: 1 }, BOTONE: {}, CXONE: {} });
    expect(other.stats.total).toBe(truth.length);
  });

  it('a mutation on a conversation of a closed day shows in the next query without a vendor read of the day', async () => {
    const week = pastWeek();
    const list = await bg.gql(`query($f: ConversationFilter) { conversations(first: 1, filter: $f) { nodes { id status } } }`, {
      f: { providers: ['BOTONE'], statuses: ['ACTIVE'], createdFrom: week.createdFrom, createdTo: week.createdTo },
    });
    const target = list.data.conversations.nodes[0];
    expect(target).toBeDefined();
    const variables = { f: { providers: ['BOTONE'], createdFrom: week.createdFrom, createdTo: week.createdTo }, g: ['STATUS'] };
    const before = await run(bg, variables);
    const count = (s: any, status: string) => s.groups.find((g: any) => g.key.status === status)?.count ?? 0;
    const m = await bg.gql(`mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { status } } }`, { id: target.id });
    expect(m.errors).toBeUndefined();
    await bg.app.stats.settled();
    const after = await run(bg, variables);
    expect(after.calls).toEqual({ CLOSER: {}, BOTONE: {}, CXONE: {} });
    expect(count(after.stats, 'WITH_OPERATOR')).toBe(count(before.stats, 'WITH_OPERATOR') + 1);
    expect(count(after.stats, 'ACTIVE')).toBe(count(before.stats, 'ACTIVE') - 1);
  });
});

describe('a provider that fails', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph();
  });

  it('is left out with one partial error naming it; the others answer and the result says it is not exact', async () => {
    const sim = bg.sim('CLOSER');
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bg.app.registry.simulatorAdminHeaders },
      body: JSON.stringify({ errorRate: 1, errorStatus: 503 }),
    });
    try {
      const today = Math.floor(Date.now() / DAY) * DAY;
      const res = await bg.gql(COUNTS, {
        f: { createdFrom: new Date(today - 22 * DAY).toISOString(), createdTo: new Date(today - 20 * DAY - 1).toISOString() },
        g: ['PROVIDER'],
      });
      expect(res.data.conversationStats.exact).toBe(false);
      expect(res.data.conversationStats.groups.map((g: any) => g.key.provider).sort()).toEqual(['BOTONE', 'CXONE']);
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'CLOSER' });
      expect(JSON.stringify(res.errors)).not.toMatch(/http:|127\.0\.0\.1/);
    } finally {
      await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE', headers: bg.app.registry.simulatorAdminHeaders });
    }
  });
});

describe('vendor totals instead of pages', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer' });
  });

  /** 90 whole UTC days up to the end of today: reading them takes 5 CLOSER pages of 100. */
  const ninetyDays = () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    return { from: today - 89 * DAY, to: today + DAY - 1 };
  };

  it('by status over 90 days: whichever is cheaper of reading the pages and one count per known status', async () => {
    const { from, to } = ninetyDays();
    const { stats, calls: c } = await run(
      bg,
      { f: { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() }, g: ['STATUS'] },
      'CLOSER',
    );
    const truth = allTruth(bg, ['CLOSER']).filter((t) => t.created >= from && t.created <= to);
    // Minimum: the first page (limit=100) tells the size. Then either the remaining pages, or one
    // limit=1 count per status CLOSER can filter (ACTIVE, WITH_OPERATOR via manual, COMPLETED,
    // INTERRUPTED; UNKNOWN is the rest of the first page's total): 4 counts, so counting wins from
    // 5 remaining pages up. The seed has fewer, so reading is the cheaper here.
    const pages = Math.ceil(truth.length / 100);
    expect(c.CLOSER).toEqual({ [ROUTES.closerConversations]: Math.min(pages, 1 + 4) });
    expect(stats.upstreamCalls).toBe(Math.min(pages, 1 + 4));
    expect(stats.exact).toBe(true);
    expect(stats.total).toBe(truth.length);
    for (const status of ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN']) {
      const n = truth.filter((t) => t.status === status).length;
      expect(stats.groups.find((g: any) => g.key.status === status)?.count ?? 0, status).toBe(n);
    }
    // A window that is not over is fresh for STATS_OPEN_TTL_MS: asked again at once, 0 calls.
    const again = await run(bg, { f: { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() }, g: ['STATUS'] }, 'CLOSER');
    expect(again.calls.CLOSER).toEqual({});
    expect(again.stats.groups).toEqual(stats.groups);
  });

  it("the same 90 days by provider only: the first page's total says it all (1 call instead of 4)", async () => {
    const { from, to } = ninetyDays();
    const fresh = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer' });
    const { stats, calls: c } = await run(
      fresh,
      { f: { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() }, g: ['PROVIDER'] },
      'CLOSER',
    );
    const truth = allTruth(fresh, ['CLOSER']).filter((t) => t.created >= from && t.created <= to);
    expect(c.CLOSER).toEqual({ [ROUTES.closerConversations]: 1 });
    expect(truth.length).toBeGreaterThan(300);
    expect(stats.groups).toEqual([{ key: { provider: 'CLOSER', bot: null, status: null, bucketStart: null }, count: truth.length, exact: true }]);
  });

  it('Bot.one per bot over 90 days: every page of each bot once (Bot.one cannot count what botgraph can place), exact', async () => {
    const { from, to } = ninetyDays();
    const botone = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'botone' });
    await botone.resetStats();
    const res = await botone.gql(COUNTS, { f: { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() }, g: ['BOT'] });
    expect(res.errors).toBeUndefined();
    const { routes } = await botone.stats('BOTONE');
    const s = res.data.conversationStats;
    // The stated cost is the vendor's count: one list call per page of each bot's listing.
    expect(routes[ROUTES.botoneList]).toBe(s.upstreamCalls);
    expect(s.upstreamCalls).toBeLessThanOrEqual(3 * 3);
    const truth = allTruth(botone, ['BOTONE']).filter((t) => t.created >= from && t.created <= to);
    expect(s.exact).toBe(true);
    for (const g of s.groups) expect(g.count).toBe(truth.filter((t) => t.bot === g.key.bot.nativeId).length);
    expect(s.total).toBe(truth.length);
    expect(truth.length).toBeGreaterThan(300);
    // Again: the days are stored, 0 calls.
    await botone.resetStats();
    await botone.gql(COUNTS, { f: { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() }, g: ['BOT'] });
    expect((await botone.stats('BOTONE')).routes[ROUTES.botoneList] ?? 0).toBe(0);
  });
});

describe('a large stream: one vendor count per status instead of its pages', () => {
  let big: TestBotgraph;
  /** Conversations the vendor gets today on top of its seeded 90 days. */
  const ADDED = 450;
  beforeAll(async () => {
    big = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer' });
    // The vendor's own traffic, as its live activity makes it (new conversations, handoffs, endings).
    const sim = big.sim('CLOSER') as CloserSimulator;
    for (let i = 0; i < ADDED; i++) {
      const { conversation } = sim.store.startConversation(sim.botIds[i % sim.botIds.length]!);
      if (i % 5 === 1) sim.store.close(conversation.id, 'COMPLETED');
      else if (i % 5 === 2) sim.store.close(conversation.id, 'INTERRUPTED');
      else if (i % 5 === 3) sim.store.setManual(conversation.id, 'HANDOVER');
    }
    await big.app.stats.settled();
  });

  const window = (days: number) => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    return { from: today - (days - 1) * DAY, to: today + DAY - 1 };
  };

  it('counts by provider and status over 90 days: the first page, then one count per status CLOSER can filter (5 calls, not the pages)', async () => {
    const { from, to } = window(90);
    const f = { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() };
    const { stats, calls: c } = await run(big, { f, g: ['PROVIDER', 'STATUS'] }, 'CLOSER');
    const truth = allTruth(big, ['CLOSER']).filter((t) => t.created >= from && t.created <= to);
    const pages = Math.ceil(truth.length / 100);
    // The planner's choice: 4 counts against the pages a read still needs after the first.
    expect(pages - 1).toBeGreaterThan(4);
    expect(c.CLOSER).toEqual({ [ROUTES.closerConversations]: 1 + 4 });
    expect(stats.upstreamCalls).toBe(1 + 4);
    expect(stats.exact).toBe(true);
    expect(stats.total).toBe(truth.length);
    for (const status of ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN']) {
      const n = truth.filter((t) => t.status === status).length;
      expect(stats.groups.find((g: any) => g.key.status === status)?.count ?? 0, status).toBe(n);
    }
    // Each status the simulator holds is really there (the counts are not trivially zero).
    expect(stats.groups.filter((g: any) => g.count > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('the same stream by status per day over a week: 28 day × status counts cost more than the pages, so it reads them', async () => {
    const { from, to } = window(7);
    const f = { createdFrom: new Date(from).toISOString(), createdTo: new Date(to).toISOString() };
    const { stats, calls: c } = await run(big, { f, g: ['STATUS'], b: 'DAY' }, 'CLOSER');
    const truth = allTruth(big, ['CLOSER']).filter((t) => t.created >= from && t.created <= to);
    const pages = Math.ceil(truth.length / 100);
    expect(pages).toBeLessThan(7 * 4);
    expect(c.CLOSER).toEqual({ [ROUTES.closerConversations]: pages });
    expect(stats.exact).toBe(true);
    expect(stats.total).toBe(truth.length);
    const counts = new Map<string, number>();
    for (const t of truth) {
      const key = JSON.stringify([Math.floor(t.created / DAY) * DAY, t.status]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(new Map(stats.groups.map((g: any) => [JSON.stringify([Date.parse(g.key.bucketStart), g.key.status]), g.count]))).toEqual(counts);
  });
});
