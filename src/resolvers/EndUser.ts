import type { EndUserResolvers } from '../__generated__/resolvers-types.js';
import { encodeId } from '../ids.js';
import { adapterOf } from '../providers/registry.js';
import { listConversations } from './conversationList.js';

export const EndUser: EndUserResolvers = {
  id: (u) => encodeId({ provider: u.provider, type: 'EndUser', nativeId: u.nativeId, scope: u.idScope }),
  // Vendor-only fields, from the adapters that have them (`ProviderAdapter.endUserFields`).
  userKey: (u) => adapterOf(u.provider).endUserFields?.userKey(u.raw) ?? null,
  params: (u) => adapterOf(u.provider).endUserFields?.params(u.raw) ?? null,
  raw: (u) => u.raw ?? null,
  conversations: (u, args, ctx, info) =>
    listConversations(ctx, info, args, {
      provider: u.provider,
      endUserNativeId: u.nativeId,
      ...(u.botNativeId ? { botNativeIds: [u.botNativeId] } : {}),
    }),
};
