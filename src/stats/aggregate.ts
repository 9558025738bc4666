/**
 * Pure aggregation: summaries (plus, for count-only queries, vendor counts and, where a stream
 * could not be read within budget, what is left unread) into groups with their measures.
 */
import type { ConversationStatusName, ProviderName } from '../models.js';
import { bucketStart, localParts } from './time.js';
import { meanEstimate, partial, percentileEstimate, ratioEstimate, totalEstimate, type EstimateModel } from './estimate.js';
import type { ConvSummary, DurationStatsModel, KeyParts, ProviderStatsHooks, StatsArgs, StatsGroupModel } from './types.js';

/** ACTIVE conversations quiet for longer than this count as abandoned (CXone's own rule for INTERRUPTED). */
export const ABANDON_IDLE_MS = 30 * 60 * 1000;

/** A vendor count: conversations of one stream (one bot, or all), one status (or all), created in [from, to). */
export interface CountCell {
  provider: ProviderName;
  stream: string;
  bot: string | null;
  status: ConversationStatusName | null;
  from: number;
  count: number;
}

/** What a stream left unread in [from, to) because of the budget: every group it could feed gets `unread` more room. */
export interface Unread {
  provider: ProviderName;
  bot: string | null;
  from: number;
  to: number;
  unread: number;
  /** The conversations it did read there, for the estimate's proportion. */
  read: number;
}

export interface AggregateInput {
  items: ConvSummary[];
  cells: CountCell[];
  unread: Unread[];
  args: StatsArgs;
  hooks: ReadonlyMap<ProviderName, ProviderStatsHooks>;
  now: number;
}

export function statusOf(s: ConvSummary, hooks: ReadonlyMap<ProviderName, ProviderStatsHooks>, now: number): ConversationStatusName {
  return hooks.get(s.p)?.statusNow?.(s, now) ?? s.st;
}

/** Whether a summary passes the parts of the filter not already applied by the window read. */
export function matches(s: ConvSummary, args: StatsArgs, status: ConversationStatusName): boolean {
  if (!args.providers.includes(s.p)) return false;
  if (s.c < args.from || s.c > args.to) return false;
  const bots = args.bots.get(s.p);
  if (bots && (s.b === null || !bots.includes(s.b))) return false;
  if (args.statuses && !args.statuses.includes(status)) return false;
  if (args.updatedFrom !== null && (s.u === null || s.u < args.updatedFrom)) return false;
  if (args.updatedTo !== null && (s.u === null || s.u > args.updatedTo)) return false;
  return true;
}

function keyParts(s: ConvSummary, status: ConversationStatusName, args: StatsArgs): KeyParts {
  const parts: KeyParts = {};
  let local: ReturnType<typeof localParts> | undefined;
  const lp = () => (local ??= localParts(s.c, args.timeZone));
  for (const dim of args.groupBy) {
    switch (dim) {
      case 'PROVIDER':
        parts.provider = s.p;
        break;
      case 'BOT':
        parts.provider = s.p;
        parts.bot = s.b;
        break;
      case 'STATUS':
        parts.status = status;
        break;
      case 'HANDOFF':
        parts.handoff = s.ho;
        break;
      case 'CHANNEL':
        parts.channel = s.ch;
        break;
      case 'LOCATION':
        parts.location = s.loc;
        break;
      case 'INTENT':
        parts.intent = s.it ?? null;
        break;
      case 'HOUR_OF_DAY':
        parts.hourOfDay = lp().hour;
        break;
      case 'DAY_OF_WEEK':
        parts.dayOfWeek = lp().weekday;
        break;
    }
  }
  if (args.bucket) parts.bucketStart = bucketStart(s.c, args.bucket, args.timeZone);
  return parts;
}

/** A stable string for a key: the same parts give the same id, in a fixed order. */
export function partsId(parts: KeyParts): string {
  return JSON.stringify([
    parts.bucketStart ?? null,
    parts.provider ?? null,
    parts.bot ?? null,
    parts.status ?? null,
    parts.handoff ?? null,
    parts.channel ?? null,
    parts.location ?? null,
    parts.intent ?? null,
    parts.hourOfDay ?? null,
    parts.dayOfWeek ?? null,
  ]);
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const addUp = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);

export function durationStats(values: number[]): DurationStatsModel | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
  };
}

interface Acc {
  parts: KeyParts;
  items: Array<{ s: ConvSummary; status: ConversationStatusName }>;
  counted: number;
  /** Groups fed by a vendor count have no conversations to measure. */
  fromCounts: boolean;
  high: number;
  estimate: number;
}

export function aggregate(input: AggregateInput): { groups: StatsGroupModel[]; total: number; exact: boolean } {
  const { args, hooks, now } = input;
  const accs = new Map<string, Acc>();
  const acc = (parts: KeyParts): Acc => {
    const id = partsId(parts);
    let a = accs.get(id);
    if (!a) {
      a = { parts, items: [], counted: 0, fromCounts: false, high: 0, estimate: 0 };
      accs.set(id, a);
    }
    return a;
  };
  for (const s of input.items) {
    const status = statusOf(s, hooks, now);
    if (!matches(s, args, status)) continue;
    acc(keyParts(s, status, args)).items.push({ s, status });
  }
  for (const cell of input.cells) {
    if (cell.count === 0) continue;
    const parts: KeyParts = {};
    for (const dim of args.groupBy) {
      if (dim === 'PROVIDER') parts.provider = cell.provider;
      if (dim === 'BOT') {
        parts.provider = cell.provider;
        parts.bot = cell.bot;
      }
      if (dim === 'STATUS' && cell.status !== null) parts.status = cell.status;
    }
    if (args.bucket) parts.bucketStart = cell.from;
    const a = acc(parts);
    a.counted += cell.count;
    a.fromCounts = true;
  }
  // Room left by unread conversations: every existing group the stream's range could feed.
  for (const u of input.unread) {
    if (u.unread <= 0) continue;
    for (const a of accs.values()) {
      if (a.parts.provider !== undefined && a.parts.provider !== u.provider) continue;
      if (a.parts.bot !== undefined && u.bot !== null && a.parts.bot !== u.bot) continue;
      if (a.parts.bucketStart !== undefined && args.bucket) {
        // The bucket overlaps the unread range?
        const start = a.parts.bucketStart;
        if (start > u.to || bucketEndAfter(start, args) <= u.from) continue;
      }
      const inRange = a.items.filter((i) => i.s.p === u.provider && (u.bot === null || i.s.b === u.bot) && i.s.c >= u.from && i.s.c <= u.to).length;
      a.high += u.unread;
      if (u.read > 0) a.estimate += (u.unread * inRange) / u.read;
    }
  }

  let total = 0;
  let exact = true;
  const groups: StatsGroupModel[] = [];
  for (const [id, a] of accs) {
    const low = a.items.length + a.counted;
    const count = Math.min(low + a.high, Math.round(low + a.estimate));
    const groupExact = a.high === 0;
    total += count;
    exact &&= groupExact;
    groups.push(measure(id, a, low, count, groupExact, args, now));
  }
  groups.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { groups, total, exact };
}

function bucketEndAfter(start: number, args: StatsArgs): number {
  // The next bucket's start: one step later, found through the calendar so DST days stay right.
  const step = args.bucket === 'HOUR' ? 3_600_000 : args.bucket === 'DAY' ? 86_400_000 : 7 * 86_400_000;
  return bucketStart(start + step + 2 * 3_600_000, args.bucket as NonNullable<StatsArgs['bucket']>, args.timeZone);
}

function measure(id: string, a: Acc, low: number, count: number, exact: boolean, args: StatsArgs, now: number): StatsGroupModel {
  const items = a.items;
  const basis = items.length;
  const rate = (n: number) => (basis === 0 ? null : n / basis);
  const byStatus = (st: ConversationStatusName) => items.filter((i) => i.status === st).length;
  const interrupted = byStatus('INTERRUPTED');
  const idleActive = items.filter((i) => i.status === 'ACTIVE' && (i.s.u ?? i.s.c) < now - ABANDON_IDLE_MS).length;

  const conf = args.confidence;
  const population = { count, low, high: low + a.high };
  // A stream cut short by the call budget: what was read is the vendor's order, not a sample.
  const cut = a.high > 0;
  const other = (e: EstimateModel | null) => (cut ? partial(e, 'other') : e);
  /** Of a group's `count`, how many have a value, scaled from the share of the `sampled` that do. */
  const scaled = (withValue: number, sampled: number) =>
    sampled >= count ? withValue : Math.max(withValue, Math.round((count * withValue) / Math.max(1, sampled)));
  // Messages read for the conversation as it is now (a later change makes them stale).
  const withMessages = items.filter((i) => i.s.m && i.s.mu === i.s.u);
  let messages: StatsGroupModel['messages'] = null;
  if (withMessages.length > 0) {
    const sum: [number, number, number, number] = [0, 0, 0, 0];
    for (const { s } of withMessages) for (let k = 0; k < 4; k++) sum[k] = (sum[k] as number) + (s.m as number[])[k]!;
    const per = (k: number) => withMessages.map(({ s }) => (s.m as number[])[k]!);
    const totals = withMessages.map(({ s }) => (s.m as number[]).reduce((x, y) => x + y, 0));
    const est = (values: number[]) =>
      (cut ? partial(totalEstimate(values, population, conf), 'total', addUp(values)) : totalEstimate(values, population, conf))!;
    messages = {
      total: sum[0] + sum[1] + sum[2] + sum[3],
      endUser: sum[0],
      bot: sum[1],
      operator: sum[2],
      system: sum[3],
      conversations: withMessages.length,
      exact: exact && !a.fromCounts && withMessages.length === basis,
      estimate: {
        total: est(totals),
        endUser: est(per(0)),
        bot: est(per(1)),
        operator: est(per(2)),
        system: est(per(3)),
        perConversation: other(meanEstimate(totals, population.high, conf))!,
      },
    };
  }
  const durations = (values: number[], sampled: number): DurationStatsModel | null => {
    const d = durationStats(values);
    if (d === null) return null;
    const sorted = [...values].sort((x, y) => x - y);
    const n = scaled(values.length, sampled) + (population.high - count);
    return {
      ...d,
      meanEstimate: other(meanEstimate(values, n, conf)),
      p50Estimate: other(percentileEstimate(sorted, 0.5, n, conf)),
      p90Estimate: other(percentileEstimate(sorted, 0.9, n, conf)),
    };
  };

  const cxone = items.filter((i) => i.s.ut !== undefined);
  const turns = cxone.reduce((n, i) => n + (i.s.ut ?? 0), 0);
  const fallbacks = cxone.reduce((n, i) => n + (i.s.fb ?? 0), 0);
  const confidences = cxone.flatMap((i) => i.s.cf ?? []);
  const cxPopulation = scaled(cxone.length, basis) + (population.high - count);
  const perTurn = (y: (s: ConvSummary) => number) =>
    other(
      ratioEstimate(
        cxone.map((i) => y(i.s)),
        cxone.map((i) => i.s.cf?.length ?? 0),
        cxPopulation,
        conf,
        [0, 1],
      ),
    );
  const handoffs = items.filter((i) => i.s.hf).length;

  return {
    id,
    parts: a.parts,
    key: {},
    count,
    exact,
    countLow: low,
    countHigh: low + a.high,
    basis,
    messages,
    handoffCount: basis === 0 ? null : handoffs,
    handoffRate: rate(handoffs),
    completionRate: rate(byStatus('COMPLETED')),
    interruptionRate: rate(interrupted),
    abandonmentRate: rate(interrupted + idleActive),
    duration: durations(
      items.map((i) => i.s.d).filter((d): d is number => d !== null),
      basis,
    ),
    fallbackRate: turns === 0 ? null : fallbacks / turns,
    fallbackRateEstimate: other(
      ratioEstimate(
        cxone.map((i) => i.s.fb ?? 0),
        cxone.map((i) => i.s.ut ?? 0),
        cxPopulation,
        conf,
        [0, 1],
      ),
    ),
    intentConfidence:
      confidences.length === 0
        ? null
        : {
            turns: confidences.length,
            mean: confidences.reduce((x, y) => x + y, 0) / confidences.length,
            shareBelow: confidences.filter((c) => c < args.threshold).length / confidences.length,
            threshold: args.threshold,
            meanEstimate: perTurn((s) => (s.cf ?? []).reduce((x, y) => x + y, 0)),
            shareBelowEstimate: perTurn((s) => (s.cf ?? []).filter((c) => c < args.threshold).length),
          },
    firstResponse: durations(
      withMessages.map((i) => i.s.fr).filter((d): d is number => d !== null && d !== undefined),
      withMessages.length,
    ),
  };
}
