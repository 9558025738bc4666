/**
 * `Query.conversationStats`, `Subscription.conversationStatsChanged` and the ConversationStats type.
 * The work is in src/stats/; these only parse arguments and hand the models over.
 */
import { responsePathAsArray } from 'graphql';
import type { ConversationStatsResolvers, QueryResolvers, SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { cohortKey, parseStatsArgs, wantedOf } from '../stats/args.js';
import type { StatsService } from '../stats/service.js';
import type { ConversationStatsModel } from '../stats/types.js';

function service(ctx: Context): StatsService {
  if (!ctx.stats) throw new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Stats are not available in this process.');
  return ctx.stats;
}

export const conversationStatsQuery: Pick<QueryResolvers, 'conversationStats'> = {
  conversationStats: async (_parent, args, ctx, info) => {
    const parsed = parseStatsArgs(ctx, args);
    return service(ctx).query(ctx, parsed, wantedOf(info), responsePathAsArray(info.path));
  },
};

export const conversationStatsSubscription: Pick<SubscriptionResolvers, 'conversationStatsChanged'> = {
  conversationStatsChanged: {
    subscribe: async (_parent, args, ctx, info) => {
      const parsed = parseStatsArgs(ctx, args);
      const wanted = wantedOf(info);
      return service(ctx).subscribe(ctx, cohortKey(parsed, wanted, ctx.principal.scopeKey), parsed, wanted) as never;
    },
    resolve: (result: ConversationStatsModel) => result as never,
  },
};

export const ConversationStats: ConversationStatsResolvers = {};
