import type { ConversationResolvers } from '../__generated__/resolvers-types.js';
import { fetchedAtOf } from '../datasources/cache.js';
import { encodeId } from '../ids.js';
import type { ProviderName } from '../models.js';
import { offsetConnectionBothWays } from '../pagination/connection.js';
import { adapterOf } from '../providers/registry.js';

/** Where botgraph serves a vendor file; the vendor's own URL and credentials never reach the browser. */
export function fileUrl(provider: ProviderName, fileId: string): string {
  return `/files/${adapterOf(provider).slug}/${encodeURIComponent(fileId)}`;
}

export const Conversation: ConversationResolvers = {
  id: (c) => encodeId({ provider: c.provider, type: 'Conversation', nativeId: c.nativeId, scope: c.idScope }),
  bot: (c, _args, ctx) => (c.botNativeId ? ctx.datasource(c.provider).getBot(c.botNativeId) : null),
  endUser: (c, _args, ctx) => c.endUser ?? (c.endUserNativeId ? ctx.datasource(c.provider).getEndUser(c.endUserNativeId, []) : null),
  messageCount: async (c) => {
    if (c.messageCount !== null) return c.messageCount;
    if (c.embeddedMessages) return c.embeddedMessages.length;
    return null;
  },
  messages: (c, args, ctx) =>
    offsetConnectionBothWays('messages', args, 50, (offset, limit) => ctx.datasource(c.provider).listMessages(c, offset, limit)),
  fetchedAt: (c, _args, ctx) => {
    const at = fetchedAtOf(c.raw) ?? ctx.operation?.oldestRead;
    return at === undefined || at === null ? null : new Date(at);
  },
  trackerEvents: (c, { types }) => (types?.length ? c.trackerEvents.filter((e) => types.includes(e.type)) : c.trackerEvents),
  collectedData: async (c, _args, ctx) => {
    const full = c.collectedData ? c : await ctx.datasource(c.provider).conversationDetail(c);
    // Each datum learns its provider, for its `fileUrl`.
    return (full.collectedData ?? []).map((d) => ({ ...d, provider: c.provider }));
  },
};

export const CollectedDatum = {
  // A deleted file is gone at the vendor too; a link to it would only 404.
  fileUrl: (d: { provider?: ProviderName; fileId: string | null; deleted: boolean }) =>
    d.fileId && !d.deleted && d.provider ? fileUrl(d.provider, d.fileId) : null,
};
