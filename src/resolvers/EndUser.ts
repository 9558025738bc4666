import type { EndUserResolvers } from '../__generated__/resolvers-types.js';
import { encodeId } from '../ids.js';
import { listConversations } from './conversationList.js';

function stringField(raw: unknown, key: string): string | null {
  const value = (raw as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' ? value : null;
}

export const EndUser: EndUserResolvers = {
  id: (u) => encodeId({ provider: u.provider, type: 'EndUser', nativeId: u.nativeId, scope: u.idScope }),
  userKey: (u) => (u.provider === 'CLOSER' ? stringField(u.raw, 'userKey') : null),
  params: (u) => (u.provider === 'CLOSER' ? ((u.raw as { params?: unknown } | null)?.params ?? null) : null),
  raw: (u) => u.raw ?? null,
  conversations: (u, args, ctx, info) =>
    listConversations(ctx, info, args, {
      provider: u.provider,
      endUserNativeId: u.nativeId,
      ...(u.botNativeId ? { botNativeIds: [u.botNativeId] } : {}),
    }),
};
