/** StatsGroup and StatsKey: plain models from src/stats/aggregate.ts; the key's bot is resolved there. */
import type { StatsGroupResolvers, StatsKeyResolvers } from '../__generated__/resolvers-types.js';

export const StatsGroup: StatsGroupResolvers = {};
export const StatsKey: StatsKeyResolvers = {};
