import type { EndUserResolvers } from '../__generated__/resolvers-types.js';
import { encodeId } from '../ids.js';
import { listConversations } from './conversationList.js';

export const EndUser: EndUserResolvers = {
  id: (u) => encodeId({ provider: u.provider, type: 'EndUser', nativeId: u.nativeId, scope: u.idScope }),
  conversations: (u, args, ctx, info) =>
    listConversations(ctx, info, args, {
      provider: u.provider,
      endUserNativeId: u.nativeId,
      ...(u.botNativeId ? { botNativeIds: [u.botNativeId] } : {}),
    }),
};
