/**
 * Every measure of `conversationStats`, over real HTTP against the embedded simulators, compared
 * with a brute-force count over the simulators' own stores (truth.ts). Exact groups must match
 * exactly; estimated ones (a read budget too small for the window) must hold the truth within
 * their stated bounds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { allTruth, durations, local, type Truth } from './truth.js';
import { EXAMPLES } from '../../../src/http/graphiql.js';

const DAY = 86_400_000;
const TZ = 'Asia/Kathmandu';

const MEASURES = `count exact countLow countHigh basis
  messages { total endUser bot operator system conversations exact }
  handoffCount handoffRate completionRate interruptionRate abandonmentRate
  duration { count mean p50 p90 } fallbackRate
  intentConfidence { turns mean shareBelow threshold } firstResponse { count mean p50 p90 }`;

const STATS = `query($f: ConversationFilter, $g: [StatsDimension!], $b: TimeBucket, $tz: String, $t: Float) {
  conversationStats(filter: $f, groupBy: $g, bucket: $b, timezone: $tz, confidenceThreshold: $t) {
    total exact timezone upstreamCalls notes { provider measure kind reason }
    groups { key { provider bot { id nativeId } status handoff channel location intent hourOfDay dayOfWeek bucketStart } ${MEASURES} }
  } }`;

let bg: TestBotgraph;
beforeAll(async () => {
  // A budget big enough for every message read of the window, so that every group is exact.
  bg = await startTestBotgraph({ STATS_MAX_DETAIL_READS: '5000', STATS_MAX_CALLS: '500' });
});

async function stats(variables: Record<string, unknown>) {
  const res = await bg.gql(STATS, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.conversationStats;
}

function close(actual: number | null | undefined, expected: number | null) {
  if (expected === null) expect(actual ?? null).toBeNull();
  else expect(actual).toBeCloseTo(expected, 6);
}

function checkMeasures(g: any, members: Truth[], threshold: number, now: number) {
  const n = members.length;
  expect(g.count).toBe(n);
  expect(g.exact).toBe(true);
  expect([g.countLow, g.countHigh, g.basis]).toEqual([n, n, n]);
  const rate = (k: number) => k / n;
  expect(g.handoffCount).toBe(members.filter((t) => t.handedOff).length);
  close(g.handoffRate, rate(members.filter((t) => t.handedOff).length));
  close(g.completionRate, rate(members.filter((t) => t.status === 'COMPLETED').length));
  close(g.interruptionRate, rate(members.filter((t) => t.status === 'INTERRUPTED').length));
  const abandoned = members.filter((t) => t.status === 'INTERRUPTED' || (t.status === 'ACTIVE' && (t.updated ?? t.created) < now - 30 * 60_000));
  close(g.abandonmentRate, rate(abandoned.length));

  const d = durations(members.map((t) => t.duration).filter((x): x is number => x !== null));
  if (d === null) expect(g.duration).toBeNull();
  else {
    expect(g.duration.count).toBe(d.count);
    close(g.duration.mean, d.mean);
    expect([g.duration.p50, g.duration.p90]).toEqual([d.p50, d.p90]);
  }

  const withMessages = members.filter((t) => t.messages !== null);
  const sum = [0, 1, 2, 3].map((k) => withMessages.reduce((a, t) => a + t.messages![k]!, 0));
  expect(g.messages).toEqual({
    total: sum[0]! + sum[1]! + sum[2]! + sum[3]!,
    endUser: sum[0],
    bot: sum[1],
    operator: sum[2],
    system: sum[3],
    conversations: withMessages.length,
    exact: true,
  });

  const fr = durations(members.map((t) => t.firstResponse).filter((x): x is number => x !== null));
  if (fr === null) expect(g.firstResponse).toBeNull();
  else {
    expect(g.firstResponse.count).toBe(fr.count);
    close(g.firstResponse.mean, fr.mean);
    close(g.firstResponse.p50, fr.p50);
    close(g.firstResponse.p90, fr.p90);
  }

  const cx = members.filter((t) => t.userTurns !== null);
  const turns = cx.reduce((a, t) => a + t.userTurns!, 0);
  close(g.fallbackRate, turns === 0 ? null : cx.reduce((a, t) => a + t.fallbackTurns!, 0) / turns);
  const conf = cx.flatMap((t) => t.confidences!);
  if (conf.length === 0) expect(g.intentConfidence).toBeNull();
  else {
    expect(g.intentConfidence.turns).toBe(conf.length);
    close(g.intentConfidence.mean, conf.reduce((a, b) => a + b, 0) / conf.length);
    close(g.intentConfidence.shareBelow, conf.filter((c) => c < threshold).length / conf.length);
    expect(g.intentConfidence.threshold).toBe(threshold);
  }
}

describe("conversationStats matches a brute-force count over the simulators' stores", () => {
  it('by provider, bot and status per day in Asia/Kathmandu (+05:45), over 14 days: every measure exact', async () => {
    const now = Date.now();
    const from = new Date(now - 14 * DAY);
    const threshold = 0.8;
    const res = await stats({ f: { createdFrom: from.toISOString() }, g: ['PROVIDER', 'BOT', 'STATUS'], b: 'DAY', tz: TZ, t: threshold });
    const truth = allTruth(bg).filter((t) => t.created >= from.getTime() && t.created <= now);
    expect(res.timezone).toBe(TZ);
    expect(res.exact).toBe(true);
    expect(res.total).toBe(truth.length);
    expect(truth.length).toBeGreaterThan(100);

    // Truth grouped by the same key; the bucket is the local calendar day of `created`.
    const byKey = new Map<string, Truth[]>();
    for (const t of truth) {
      const l = local(t.created, TZ);
      const key = JSON.stringify([t.provider, t.bot, t.status, l.y, l.mo, l.d]);
      byKey.set(key, [...(byKey.get(key) ?? []), t]);
    }
    expect(res.groups.length).toBe(byKey.size);
    for (const g of res.groups) {
      const start = Date.parse(g.key.bucketStart);
      const l = local(start, TZ);
      // Local midnight in Kathmandu is 18:15 UTC the day before.
      expect(l.h).toBe(0);
      expect(new Date(start).getUTCMinutes()).toBe(15);
      const members = byKey.get(JSON.stringify([g.key.provider, g.key.bot.nativeId, g.key.status, l.y, l.mo, l.d]));
      expect(members, JSON.stringify(g.key)).toBeDefined();
      // Key fields not grouped by stay null.
      expect([g.key.handoff, g.key.channel, g.key.location, g.key.intent, g.key.hourOfDay, g.key.dayOfWeek]).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
      checkMeasures(g, members!, threshold, Date.now());
    }
    // Each provider states what is exact, estimated or unavailable.
    expect(new Set(res.notes.map((n: any) => n.provider))).toEqual(new Set(['CLOSER', 'BOTONE', 'CXONE']));
  });

  it('by handoff, channel, location, intent, hour of day and day of week (UTC), last 30 days: counts exact', async () => {
    const now = Date.now();
    const res = await stats({ g: ['HANDOFF', 'CHANNEL', 'LOCATION', 'INTENT', 'HOUR_OF_DAY', 'DAY_OF_WEEK'] });
    const truth = allTruth(bg).filter((t) => t.created >= now - 30 * DAY && t.created <= now);
    const counts = new Map<string, number>();
    for (const t of truth) {
      const l = local(t.created, 'UTC');
      const key = JSON.stringify([t.handoff, t.channel, t.location, t.intent, l.h, l.wd]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const got = new Map<string, number>(
      res.groups.map((g: any) => [
        JSON.stringify([g.key.handoff, g.key.channel, g.key.location, g.key.intent, g.key.hourOfDay, g.key.dayOfWeek]),
        g.count,
      ]),
    );
    expect(got).toEqual(counts);
    expect(res.total).toBe(truth.length);
    // The dimensions really split: CXone intents and Bot.one cities are there.
    expect(res.groups.some((g: any) => g.key.intent !== null && g.key.intent !== 'greetings')).toBe(true);
    expect(res.groups.some((g: any) => g.key.location !== null)).toBe(true);
  });

  it('no groupBy and no bucket: one group of everything, filtered by status and bot', async () => {
    const all = await bg.gql(`{ bots(providers: [BOTONE]) { id nativeId } }`);
    const bot = all.data.bots[0];
    const res = await stats({ f: { botIds: [bot.id], statuses: ['COMPLETED', 'INTERRUPTED'] } });
    const now = Date.now();
    const truth = allTruth(bg, ['BOTONE']).filter(
      (t) => t.bot === bot.nativeId && ['COMPLETED', 'INTERRUPTED'].includes(t.status) && t.created >= now - 30 * DAY,
    );
    expect(res.groups).toHaveLength(1);
    expect(res.groups[0].key).toEqual({
      provider: null,
      bot: null,
      status: null,
      handoff: null,
      channel: null,
      location: null,
      intent: null,
      hourOfDay: null,
      dayOfWeek: null,
      bucketStart: null,
    });
    checkMeasures(res.groups[0], truth, 0.5, Date.now());
  });

  it("GraphiQL's Dashboard tab runs as served, without errors, and its numbers are the brute force's", async () => {
    const page = await (await fetch(`${bg.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const tabs = JSON.parse(/defaultTabs: (\[.*\]),\n/.exec(page)![1]!) as Array<{ query: string }>;
    const dashboard = tabs.find((t) => t.query.includes('query Dashboard'));
    expect(dashboard).toBeDefined();
    expect(EXAMPLES.some((e) => e.title === 'Dashboard')).toBe(true);
    const res = await bg.gql(dashboard!.query);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const from = Date.parse(/createdFrom: "([^"]+)"/.exec(dashboard!.query)![1]!);
    const now = Date.now();
    expect(res.data.conversationStats.total).toBe(allTruth(bg).filter((t) => t.created >= from && t.created <= now).length);
    expect(res.data.intents.groups.length).toBeGreaterThan(3);
  });

  it('bad input: an unknown timezone, a reversed window, a text search, a threshold outside 0..1', async () => {
    for (const [variables, field] of [
      [{ tz: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ f: { createdFrom: '2026-01-02T00:00:00Z', createdTo: '2026-01-01T00:00:00Z' } }, 'filter.createdFrom'],
      [{ f: { createdFrom: '2020-01-01T00:00:00Z', createdTo: '2026-01-01T00:00:00Z' } }, 'filter.createdFrom'],
      [{ f: { search: 'hello' } }, 'filter.search'],
      [{ f: { cxoneQuery: 'action = handover' } }, 'filter.cxoneQuery'],
      [{ t: 1.5 }, 'confidenceThreshold'],
    ] as const) {
      const res = await bg.gql(STATS, variables);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('a read budget too small for the window: estimated, within the stated bounds', () => {
  let small: TestBotgraph;
  beforeAll(async () => {
    // 2 calls: 2 CLOSER pages of 100, of about 370 conversations in 90 days.
    small = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer', STATS_MAX_CALLS: '2' });
  });

  it('says it is estimated, and the truth lies in [countLow, countHigh] of every group', async () => {
    const now = Date.now();
    const from = now - 89 * DAY;
    await small.resetStats();
    const res = await small.gql(
      `query($f: ConversationFilter) { conversationStats(filter: $f, groupBy: [BOT, STATUS]) { total exact upstreamCalls groups { key { bot { nativeId } status } count exact countLow countHigh basis completionRate } } }`,
      { f: { createdFrom: new Date(from).toISOString() } },
    );
    expect(res.errors).toBeUndefined();
    const s = res.data.conversationStats;
    expect(s.exact).toBe(false);
    // The budget held: 2 list pages, and nothing else but the bots' names.
    const { routes } = await small.stats('CLOSER');
    expect(routes['GET /openapi/conversations']).toBe(2);
    const truth = allTruth(small, ['CLOSER']).filter((t) => t.created >= from && t.created <= now);
    expect(truth.length).toBeGreaterThan(200);
    for (const g of s.groups) {
      const n = truth.filter((t) => t.bot === g.key.bot.nativeId && t.status === g.key.status).length;
      expect(g.exact).toBe(false);
      expect(g.countLow).toBeLessThanOrEqual(n);
      expect(g.countHigh).toBeGreaterThanOrEqual(n);
      expect(g.count).toBeGreaterThanOrEqual(g.countLow);
      expect(g.count).toBeLessThanOrEqual(g.countHigh);
      expect(g.basis).toBe(g.countLow);
    }
    const sumLow = s.groups.reduce((a: number, g: any) => a + g.countLow, 0);
    expect(sumLow).toBe(200);
    expect(s.total).toBeGreaterThanOrEqual(sumLow);
  });
});
