import type { MessageResolvers } from '../__generated__/resolvers-types.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { encodeId } from '../ids.js';

export const Message: MessageResolvers = {
  id: (m) =>
    encodeId({
      provider: m.provider,
      type: 'Message',
      nativeId: m.nativeId,
      scope: [m.conversationNativeId, ...m.conversationIdScope],
    }),
  conversation: async (m, _args, ctx) => {
    const conversation = await ctx.datasource(m.provider).getConversation(m.conversationNativeId, m.conversationIdScope);
    if (!conversation) {
      throw new BotgraphError(ErrorCode.NOT_FOUND, `The conversation of this message no longer exists.`, { provider: m.provider });
    }
    return conversation;
  },
};
