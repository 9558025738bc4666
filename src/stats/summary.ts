/**
 * The parts of a summary every vendor shares; each vendor's `stats.ts` adds its own.
 */
import { conversationStandIn, type ConversationModel, type MessageModel } from '../models.js';
import type { ConvSummary, SenderCounts } from './types.js';

/** Null when the conversation has no creation time: analytics bucket by `createdAt` and cannot place it. */
export function baseSummary(c: ConversationModel, streamKey: string): ConvSummary | null {
  if (c.createdAt === null) return null;
  return {
    p: c.provider,
    id: c.nativeId,
    s: streamKey,
    sc: [...c.idScope],
    b: c.botNativeId,
    st: c.status,
    ho: c.handoff,
    hf: c.handoff !== 'BOT' || c.status === 'WITH_OPERATOR',
    ch: c.channel,
    loc: c.location,
    c: c.createdAt.getTime(),
    u: c.updatedAt?.getTime() ?? null,
    d: c.durationSeconds,
  };
}

const SENDER_INDEX = { END_USER: 0, BOT: 1, OPERATOR: 2, SYSTEM: 3 } as const;

/** Counts by sender, and seconds from the end user's first message to the first answer after it. */
export function messageMeasures(messages: readonly MessageModel[]): { m: SenderCounts; fr: number | null } {
  const m: SenderCounts = [0, 0, 0, 0];
  let firstUser: number | null = null;
  let fr: number | null = null;
  for (const msg of messages) {
    m[SENDER_INDEX[msg.sender]]++;
    const t = msg.createdAt?.getTime();
    if (t === undefined) continue;
    if (msg.sender === 'END_USER') {
      if (firstUser === null) firstUser = t;
    } else if (firstUser !== null && fr === null && (msg.sender === 'BOT' || msg.sender === 'OPERATOR') && t >= firstUser) {
      fr = (t - firstUser) / 1000;
    }
  }
  return { m, fr };
}

/** A stand-in conversation carrying what `listMessages` needs (id, scope, bot), with nothing listed. */
export function conversationRef(s: ConvSummary): ConversationModel {
  return conversationStandIn({
    provider: s.p,
    nativeId: s.id,
    idScope: [...s.sc],
    status: s.st,
    handoff: s.ho,
    botNativeId: s.b,
    channel: s.ch,
    location: s.loc,
    createdAt: new Date(s.c),
    updatedAt: s.u === null ? null : new Date(s.u),
    durationSeconds: s.d,
  });
}
