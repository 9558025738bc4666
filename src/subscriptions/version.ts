import type { ConversationModel, MessageModel } from '../models.js';

/**
 * A conversation's version: what must differ for a change to count. The same state reached by a
 * mutation, a webhook and a poll has the same version, so the bus logs it once.
 */
export function conversationVersion(c: ConversationModel): string {
  // Only what every source of a provider fills in: Bot.one's list (what its poller reads) has no
  // `data`, so no message count, while a mutation's re-read (the detail) has one. Counting it would
  // make the same state two versions, announced twice.
  const count = c.provider === 'BOTONE' ? '' : (c.messageCount ?? '');
  return [c.updatedAt?.getTime() ?? '', c.status, c.handoff, count, c.botNativeId ?? ''].join('|');
}

export const dedupeKeys = {
  conversation: (c: ConversationModel) => `c:${c.provider}:${c.nativeId}:${conversationVersion(c)}`,
  message: (m: MessageModel) => `m:${m.provider}:${m.conversationNativeId}:${m.nativeId}`,
  handoffRequested: (c: ConversationModel) => `h:${c.provider}:${c.nativeId}:${handoffSince(c)}`,
};

/**
 * When the current handoff began: CLOSER's `context.manual.updatedAt` where given, else the last
 * change. A request must keep one key while the conversation goes on changing: the webhook's
 * `agent_call_requested` and a poll that lists the conversation a message later are one request.
 */
function handoffSince(c: ConversationModel): string {
  if (c.provider === 'CLOSER') {
    const at = (c.raw as { context?: { manual?: { updatedAt?: unknown } | null } | null } | null)?.context?.manual?.updatedAt;
    const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (!Number.isNaN(ms)) return String(ms);
  }
  return String(c.updatedAt?.getTime() ?? '');
}

/** Whether a conversation is waiting for or with a human: its messages are polled faster. */
export function inHandoff(c: Pick<ConversationModel, 'handoff' | 'status'>): boolean {
  return c.handoff !== 'BOT' || c.status === 'WITH_OPERATOR';
}
