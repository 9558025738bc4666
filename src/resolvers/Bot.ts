import type { BotResolvers } from '../__generated__/resolvers-types.js';
import { encodeId } from '../ids.js';
import { listConversations } from './conversationList.js';

export const Bot: BotResolvers = {
  id: (bot) => encodeId({ provider: bot.provider, type: 'Bot', nativeId: bot.nativeId, scope: [] }),
  conversations: (bot, args, ctx, info) => listConversations(ctx, info, args, { provider: bot.provider, botNativeIds: [bot.nativeId] }),
  flows: (bot, _args, ctx) => ctx.datasource(bot.provider).listFlows(bot.nativeId),
};
