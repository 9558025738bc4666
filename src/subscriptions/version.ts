import type { ConversationModel, MessageModel } from '../models.js';

/**
 * A conversation's version: what must differ for a change to count. The same state reached by a
 * mutation, a webhook and a poll has the same version, so the bus logs it once.
 */
export function conversationVersion(c: ConversationModel): string {
  return [c.updatedAt?.getTime() ?? '', c.status, c.handoff, c.messageCount ?? '', c.botNativeId ?? ''].join('|');
}

export const dedupeKeys = {
  conversation: (c: ConversationModel) => `c:${c.provider}:${c.nativeId}:${conversationVersion(c)}`,
  message: (m: MessageModel) => `m:${m.provider}:${m.conversationNativeId}:${m.nativeId}`,
  handoffRequested: (c: ConversationModel) => `h:${c.provider}:${c.nativeId}:${c.updatedAt?.getTime() ?? ''}`,
};

/** Whether a conversation is waiting for or with a human: its messages are polled faster. */
export function inHandoff(c: Pick<ConversationModel, 'handoff' | 'status'>): boolean {
  return c.handoff !== 'BOT' || c.status === 'WITH_OPERATOR';
}
