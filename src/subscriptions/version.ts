import type { ConversationModel, MessageModel } from '../models.js';
import { adapterOf } from '../providers/registry.js';

/**
 * A conversation's version: what must differ for a change to count. The same state reached by a
 * mutation, a webhook and a poll has the same version, so the bus logs it once.
 */
export function conversationVersion(c: ConversationModel): string {
  // Only what every source of a provider fills in: where its poller's list lacks the message count
  // and a mutation's re-read has it, counting it would make one state two versions, announced twice.
  const count = adapterOf(c.provider).events?.versionCountsMessages === false ? '' : (c.messageCount ?? '');
  return [c.updatedAt?.getTime() ?? '', c.status, c.handoff, count, c.botNativeId ?? ''].join('|');
}

export const dedupeKeys = {
  conversation: (c: ConversationModel) => `c:${c.provider}:${c.nativeId}:${conversationVersion(c)}`,
  message: (m: MessageModel) => `m:${m.provider}:${m.conversationNativeId}:${m.nativeId}`,
  handoffRequested: (c: ConversationModel) => `h:${c.provider}:${c.nativeId}:${handoffSince(c)}`,
};

/**
 * When the current handoff began: the provider's own answer where it has one (`EventRules.handoffSince`),
 * else the last change. A request must keep one key while the conversation goes on changing: a
 * webhook's request and a poll that lists the conversation a message later are one request.
 */
function handoffSince(c: ConversationModel): string {
  const since = adapterOf(c.provider).events?.handoffSince?.(c) ?? null;
  return String(since ?? c.updatedAt?.getTime() ?? '');
}

/** Whether a conversation is waiting for or with a human: its messages are polled faster. */
export function inHandoff(c: Pick<ConversationModel, 'handoff' | 'status'>): boolean {
  return c.handoff !== 'BOT' || c.status === 'WITH_OPERATOR';
}
