/**
 * CLOSER payloads → unified models. Pure: no I/O, no clock. Values botgraph does not know map to
 * UNKNOWN (status) or the neutral default (handoff BOT, sender BOT), never to an error, because a
 * vendor adding a state must not take the whole graph down.
 */
import type {
  AttachmentModel,
  BotModel,
  CollectedDatumModel,
  ConversationModel,
  ConversationStatusName,
  EndUserModel,
  FlowModel,
  HandoffStateName,
  MessageModel,
  MessageSenderName,
  QuickReplyModel,
  RichMessage,
} from '../../models.js';
import type { CloserBot, CloserCard, CloserConversation, CloserEndUser, CloserFlow, CloserMessage, CloserMessageData } from './types.js';

/** `meta.sender.platform` of a message a human agent wrote in CLOSER's chat center (webhook docs). */
export const CLOSER_AGENT_SENDER_PLATFORM = 'closer-chat';

/** ISO string or epoch ms → Date; anything unparseable is null rather than an Invalid Date. */
export function toDate(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = typeof value === 'number' ? new Date(value) : new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function mapBot(raw: CloserBot): BotModel {
  return {
    provider: 'CLOSER',
    nativeId: raw.id,
    // A bot without a title still needs a name; its id is the only stable label.
    name: nonEmptyString(raw.title) ?? raw.id,
    description: nonEmptyString(raw.description),
    createdAt: toDate(raw.createdAt),
    updatedAt: toDate(raw.updatedAt),
    raw,
  };
}

/** `botNativeId` is the bot the flow was listed under, used when the payload omits its own `botId`. */
export function mapFlow(raw: CloserFlow, botNativeId: string): FlowModel {
  return {
    provider: 'CLOSER',
    nativeId: raw.id,
    botNativeId: raw.botId ?? botNativeId,
    name: nonEmptyString(raw.title) ?? raw.id,
    isDefault: raw.isDefault === true,
    nodes: (raw.nodes ?? []).map((n) => ({ nativeId: n.id, name: nonEmptyString(n.title) ?? null })),
    raw,
  };
}

export function mapEndUser(raw: CloserEndUser): EndUserModel {
  const platform = nonEmptyString(raw.platform);
  return {
    provider: 'CLOSER',
    nativeId: raw.id,
    // CLOSER reads end users by id alone.
    idScope: [],
    botNativeId: raw.botId ?? null,
    name: nonEmptyString(raw.params?.name),
    platform,
    channel: platform,
    raw,
  };
}

export function mapHandoff(manualStatus: string | null | undefined): HandoffStateName {
  switch (manualStatus) {
    case 'REQUESTED':
      return 'REQUESTED';
    case 'HANDOVER':
      return 'OPERATOR';
    default:
      // NONE, absent, or a state we do not know: the bot is the only party we can be sure of.
      return 'BOT';
  }
}

export function mapStatus(status: string | null | undefined, manualStatus: string | null | undefined): ConversationStatusName {
  switch (status) {
    case 'ACTIVE':
      return manualStatus === 'HANDOVER' ? 'WITH_OPERATOR' : 'ACTIVE';
    case 'COMPLETED':
      return 'COMPLETED';
    case 'INTERRUPTED':
      return 'INTERRUPTED';
    default:
      return 'UNKNOWN';
  }
}

/**
 * CLOSER conversations have no title. `params.title` wins when a flow set one; otherwise the
 * channel and the id's last 6 characters, which is what an agent can match in CLOSER's own UI.
 */
export function conversationTitle(raw: CloserConversation): string {
  const fromParams = nonEmptyString(raw.params?.title);
  if (fromParams) return fromParams;
  return `${nonEmptyString(raw.platform) ?? 'closer'} · ${raw.id.slice(-6)}`;
}

/**
 * A conversation's `params` are the variables its flows collected, so they are its collected data
 * (one entry per variable). An empty list rather than null: nothing more is to be had by a detail read.
 */
export function mapCollectedData(params: Record<string, unknown> | null | undefined): CollectedDatumModel[] {
  if (!params) return [];
  return Object.entries(params).map(([variable, value]) => ({
    question: null,
    answer: value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value),
    type: value === null || value === undefined ? null : Array.isArray(value) ? 'array' : typeof value,
    variable,
    deleted: false,
    fileId: null,
  }));
}

export function mapConversation(raw: CloserConversation): ConversationModel {
  const manual = raw.context?.manual?.status;
  const createdAt = toDate(raw.createdAt);
  const updatedAt = toDate(raw.updatedAt);
  const platform = nonEmptyString(raw.platform);
  return {
    provider: 'CLOSER',
    nativeId: raw.id,
    // CLOSER reads a conversation by its id alone.
    idScope: [],
    title: conversationTitle(raw),
    status: mapStatus(raw.context?.status, manual),
    handoff: mapHandoff(manual),
    botNativeId: raw.botId ?? null,
    endUserNativeId: raw.endUserId ?? null,
    endUser: null,
    channel: platform,
    location: nonEmptyString(raw.params?.location),
    ipAddress: null,
    createdAt,
    updatedAt,
    durationSeconds: createdAt && updatedAt ? Math.max(0, Math.round((updatedAt.getTime() - createdAt.getTime()) / 1000)) : null,
    // Not in CLOSER's payload; counting would cost a messages read per conversation.
    messageCount: null,
    tags: raw.tags ?? [],
    notes: raw.notes ?? null,
    collectedData: mapCollectedData(raw.params),
    trackerEvents: [],
    journey: [],
    embeddedMessages: null,
    raw,
  };
}

export function mapSender(raw: Pick<CloserMessage, 'isUser' | 'meta'>): MessageSenderName {
  if (raw.isUser) return 'END_USER';
  if (raw.meta?.sender?.platform === CLOSER_AGENT_SENDER_PLATFORM) return 'OPERATOR';
  return 'BOT';
}

/** The text a person would read first: the message text, else the first card's or the location's title. */
export function messageText(data: CloserMessageData | null | undefined): string | null {
  if (!data) return null;
  const text = nonEmptyString(data.text);
  if (text) return text;
  const card = data.cards?.map((c) => nonEmptyString(c.title)).find((t) => t !== null);
  if (card) return card;
  return nonEmptyString(data.location?.title);
}

export function messageAttachments(data: CloserMessageData | null | undefined): AttachmentModel[] {
  if (!data) return [];
  const out: AttachmentModel[] = [];
  if (data.media && (data.media.uri || data.media.contentType)) {
    out.push({ kind: 'media', url: data.media.uri ?? null, contentType: data.media.contentType ?? null, title: null });
  }
  for (const card of data.cards ?? []) {
    out.push({
      kind: 'card',
      // The card's link is what a click opens; its image is the fallback so that the picture is not lost.
      url: card.uri ?? card.media?.uri ?? null,
      contentType: card.uri ? null : (card.media?.contentType ?? null),
      title: card.title ?? null,
      description: nonEmptyString(card.description),
      // With a link in `url`, the image would be lost without its own field.
      imageUrl: card.uri ? (card.media?.uri ?? null) : null,
      buttons: cardButtons(card.buttons),
    });
  }
  const loc = data.location;
  if (loc) {
    const hasPoint = typeof loc.latitude === 'number' && typeof loc.longitude === 'number';
    out.push({
      kind: 'location',
      // RFC 5870 `geo:` URI, for clients that only read `url`; the coordinates have their own fields too.
      url: hasPoint ? `geo:${loc.latitude},${loc.longitude}` : null,
      contentType: null,
      title: loc.title ?? null,
      latitude: hasPoint ? loc.latitude : null,
      longitude: hasPoint ? loc.longitude : null,
    });
  }
  return out;
}

function cardButtons(buttons: CloserCard['buttons']): QuickReplyModel[] {
  const out: QuickReplyModel[] = [];
  for (const button of buttons ?? []) {
    const title = nonEmptyString(button.title) ?? nonEmptyString(button.payload);
    if (title) out.push({ title, payload: button.payload ?? null });
  }
  return out;
}

export function messageQuickReplies(data: CloserMessageData | null | undefined): QuickReplyModel[] {
  return (data?.cards ?? []).flatMap((card) => cardButtons(card.buttons));
}

export function mapMessage(raw: CloserMessage, conversationIdScope: string[] = []): MessageModel {
  return {
    provider: 'CLOSER',
    nativeId: raw.id,
    conversationNativeId: raw.conversationId,
    conversationIdScope,
    sender: mapSender(raw),
    text: messageText(raw.data),
    createdAt: toDate(raw.timestamp),
    quickReplies: messageQuickReplies(raw.data),
    attachments: messageAttachments(raw.data),
    intent: null,
    raw,
  };
}

/**
 * MESSAGE.DATA as botgraph sends it: the digest's `type: text | media | cards | location` with
 * `text`, `media{contentType, uri}`, `cards[{title, description, media, uri, buttons}]` and
 * `location{title, latitude, longitude}` (../shared/providers/README.md, the webhook MESSAGE.DATA).
 * The request body's shape is our choice (docs/providers/closer.md, "Sending messages"): the same
 * object the webhooks show, with only the fields given, because CLOSER's bodies are strict.
 */
export type CloserOutgoingData =
  | { type: 'text'; text: string }
  | { type: 'media'; media: { contentType: string; uri: string }; text?: string }
  | {
      type: 'cards';
      cards: Array<{
        title: string;
        description?: string;
        media?: { contentType: string; uri: string };
        uri?: string;
        buttons?: Array<{ title: string; payload: string }>;
      }>;
      text?: string;
    }
  | { type: 'location'; location: { title?: string; latitude: number; longitude: number } };

export function textData(text: string): CloserOutgoingData {
  return { type: 'text', text };
}

export function richData(message: RichMessage): CloserOutgoingData {
  const caption = message.text === null ? {} : { text: message.text };
  const { content } = message;
  switch (content.kind) {
    case 'media':
      return { type: 'media', media: { contentType: content.media.contentType, uri: content.media.url }, ...caption };
    case 'cards':
      return {
        type: 'cards',
        cards: content.cards.map((card) => ({
          title: card.title,
          ...(card.description === null ? {} : { description: card.description }),
          ...(card.image === null ? {} : { media: { contentType: card.image.contentType, uri: card.image.url } }),
          ...(card.url === null ? {} : { uri: card.url }),
          ...(card.buttons.length === 0 ? {} : { buttons: card.buttons.map((b) => ({ title: b.title, payload: b.payload })) }),
        })),
        ...caption,
      };
    case 'location':
      // A location has no caption in MESSAGE.DATA: its `title` is the caption (the resolvers refuse `text` with it).
      return {
        type: 'location',
        location: {
          ...(content.location.title === null ? {} : { title: content.location.title }),
          latitude: content.location.latitude,
          longitude: content.location.longitude,
        },
      };
  }
}
