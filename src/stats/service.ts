import { setBounded } from '../bounded.js';
/**
 * The analytics engine (docs/stats.md). A stats query:
 *
 * 1. takes, per conversation stream and UTC day of `createdAt`, the stored segment when it is
 *    closed (read after its day ended: never read again) or fresh (younger than STATS_OPEN_TTL_MS);
 * 2. reads what is missing once, whole days in pages of the vendor's largest size, and stores it
 *    (the backfill); or, for a count-only query the vendor can count, asks the vendor's total per
 *    cell when that is cheaper than reading;
 * 3. past its call budget, stops reading and reports the counts it could not see as bounds;
 * 4. aggregates in memory (src/stats/aggregate.ts).
 *
 * Events (polls, webhooks, mutations) update the stored segments as they happen, so a stored day
 * stays current without the vendor. `conversationStatsChanged` cohorts share one computation per
 * distinct argument set and push the groups an event changed.
 */
import type { Logger } from 'pino';
import type { StatsConfig } from '../config.js';
import type { Context } from '../context.js';
import type { ConversationQuery } from '../datasources/types.js';
import type { BotgraphEvent, EventBus } from '../events/bus.js';
import type { BotModel, ConversationModel, ConversationStatusName, ProviderName } from '../models.js';
import type { PollerRegistry } from '../subscriptions/pollers.js';
import { BotgraphError } from '../errors.js';
import { conversationTopic } from '../subscriptions/topics.js';
import { ADAPTERS } from '../providers/registry.js';
import { aggregate, matches, partsId, statusOf, type CountCell, type Unread } from './aggregate.js';
import type { SegmentStore } from './store.js';
import { bucketStart, DAY_MS, utcDay } from './time.js';
import type { ConvSummary, ConversationStatsModel, ProviderStatsHooks, StatsArgs, StatsGroupModel } from './types.js';

/** Each provider's part, from its adapter (`ProviderAdapter.stats`). */
export const STATS_HOOKS: ReadonlyMap<ProviderName, ProviderStatsHooks> = new Map(
  ADAPTERS.flatMap((a) => (a.stats ? [[a.stats.provider, a.stats] as const] : [])),
);

/** What the selection asks for beyond keys and counts. */
export interface Wanted {
  /** Any measure (rates, durations, …): counting alone will not do. */
  measures: boolean;
  /** `messages` or `firstResponse`: message reads where the list has none. */
  messages: boolean;
}

/** Vendor counts kept per process. @default 10000 */
const MAX_COUNT_CACHE = 10_000;

/** Parallel message reads of one query. */
const READ_CONCURRENCY = 8;

/** A conversation's place in the message-read order: a hash of its id (FNV-1a, then murmur3's finalizer). */
export function sampleOrder(s: Pick<ConvSummary, 'p' | 'id'>): number {
  let h = 0x811c9dc5;
  const text = `${s.p}:${s.id}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The bot a stream key names (`BOTONE:1446` → `1446`); null for a stream of several bots. */
export function botOfStream(key: string): string | null {
  const at = key.indexOf(':');
  if (at < 0) return null;
  const bot = key.slice(at + 1);
  return bot === '*' ? null : bot;
}

interface StreamPlan {
  provider: ProviderName;
  key: string;
  bot: string | null;
}

interface Collected {
  items: ConvSummary[];
  cells: CountCell[];
  unread: Unread[];
  calls: number;
}

export interface StatsDeps {
  bus: EventBus;
  pollers: PollerRegistry;
  store: SegmentStore;
  config: StatsConfig;
  logger: Logger;
  /** A context for computations no single request owns (subscription cohorts). */
  makeContext: () => Context;
}

export class StatsService {
  readonly hooks = STATS_HOOKS;
  /** Vendor counts: `[stream, bot, status, from, to]` → count, with when it was asked. */
  private readonly counts = new Map<string, { provider: ProviderName; from: number; to: number; count: number; fetchedAt: number }>();
  private readonly cohorts = new Map<string, Cohort>();
  private applying: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  /** Every stream key per provider, learned from the first query: an event removes a moved conversation from the others. */
  private readonly streamKeys = new Map<ProviderName, string[]>();

  constructor(private readonly deps: StatsDeps) {
    this.unsubscribe = deps.bus.subscribe(({ event }) => {
      // In order, one at a time: a cohort recomputes after the store took the change.
      this.applying = this.applying
        .then(() => this.apply(event))
        .catch((error: unknown) => {
          deps.logger.warn({ err: { message: (error as Error).message } }, 'stats: an event could not be applied');
        });
    });
  }

  /** Waits until every event received so far is in the aggregates (tests, cohorts). */
  settled(): Promise<void> {
    return this.applying;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const cohort of this.cohorts.values()) cohort.close();
    this.cohorts.clear();
    await this.deps.store.close();
  }

  private streamKeyOf(ctx: Context, c: ConversationModel): string {
    const ds = ctx.datasource(c.provider);
    const keys = ds.conversationStreams({}, c.botNativeId === null ? null : [c.botNativeId]).map((s) => s.key);
    const own = `${c.provider}:${c.botNativeId}`;
    return keys.includes(own) ? own : (keys[0] ?? c.provider);
  }

  private async apply(event: BotgraphEvent): Promise<void> {
    if (event.kind === 'message' || event.kind === 'entityChanged') return;
    const c = event.conversation;
    const hooks = this.hooks.get(c.provider);
    const ctx = this.deps.makeContext();
    if (!hooks || !ctx.enabled.includes(c.provider)) return;
    const summary = hooks.summarize(c, this.streamKeyOf(ctx, c));
    if (summary === null) return;
    for (const [key, entry] of this.counts)
      if (entry.provider === c.provider && summary.c >= entry.from && summary.c <= entry.to) this.counts.delete(key);
    await this.deps.store.upsert(summary, this.streamKeys.get(c.provider) ?? []);
    for (const cohort of this.cohorts.values()) if (cohort.args.providers.includes(c.provider)) cohort.changed();
  }

  /** Runs one stats query. */
  async query(ctx: Context, args: StatsArgs, wanted: Wanted, path?: ReadonlyArray<string | number>): Promise<ConversationStatsModel> {
    const now = Date.now();
    const plans: StreamPlan[] = [];
    for (const provider of args.providers) {
      const keys = ctx
        .datasource(provider)
        .conversationStreams({}, null)
        .map((s) => s.key);
      this.streamKeys.set(provider, keys);
      const bots = args.bots.get(provider);
      for (const key of keys) {
        const bot = botOfStream(key);
        if (bots && bot !== null && !bots.includes(bot)) continue;
        plans.push({ provider, key, bot });
      }
    }
    const perStream = Math.max(1, Math.floor(this.deps.config.maxCalls / Math.max(1, plans.length)));
    // A provider that fails is left out, reported once as a partial error, and makes the answer inexact.
    let failed = false;
    const results = await Promise.all(
      plans.map((plan) =>
        this.collect(ctx, plan, args, wanted, now, perStream).catch((error: unknown): Collected => {
          failed = true;
          if (error instanceof BotgraphError && path) ctx.reportPartial(error, path);
          else if (!(error instanceof BotgraphError)) throw error;
          return { items: [], cells: [], unread: [], calls: 1 };
        }),
      ),
    );
    const items = results.flatMap((r) => r.items);
    let calls = results.reduce((n, r) => n + r.calls, 0);
    if (wanted.messages) calls += await this.readMessages(ctx, items, args, now);

    const { groups, total, exact } = aggregate({
      items,
      cells: results.flatMap((r) => r.cells),
      unread: results.flatMap((r) => r.unread),
      args,
      hooks: this.hooks,
      now,
    });
    calls += await this.resolveKeys(ctx, groups);
    const notes = args.providers.flatMap((p) => this.hooks.get(p)?.notes ?? []);
    return { total, exact: exact && !failed, groups, timezone: args.timeZone, upstreamCalls: calls, notes };
  }

  private async collect(ctx: Context, plan: StreamPlan, args: StatsArgs, wanted: Wanted, now: number, budget: number): Promise<Collected> {
    const out: Collected = { items: [], cells: [], unread: [], calls: 0 };
    const hooks = this.hooks.get(plan.provider) as ProviderStatsHooks;
    const days: number[] = [];
    for (let d = utcDay(args.from); d <= args.to; d += DAY_MS) days.push(d);
    const segments = await this.deps.store.get(plan.key, days);
    const ttl = this.deps.config.openTtlMs;
    const need = days.filter((d) => {
      const seg = segments.get(d);
      return !seg || (seg.fetchedAt < d + DAY_MS && now - seg.fetchedAt > ttl);
    });
    for (const d of days) if (!need.includes(d)) out.items.push(...(segments.get(d) as { items: ConvSummary[] }).items);
    if (need.length === 0) return out;

    const byStatus = args.groupBy.includes('STATUS');
    const countable =
      !wanted.measures &&
      args.statuses === null &&
      args.updatedFrom === null &&
      args.updatedTo === null &&
      args.groupBy.every((d) => d === 'PROVIDER' || d === 'BOT' || d === 'STATUS') &&
      hooks.canCount(byStatus) &&
      need.length === days.length;

    // Contiguous runs of days to read, each one vendor range.
    const ranges: Array<[number, number]> = [];
    for (const d of need) {
      const last = ranges.at(-1);
      if (last && last[1] + 1 === d) last[1] = d + DAY_MS - 1;
      else ranges.push([d, d + DAY_MS - 1]);
    }
    for (const [from, to] of ranges) {
      const ds = ctx.datasource(plan.provider);
      const base: ConversationQuery = { createdFrom: new Date(from), createdTo: new Date(to) };
      const stream = ds.conversationStreams(hooks.countQuery?.(base) ?? base, null).find((s) => s.key === plan.key);
      if (!stream) continue;
      const startedAt = Date.now();
      const got: ConvSummary[] = [];
      let offset = 0;
      let state: string | null = null;
      let total: number | null = null;
      let done = false;
      while (!done && out.calls < budget) {
        const chunk = await stream.fetch(offset, hooks.pageSize, state);
        out.calls += hooks.fetchCalls ? hooks.fetchCalls(offset, chunk.total ?? 0) : 1;
        for (const c of chunk.items) {
          const s = hooks.summarize(c, plan.key);
          if (s) got.push(s);
        }
        total = chunk.total ?? total;
        done = chunk.done || chunk.items.length === 0;
        offset = (chunk.offsets?.at(-1) ?? offset + chunk.items.length - 1) + 1;
        state = chunk.state;
        if (!done && countable && ranges.length === 1 && total !== null) {
          const probe = { from, to, total };
          const cells = await this.countCells(ctx, plan, args, now, budget - out.calls, Math.ceil((total - offset) / hooks.pageSize), probe);
          if (cells) {
            out.cells.push(...cells.cells);
            out.calls += cells.calls;
            return out;
          }
        }
      }
      if (done) {
        const byDay = new Map<number, ConvSummary[]>();
        for (let d = from; d <= to; d += DAY_MS) byDay.set(d, []);
        for (const s of got) {
          const day = byDay.get(utcDay(s.c));
          // Only days of this range are stored complete; a straggler still counts in this answer.
          if (day) day.push(s);
        }
        await Promise.all([...byDay].map(([d, list]) => this.deps.store.put(plan.key, d, list, startedAt)));
        out.items.push(...got);
      } else {
        out.items.push(...got);
        const unread = Math.max(0, (total ?? got.length) - offset);
        out.unread.push({ provider: plan.provider, bot: plan.bot, from, to, unread, read: got.length });
      }
    }
    return out;
  }

  /**
   * Counts a stream by vendor totals, one call per cell (bucket × status × bot), when that is
   * cheaper than the `pagesLeft` a read still needs (or a read would not fit the budget and the
   * cells do). Null when reading is the better plan.
   */
  private async countCells(
    ctx: Context,
    plan: StreamPlan,
    args: StatsArgs,
    now: number,
    budget: number,
    pagesLeft: number,
    /** The page already read: its range and vendor total, which is a cell's count when the cell is that range. */
    probe: { from: number; to: number; total: number },
  ): Promise<{ cells: CountCell[]; calls: number } | null> {
    const hooks = this.hooks.get(plan.provider) as ProviderStatsHooks;
    const ds = ctx.datasource(plan.provider);
    const windows: Array<[number, number]> = [];
    if (args.bucket) {
      for (let b = bucketStart(args.from, args.bucket, args.timeZone); b <= args.to;) {
        const next = nextBucket(b, args);
        windows.push([Math.max(args.from, b), Math.min(args.to, next - 1)]);
        b = next;
      }
    } else windows.push([args.from, args.to]);
    const byStatus = args.groupBy.includes('STATUS');
    const statuses: Array<ConversationStatusName | null> = byStatus ? [null, ...hooks.countStatuses] : [null];
    let calls = 0;
    let bots: Array<string | null> = [plan.bot];
    if (args.groupBy.includes('BOT') && plan.bot === null) {
      const asked = args.bots.get(plan.provider);
      const all = asked ? null : await ds.listBots();
      if (!asked) calls++;
      bots = asked ?? (all as BotModel[]).map((b) => b.nativeId);
    } else if (plan.bot === null && args.bots.get(plan.provider)) {
      bots = [null];
    }
    const known = (from: number, to: number, status: ConversationStatusName | null, bot: string | null) =>
      status === null && from === probe.from && to === probe.to && (bot === plan.bot || bots.length === 1) ? probe.total : null;
    let cellCount = 0;
    for (const [from, to] of windows) for (const bot of bots) for (const status of statuses) if (known(from, to, status, bot) === null) cellCount++;
    // Counting wins a tie: its answer is exact at any size, and it leaves no page half-read.
    if (!(cellCount <= pagesLeft || (pagesLeft > budget && cellCount + calls <= budget))) return null;

    const onlyBots = plan.bot === null ? (args.bots.get(plan.provider) ?? null) : [plan.bot];
    const cells: CountCell[] = [];
    const ttl = this.deps.config.openTtlMs;
    await Promise.all(
      windows.flatMap(([from, to]) =>
        bots.map(async (bot) => {
          const perStatus = new Map<ConversationStatusName | null, number>();
          await Promise.all(
            statuses.map(async (status) => {
              const fromProbe = known(from, to, status, bot);
              if (fromProbe !== null) {
                perStatus.set(status, fromProbe);
                return;
              }
              const cacheKey = JSON.stringify([plan.key, bot, status, from, to, bot === null ? onlyBots : null]);
              const cached = this.counts.get(cacheKey);
              if (cached && (cached.fetchedAt > to || now - cached.fetchedAt <= ttl)) {
                perStatus.set(status, cached.count);
                return;
              }
              const fetchedAt = Date.now();
              let query: ConversationQuery = { createdFrom: new Date(from), createdTo: new Date(to), ...(status ? { statuses: [status] } : {}) };
              query = hooks.countQuery?.(query) ?? query;
              const streams = ds
                .conversationStreams(query, bot !== null ? [bot] : onlyBots)
                .filter((s) => s.key === plan.key || s.key.startsWith(`${plan.key}:`));
              let count = 0;
              for (const s of streams) {
                count += await s.count();
                calls++;
              }
              // Bounded: rolling windows make new keys; open entries past their TTL are swept first, then the oldest.
              if (this.counts.size >= MAX_COUNT_CACHE) {
                for (const [k, e] of this.counts) if (e.fetchedAt <= e.to && Date.now() - e.fetchedAt > ttl) this.counts.delete(k);
              }
              setBounded(this.counts, cacheKey, { provider: plan.provider, from, to, count, fetchedAt }, MAX_COUNT_CACHE);
              perStatus.set(status, count);
            }),
          );
          const all = perStatus.get(null) as number;
          if (!byStatus) {
            cells.push({ provider: plan.provider, stream: plan.key, bot, status: null, from, count: all });
            return;
          }
          let counted = 0;
          for (const status of hooks.countStatuses) {
            const n = perStatus.get(status) as number;
            counted += n;
            cells.push({ provider: plan.provider, stream: plan.key, bot, status, from, count: n });
          }
          cells.push({ provider: plan.provider, stream: plan.key, bot, status: 'UNKNOWN', from, count: Math.max(0, all - counted) });
        }),
      ),
    );
    // A cell's `from` is its bucket's start, which is what the group key wants.
    if (args.bucket) for (const cell of cells) cell.from = bucketStart(cell.from, args.bucket, args.timeZone);
    return { cells, calls };
  }

  /** Message reads for message measures, within STATS_MAX_DETAIL_READS; results go back into the store. */
  private async readMessages(ctx: Context, items: ConvSummary[], args: StatsArgs, now: number): Promise<number> {
    const todo = items
      .filter((s) => {
        const hooks = this.hooks.get(s.p);
        if (hooks?.messages !== 'read' || (s.m && s.mu === s.u)) return false;
        // Only what the query counts (its filter and the principal's scope).
        return matches(s, args, statusOf(s, this.hooks, now));
      })
      // A fixed pseudo-random order, so that the conversations read are a sample unrelated to their content (estimate.ts).
      .sort((a, b) => sampleOrder(a) - sampleOrder(b))
      .slice(0, this.deps.config.maxDetailReads);
    let calls = 0;
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const s = todo[next++] as ConvSummary;
        const hooks = this.hooks.get(s.p) as ProviderStatsHooks;
        try {
          const read = await (hooks.readMessages as NonNullable<ProviderStatsHooks['readMessages']>)(ctx.datasource(s.p), s);
          calls += read.calls;
          s.m = read.m;
          s.fr = hooks.messageTimes ? read.fr : null;
          s.mu = s.u;
          await this.deps.store.upsert(s, []);
        } catch (error) {
          // One conversation's messages failing leaves it out of the message measures, which say how many they cover.
          calls++;
          this.deps.logger.debug({ provider: s.p, err: { message: (error as Error).message } }, 'stats: message read failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, todo.length) }, worker));
    return calls;
  }

  /** Fills each group's key, resolving bots through the request's DataLoaders (one batch per provider). */
  private async resolveKeys(ctx: Context, groups: StatsGroupModel[]): Promise<number> {
    await Promise.all(
      groups.map(async (g) => {
        const p = g.parts;
        let bot: BotModel | null | undefined;
        if (p.bot !== undefined && p.provider !== undefined) {
          bot =
            p.bot === null
              ? null
              : await ctx
                  .datasource(p.provider)
                  .getBot(p.bot)
                  .catch(() => null);
        }
        g.key = {
          ...(p.provider !== undefined ? { provider: p.provider } : {}),
          ...(bot !== undefined ? { bot } : {}),
          ...(p.status !== undefined ? { status: p.status } : {}),
          ...(p.handoff !== undefined ? { handoff: p.handoff } : {}),
          ...(p.channel !== undefined ? { channel: p.channel } : {}),
          ...(p.location !== undefined ? { location: p.location } : {}),
          ...(p.intent !== undefined ? { intent: p.intent } : {}),
          ...(p.hourOfDay !== undefined ? { hourOfDay: p.hourOfDay } : {}),
          ...(p.dayOfWeek !== undefined ? { dayOfWeek: p.dayOfWeek } : {}),
          ...(p.bucketStart !== undefined ? { bucketStart: new Date(p.bucketStart) } : {}),
        };
      }),
    );
    // Bot reads are DataLoader batches the simulators count; they are not worth a separate figure.
    return 0;
  }

  // ------------------------------------------------------------------------------ live cohorts

  /**
   * A subscription's stream of results: the first is the whole result, later ones only the groups
   * that changed. Subscribers with the same `cohortKey` share one cohort and one computation.
   */
  subscribe(ctx: Context, cohortKey: string, args: StatsArgs, wanted: Wanted): AsyncIterableIterator<ConversationStatsModel> {
    let cohort = this.cohorts.get(cohortKey);
    if (!cohort) {
      const topics = args.providers.flatMap((provider) => {
        if (!ctx.enabled.includes(provider)) return [];
        const runtime = ctx.runtime(provider);
        return ctx
          .datasource(provider)
          .conversationStreams({}, null)
          .map((s) => conversationTopic(runtime, s.key, null));
      });
      const created: Cohort = new Cohort(
        args,
        () => {
          const now = Date.now();
          const current = args.rolling ? { ...args, from: now - (args.to - args.from), to: now } : args;
          return this.query(this.deps.makeContext(), current, wanted);
        },
        topics.map((t) => this.deps.pollers.hold(t)),
        () => {
          if (this.cohorts.get(cohortKey) === created) this.cohorts.delete(cohortKey);
        },
        this.deps.logger,
      );
      cohort = created;
      this.cohorts.set(cohortKey, cohort);
    }
    return cohort.join();
  }

  /** How many cohorts compute right now, and how often each did (tests, metrics). */
  cohortSnapshot(): Array<{ key: string; subscribers: number; computations: number }> {
    return [...this.cohorts].map(([key, c]) => ({ key, subscribers: c.subscribers.size, computations: c.computations }));
  }
}

function nextBucket(start: number, args: StatsArgs): number {
  const step = args.bucket === 'HOUR' ? 3_600_000 : args.bucket === 'DAY' ? DAY_MS : 7 * DAY_MS;
  // A little past one step, then back to the bucket's start: DST days are 23 or 25 hours long.
  return bucketStart(start + step + 2 * 3_600_000, args.bucket as NonNullable<StatsArgs['bucket']>, args.timeZone);
}

/** One distinct stats subscription: one computation per change, pushed to every subscriber. */
class Cohort {
  readonly subscribers = new Set<Subscriber>();
  computations = 0;
  private last: ConversationStatsModel | null = null;
  private lastGroups = new Map<string, string>();
  private running: Promise<void> | null = null;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly args: StatsArgs,
    private readonly compute: () => Promise<ConversationStatsModel>,
    private readonly releases: Array<() => void>,
    private readonly onEmpty: () => void,
    private readonly logger: Logger,
  ) {}

  join(): AsyncIterableIterator<ConversationStatsModel> {
    const sub = new Subscriber(() => {
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.close();
    });
    this.subscribers.add(sub);
    if (this.last) sub.push(this.last);
    else this.changed();
    return sub;
  }

  /** Something this cohort may show changed: recompute soon, once for a burst of events. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.running || this.timer) return;
    // A burst of events (one poll publishes several) costs one computation.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run().finally(() => {
        this.running = null;
        if (this.dirty) this.changed();
      });
    }, 20);
  }

  private async run(): Promise<void> {
    this.dirty = false;
    let result: ConversationStatsModel;
    try {
      result = await this.compute();
      this.computations++;
    } catch (error) {
      this.logger.warn({ err: { message: (error as Error).message } }, 'stats: a live computation failed; the next event retries');
      return;
    }
    const groups = new Map(result.groups.map((g) => [g.id, JSON.stringify({ ...g, key: undefined })]));
    if (this.last === null) {
      this.last = result;
      this.lastGroups = groups;
      for (const s of this.subscribers) s.push(result);
      return;
    }
    const changed: StatsGroupModel[] = result.groups.filter((g) => this.lastGroups.get(g.id) !== groups.get(g.id));
    // A group that emptied is pushed once with a zero count, so a dashboard drops it.
    for (const [id] of this.lastGroups) {
      if (groups.has(id)) continue;
      const gone = this.last.groups.find((g) => g.id === id);
      if (gone)
        changed.push({
          ...gone,
          count: 0,
          countLow: 0,
          countHigh: 0,
          basis: 0,
          messages: null,
          duration: null,
          firstResponse: null,
          intentConfidence: null,
        });
    }
    this.last = result;
    this.lastGroups = groups;
    if (changed.length === 0) return;
    const delta = { ...result, groups: changed };
    for (const s of this.subscribers) s.push(delta);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const release of this.releases) release();
    for (const s of [...this.subscribers]) void s.return();
    this.onEmpty();
  }
}

/** One subscriber's queue; returning it leaves the cohort. */
class Subscriber implements AsyncIterableIterator<ConversationStatsModel> {
  private readonly queue: ConversationStatsModel[] = [];
  private pending: ((r: IteratorResult<ConversationStatsModel>) => void) | undefined;
  private done = false;

  constructor(private readonly onReturn: () => void) {}

  push(value: ConversationStatsModel): void {
    if (this.done) return;
    if (this.pending) {
      const resolve = this.pending;
      this.pending = undefined;
      resolve({ value, done: false });
    } else this.queue.push(value);
  }

  async next(): Promise<IteratorResult<ConversationStatsModel>> {
    const value = this.queue.shift();
    if (value) return { value, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  async return(): Promise<IteratorResult<ConversationStatsModel>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.pending?.({ value: undefined, done: true });
      this.pending = undefined;
      this.onReturn();
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ConversationStatsModel>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConversationStatsModel> {
    return this;
  }
}

export { partsId };
