/**
 * Message measures past the read budgets are estimated from a sample, with an interval stated in
 * the response (src/stats/estimate.ts, docs/stats.md "Estimates"); the brute-force truth over the
 * simulators' stores lies inside. Tests ask for 99.9% intervals so that a correct method fails
 * them about once in a thousand per interval (test/unit/stats-estimate.test.ts checks the coverage
 * itself). A stream cut short by the call budget is the vendor's order, not a sample: `partial`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { cxoneRemoteEnv } from '../../helpers/remote-env.js';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { allTruth, cxoneTruth, percentile, type Truth } from './truth.js';

const DAY = 86_400_000;
const EST = 'method value low high confidence exact sample population';
const DUR = `count mean meanEstimate { ${EST} } p50Estimate { ${EST} } p90Estimate { ${EST} }`;
const STATS = `query($f: ConversationFilter, $g: [StatsDimension!], $c: Float) {
  conversationStats(filter: $f, groupBy: $g, confidence: $c) { total exact upstreamCalls groups {
    key { provider bot { nativeId } } count exact countLow countHigh basis
    messages { total conversations exact estimate { total { ${EST} } endUser { ${EST} } bot { ${EST} } operator { ${EST} } system { ${EST} } perConversation { ${EST} } } }
    duration { ${DUR} } firstResponse { ${DUR} }
    fallbackRate fallbackRateEstimate { ${EST} }
    intentConfidence { mean meanEstimate { ${EST} } shareBelowEstimate { ${EST} } } } } }`;

function within(e: any, truth: number, what: string) {
  expect(e, what).toBeTruthy();
  if (e.low !== null) expect(truth, `${what}: ${truth} ≥ low ${e.low}`).toBeGreaterThanOrEqual(e.low - 1e-9);
  if (e.high !== null) expect(truth, `${what}: ${truth} ≤ high ${e.high}`).toBeLessThanOrEqual(e.high + 1e-9);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Every estimate of a group against the truth of its members; returns how many were estimated (not exact). */
function checkGroup(g: any, members: Truth[], threshold = 0.5): number {
  let estimated = 0;
  const count = (e: any) => (e.exact ? 0 : 1);
  const withMessages = members.filter((t) => t.messages !== null);
  if (g.messages) {
    const e = g.messages.estimate;
    const senders = ['endUser', 'bot', 'operator', 'system'] as const;
    senders.forEach((k, i) => within(e[k], sum(withMessages.map((t) => t.messages![i]!)), `messages.${k}`));
    const totals = withMessages.map((t) => sum(t.messages!));
    within(e.total, sum(totals), 'messages.total');
    within(e.perConversation, sum(totals) / totals.length, 'messages per conversation');
    estimated += count(e.total);
    // The sample never claims less than it counted.
    expect(e.total.low).toBeGreaterThanOrEqual(g.messages.total);
  }
  for (const [field, values] of [
    ['firstResponse', members.map((t) => t.firstResponse).filter((x): x is number => x !== null)],
    ['duration', members.map((t) => t.duration).filter((x): x is number => x !== null)],
  ] as const) {
    const d = g[field];
    if (!d || values.length === 0) continue;
    within(d.meanEstimate, sum(values) / values.length, `${field}.mean`);
    within(d.p50Estimate, percentile(values, 0.5)!, `${field}.p50`);
    within(d.p90Estimate, percentile(values, 0.9)!, `${field}.p90`);
    estimated += count(d.meanEstimate);
  }
  const cx = members.filter((t) => t.userTurns !== null);
  if (g.fallbackRateEstimate) {
    within(g.fallbackRateEstimate, sum(cx.map((t) => t.fallbackTurns!)) / sum(cx.map((t) => t.userTurns!)), 'fallbackRate');
    estimated += count(g.fallbackRateEstimate);
  }
  if (g.intentConfidence) {
    const conf = cx.flatMap((t) => t.confidences!);
    within(g.intentConfidence.meanEstimate, sum(conf) / conf.length, 'intentConfidence.mean');
    within(g.intentConfidence.shareBelowEstimate, conf.filter((c) => c < threshold).length / conf.length, 'intentConfidence.shareBelow');
  }
  return estimated;
}

describe('message reads past STATS_MAX_DETAIL_READS (CLOSER, Bot.one)', () => {
  let bg: TestBotgraph;
  beforeAll(async () => {
    bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer,botone', STATS_MAX_DETAIL_READS: '80' });
  });

  it('a sample of the conversations is read; every estimate holds the truth, and says what it is', async () => {
    const now = Date.now();
    const from = now - 30 * DAY;
    const res = await bg.gql(STATS, { f: { createdFrom: new Date(from).toISOString() }, g: ['PROVIDER'], c: 0.999 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const s = res.data.conversationStats;
    const truth = allTruth(bg, ['CLOSER', 'BOTONE']).filter((t) => t.created >= from && t.created <= now);
    let estimated = 0;
    let read = 0;
    for (const g of s.groups) {
      const members = truth.filter((t) => t.provider === g.key.provider);
      // Counts are exact (the lists fit the call budget); only message measures are sampled.
      expect(g.count).toBe(members.length);
      expect(g.messages.conversations).toBeLessThan(g.count);
      expect(g.messages.exact).toBe(false);
      expect(g.messages.estimate.total).toMatchObject({
        method: 'sample',
        confidence: 0.999,
        exact: false,
        sample: g.messages.conversations,
        population: g.count,
      });
      read += g.messages.conversations;
      estimated += checkGroup(g, members);
    }
    expect(read).toBe(80);
    expect(estimated).toBeGreaterThanOrEqual(2);
  });

  it('with every conversation read, the estimates are exact: low = high = value, confidence 1', async () => {
    const exact = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer', STATS_MAX_DETAIL_READS: '5000' });
    const now = Date.now();
    const from = now - 7 * DAY;
    const res = await exact.gql(STATS, { f: { createdFrom: new Date(from).toISOString() }, g: ['PROVIDER'] });
    const [g] = res.data.conversationStats.groups;
    const t = g.messages.estimate.total;
    expect(t).toEqual({
      method: 'exact',
      value: g.messages.total,
      low: g.messages.total,
      high: g.messages.total,
      confidence: 1,
      exact: true,
      sample: g.count,
      population: g.count,
    });
    expect(g.firstResponse.meanEstimate).toMatchObject({ method: 'exact', exact: true, confidence: 1 });
    expect(g.firstResponse.meanEstimate.value).toBeCloseTo(g.firstResponse.mean, 9);
  });
});

describe("a CXone stream cut short by STATS_MAX_CALLS: the vendor's order is no random sample, so only what is certain is bounded", () => {
  let bg: TestBotgraph;
  let cxone: CxoneSimulator;
  beforeAll(async () => {
    // 600 conversations per token over 90 days: 3 pages of 200 each, and the budget allows one.
    cxone = await startCxoneSimulator({ port: 0, activity: false, conversationsPerBot: 600 });
    bg = await startTestBotgraph({
      BOTGRAPH_PROVIDERS: 'cxone',
      BOTGRAPH_AUTH: 'off',
      ...cxoneRemoteEnv(cxone),
      STATS_MAX_CALLS: '3',
      // A page of 200 full trackers takes a while on a loaded machine; the helper's 2 s is for small reads.
      UPSTREAM_TIMEOUT_MS: '15000',
      UPSTREAM_TOTAL_BUDGET_MS: '30000',
    });
    return () => cxone.close();
  });

  it('fallback rate, intent confidence, messages and first response: estimated from the pages read, `partial`, totals bounded below by what was read', async () => {
    const now = Date.now();
    const from = now - 89 * DAY;
    const res = await bg.gql(STATS, { f: { createdFrom: new Date(from).toISOString() }, g: ['BOT'], c: 0.999 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const s = res.data.conversationStats;
    expect(s.exact).toBe(false);
    expect(s.upstreamCalls).toBe(3);
    const truth = cxoneTruth({ sim: () => cxone } as unknown as TestBotgraph, now).filter((t) => t.created >= from && t.created <= now);
    let estimated = 0;
    for (const g of s.groups) {
      const members = truth.filter((t) => t.bot === g.key.bot.nativeId);
      expect(members.length).toBeGreaterThan(g.basis);
      expect(g.countLow).toBeLessThanOrEqual(members.length);
      expect(g.countHigh).toBeGreaterThanOrEqual(members.length);
      expect(g.fallbackRateEstimate).toMatchObject({ method: 'partial', exact: false, low: null, high: null });
      expect(g.messages.estimate.total).toMatchObject({ method: 'partial', low: g.messages.total, high: null });
      estimated += checkGroup(g, members);
    }
    expect(estimated).toBeGreaterThanOrEqual(3);
  });
});
