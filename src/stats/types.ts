/**
 * The analytics models. A conversation is kept as a small {@link ConvSummary} (what every measure
 * needs, nothing else), so that a day of a stream fits in memory or one Redis hash.
 */
import type { ConversationModel, ConversationStatusName, HandoffStateName, ProviderName } from '../models.js';
import type { BotModel } from '../models.js';
import type { ProviderDatasource } from '../datasources/types.js';
import type { TimeBucketName } from './time.js';
import type { EstimateModel } from './estimate.js';

export type StatsDimensionName = 'PROVIDER' | 'BOT' | 'STATUS' | 'HANDOFF' | 'CHANNEL' | 'LOCATION' | 'INTENT' | 'HOUR_OF_DAY' | 'DAY_OF_WEEK';

/** Message counts by sender, in MessageSender order: END_USER, BOT, OPERATOR, SYSTEM. */
export type SenderCounts = [number, number, number, number];

/** One conversation as the aggregates keep it. Short keys: thousands are stored per stream and day. */
export interface ConvSummary {
  p: ProviderName;
  id: string;
  /** The conversation stream it was listed in (`CLOSER`, `BOTONE:1446`, `CXONE:1327`). */
  s: string;
  /** Its global ID scope, for a later message read. */
  sc: string[];
  b: string | null;
  st: ConversationStatusName;
  ho: HandoffStateName;
  /** True when a human was involved or asked for at any point the vendor shows. */
  hf: boolean;
  ch: string | null;
  loc: string | null;
  /** createdAt, updatedAt (epoch ms), duration (s). */
  c: number;
  u: number | null;
  d: number | null;
  /** Messages by sender and first-response seconds, when known (CXone: from the list; others: after a read). */
  m?: SenderCounts | null;
  fr?: number | null;
  /** The updatedAt the message fields were read at: a newer updatedAt makes them stale. */
  mu?: number | null;
  /** CXone: the most frequent top intent, user turns, fallback turns, best-intent confidences. */
  it?: string | null;
  ut?: number;
  fb?: number;
  cf?: number[];
  /** CXone: an ACTIVE conversation becomes INTERRUPTED after this instant (its status depends on the clock). */
  ia?: number | null;
}

/** What a provider contributes to analytics; one per vendor in `src/providers/<vendor>/stats.ts`. */
export interface ProviderStatsHooks {
  provider: ProviderName;
  /** Null when the conversation has no creation time (analytics cannot place it). */
  summarize(conversation: ConversationModel, streamKey: string): ConvSummary | null;
  /** Narrows every stats read and count to what analytics can place (Bot.one: only conversations with a time). */
  countQuery?(query: import('../datasources/types.js').ConversationQuery): import('../datasources/types.js').ConversationQuery;
  /** The status now; the default is the stored one (CXone ages ACTIVE into INTERRUPTED). */
  statusNow?(summary: ConvSummary, now: number): ConversationStatusName;
  /**
   * Whether the vendor can count this stream's conversations in one call with a created range
   * and, when `byStatus`, one status (see `countStatuses`).
   */
  canCount(byStatus: boolean): boolean;
  /** The statuses one call can count; the rest is the total minus these. */
  countStatuses: readonly ConversationStatusName[];
  /** Vendor calls one stream fetch made, when not one (Bot.one reads a listing's pages at its first fetch). */
  fetchCalls?(offset: number, total: number): number;
  /** The largest page the vendor lists: a backfill reads in pages of this. */
  pageSize: number;
  /** Whether message measures are in the list already (CXone), need a read per conversation, or do not exist. */
  messages: 'listed' | 'read' | 'none';
  /** Whether messages carry times, so that first response can be measured. */
  messageTimes: boolean;
  /** Reads one conversation's messages (`messages: 'read'`): counts by sender and first response. */
  readMessages?(ds: ProviderDatasource, summary: ConvSummary): Promise<{ m: SenderCounts; fr: number | null; calls: number }>;
  /** What is exact, estimated or unavailable for this provider, and why (also in docs/stats.md). */
  notes: StatsNoteModel[];
}

export interface StatsNoteModel {
  provider: ProviderName;
  measure: string;
  kind: 'exact' | 'estimated' | 'unavailable';
  reason: string;
}

export interface StatsArgs {
  providers: ProviderName[];
  /** Per provider: the native bot ids asked for (or the principal's scope allows); absent: all of that provider's. */
  bots: Map<ProviderName, string[]>;
  statuses: ConversationStatusName[] | null;
  from: number;
  to: number;
  /** No `createdTo` was given: a live computation moves the window with the clock. */
  rolling: boolean;
  updatedFrom: number | null;
  updatedTo: number | null;
  groupBy: StatsDimensionName[];
  bucket: TimeBucketName | null;
  timeZone: string;
  threshold: number;
  /** Confidence level of the estimates' intervals. */
  confidence: number;
}

export interface StatsKeyModel {
  provider?: ProviderName | null;
  bot?: BotModel | null;
  status?: ConversationStatusName | null;
  handoff?: HandoffStateName | null;
  channel?: string | null;
  location?: string | null;
  intent?: string | null;
  hourOfDay?: number | null;
  dayOfWeek?: number | null;
  bucketStart?: Date | null;
}

export interface DurationStatsModel {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  meanEstimate?: EstimateModel | null;
  p50Estimate?: EstimateModel | null;
  p90Estimate?: EstimateModel | null;
}

export interface StatsGroupModel {
  /** Canonical key string, for diffs and ordering. */
  id: string;
  /** The key's raw parts; `key` is filled (bots resolved) before it is returned. */
  parts: KeyParts;
  key: StatsKeyModel;
  count: number;
  exact: boolean;
  countLow: number;
  countHigh: number;
  basis: number;
  messages: {
    total: number;
    endUser: number;
    bot: number;
    operator: number;
    system: number;
    conversations: number;
    exact: boolean;
    estimate: Record<'total' | 'endUser' | 'bot' | 'operator' | 'system' | 'perConversation', EstimateModel>;
  } | null;
  handoffCount: number | null;
  handoffRate: number | null;
  completionRate: number | null;
  interruptionRate: number | null;
  abandonmentRate: number | null;
  duration: DurationStatsModel | null;
  fallbackRate: number | null;
  intentConfidence: {
    turns: number;
    mean: number | null;
    shareBelow: number | null;
    threshold: number;
    meanEstimate: EstimateModel | null;
    shareBelowEstimate: EstimateModel | null;
  } | null;
  fallbackRateEstimate: EstimateModel | null;
  firstResponse: DurationStatsModel | null;
}

export interface KeyParts {
  provider?: ProviderName;
  bot?: string | null;
  status?: ConversationStatusName;
  handoff?: HandoffStateName;
  channel?: string | null;
  location?: string | null;
  intent?: string | null;
  hourOfDay?: number;
  dayOfWeek?: number;
  bucketStart?: number;
}

export interface ConversationStatsModel {
  total: number;
  exact: boolean;
  groups: StatsGroupModel[];
  timezone: string;
  upstreamCalls: number;
  notes: StatsNoteModel[];
}
