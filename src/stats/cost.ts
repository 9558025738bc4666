/**
 * What a stats query weighs in the cost limit (src/limits/cost.ts): its upstream budget. A field
 * that calls a vendor once weighs `WEIGHTS.UPSTREAM`; a stats query may make up to
 * STATS_MAX_CALLS calls, so it weighs `WEIGHTS.UPSTREAM × STATS_MAX_CALLS` (600 by default), on
 * HTTP and WebSocket alike. Message reads (STATS_MAX_DETAIL_READS) are cached per conversation and
 * are not charged again here. `StatsKey.bot` weighs like an object: bots are resolved once per
 * provider for all groups.
 */
import type { StatsConfig } from '../config.js';
import { WEIGHTS, type FieldWeights } from '../limits/cost.js';

export function statsCostWeights(config: Pick<StatsConfig, 'maxCalls'>): FieldWeights {
  const weight = WEIGHTS.UPSTREAM * config.maxCalls;
  return { 'Query.conversationStats': weight, 'Subscription.conversationStatsChanged': weight };
}
