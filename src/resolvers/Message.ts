import type { AttachmentResolvers, MessageResolvers } from '../__generated__/resolvers-types.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { encodeId } from '../ids.js';
import type { AttachmentModel, MessageModel } from '../models.js';
import { adapterOf } from '../providers/registry.js';
import { fileUrl } from './Conversation.js';

/**
 * A provider that serves files (`ProviderAdapter.files`) keeps them behind its own auth: a browser
 * can only open them through botgraph's `/files/<provider>/<id>`, so that is the URL clients get,
 * in attachments and in the text.
 */
function ownFileUrl(m: MessageModel, url: string | null): string | null {
  const files = adapterOf(m.provider).files;
  if (!files || !url) return url;
  const id = files.fileIdFromUrl(url);
  return id ? fileUrl(m.provider, id) : url;
}

export const Message: MessageResolvers = {
  id: (m) =>
    encodeId({
      provider: m.provider,
      type: 'Message',
      nativeId: m.nativeId,
      scope: [m.conversationNativeId, ...m.conversationIdScope],
    }),
  text: (m) => (m.attachments.some((a) => a.kind === 'file' && a.url === m.text) ? ownFileUrl(m, m.text) : m.text),
  attachments: (m): AttachmentModel[] => m.attachments.map((a) => (a.kind === 'file' ? { ...a, url: ownFileUrl(m, a.url) } : a)),
  conversation: async (m, _args, ctx) => {
    const conversation = await ctx.datasource(m.provider).getConversation(m.conversationNativeId, m.conversationIdScope);
    if (!conversation) {
      throw new BotgraphError(ErrorCode.NOT_FOUND, `The conversation of this message no longer exists.`, { provider: m.provider });
    }
    return conversation;
  },
};

/** The fields a vendor's attachment may lack (only CLOSER's cards and locations have them) read as none. */
export const Attachment: AttachmentResolvers = {
  buttons: (a) => a.buttons ?? [],
};
