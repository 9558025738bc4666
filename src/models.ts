/**
 * The unified models. Every datasource maps its vendor's payloads into these inside
 * `src/providers/<vendor>/mapper.ts`; resolvers only add relationships and computed fields.
 * Codegen's `mappers` point the GraphQL types at these, so a resolver's parent is always one of them.
 */

/** The providers are the adapters in `src/providers/registry.ts` (`PROVIDERS` lists them at runtime). */
export type { ProviderName } from './providers/registry.js';
import type { ProviderName } from './providers/registry.js';

export type ConversationStatusName = 'ACTIVE' | 'WITH_OPERATOR' | 'COMPLETED' | 'INTERRUPTED' | 'UNKNOWN';
export const CONVERSATION_STATUSES: readonly ConversationStatusName[] = ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN'];
export type HandoffStateName = 'BOT' | 'REQUESTED' | 'OPERATOR';
export type MessageSenderName = 'END_USER' | 'BOT' | 'OPERATOR' | 'SYSTEM';
export type CapabilityName =
  | 'READ_MESSAGES'
  | 'SEND_MESSAGES'
  | 'RICH_MESSAGES'
  | 'HANDOFF'
  | 'TRANSFER'
  | 'CREATE_CONVERSATIONS'
  | 'TRACKER_EVENTS'
  | 'FILES'
  | 'CUSTOM_BLOCKS'
  | 'WEBHOOKS';

export interface BotModel {
  provider: ProviderName;
  nativeId: string;
  name: string;
  description: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  raw: unknown;
}

export interface FlowModel {
  provider: ProviderName;
  nativeId: string;
  botNativeId: string;
  name: string;
  isDefault: boolean;
  /** The flow's nodes as the vendor lists them (CLOSER: `{id, title}`). */
  nodes: Array<{ nativeId: string; name: string | null }>;
  /** The vendor's object exactly as sent. */
  raw: unknown;
}

export interface EndUserModel {
  provider: ProviderName;
  nativeId: string;
  /** What a later `getEndUser` needs besides the native id (CXone: a conversation of this customer). */
  idScope: string[];
  /** The bot the end user talks to, where the vendor says. */
  botNativeId: string | null;
  name: string | null;
  platform: string | null;
  channel: string | null;
  raw: unknown;
}

export interface CollectedDatumModel {
  question: string | null;
  answer: string | null;
  type: string | null;
  variable: string | null;
  deleted: boolean;
  /** The vendor's file id when the answer is an uploaded file; the resolver turns it into a botgraph URL. */
  fileId: string | null;
  /** Set by `Conversation.collectedData`: whose file server `fileId` belongs to. */
  provider?: ProviderName;
}

export interface IntentModel {
  name: string;
  confidence: number | null;
}

export interface QuickReplyModel {
  title: string;
  payload: string | null;
}

export interface AttachmentModel {
  kind: 'media' | 'card' | 'location' | 'file';
  url: string | null;
  contentType: string | null;
  title: string | null;
  /** A card's description; absent: none. */
  description?: string | null;
  /** A card's image when the card also has a link (`url` is the link then); absent: none. */
  imageUrl?: string | null;
  /** A location's coordinates; absent for every other kind. */
  latitude?: number | null;
  longitude?: number | null;
  /** A card's buttons; absent: none. */
  buttons?: QuickReplyModel[];
}

/** A medium by URL, as botgraph sends it. */
export interface OutgoingMedia {
  url: string;
  contentType: string;
}

/** A card as botgraph sends it (validated: `checkMessage` in src/resolvers/validate.ts). */
export interface OutgoingCard {
  title: string;
  description: string | null;
  image: OutgoingMedia | null;
  url: string | null;
  buttons: Array<{ title: string; payload: string }>;
}

export interface OutgoingLocation {
  latitude: number;
  longitude: number;
  title: string | null;
}

/**
 * What a rich send carries besides its optional caption: exactly one kind, so a datasource never
 * has to decide between two. A plain text send stays `sendMessage(conversation, text)`.
 */
export type RichContent =
  { kind: 'media'; media: OutgoingMedia } | { kind: 'cards'; cards: OutgoingCard[] } | { kind: 'location'; location: OutgoingLocation };

export interface RichMessage {
  /** The caption (media, cards); always null with a location. */
  text: string | null;
  content: RichContent;
}

interface TrackerEventBase {
  /** The vendor's event type, kept even when botgraph does not know it. */
  type: string;
  timestamp: Date;
  raw: unknown;
}

export type TrackerEventModel =
  | (TrackerEventBase & {
      kind: 'user';
      text: string | null;
      intent: IntentModel | null;
      intentRanking: IntentModel[];
      entities: unknown;
      messageId: string | null;
    })
  | (TrackerEventBase & { kind: 'bot'; text: string | null; quickReplies: QuickReplyModel[] })
  | (TrackerEventBase & {
      kind: 'action';
      name: string;
      policy: string | null;
      confidence: number | null;
      actionType: string | null;
      decoded: unknown;
    })
  | (TrackerEventBase & { kind: 'slot'; name: string; value: unknown })
  | (TrackerEventBase & { kind: 'session_started' })
  | (TrackerEventBase & { kind: 'generic' });

export interface ConversationModel {
  provider: ProviderName;
  nativeId: string;
  /**
   * Extra parts the global ID carries so that a later lookup by ID needs no search: the bot of a
   * Bot.one or CXone conversation, and the CXone conversation's start time (CXone has no by-id read).
   */
  idScope: string[];
  title: string;
  status: ConversationStatusName;
  handoff: HandoffStateName;
  botNativeId: string | null;
  endUserNativeId: string | null;
  /** Set where the vendor embeds the end user in the conversation (CXone's customer). */
  endUser: EndUserModel | null;
  channel: string | null;
  location: string | null;
  ipAddress: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  durationSeconds: number | null;
  messageCount: number | null;
  tags: string[];
  notes: string | null;
  /** Null when the list payload lacks it and a detail read is needed (Bot.one lists carry no `data`). */
  collectedData: CollectedDatumModel[] | null;
  trackerEvents: TrackerEventModel[];
  journey: string[];
  /** Messages the vendor embeds in the conversation (CXone tracker turns); null where they are read separately. */
  embeddedMessages: MessageModel[] | null;
  raw: unknown;
  /** Set only on a conversation delivered by a subscription: the event's log id. */
  eventCursor?: string;
}

export interface MessageModel {
  provider: ProviderName;
  nativeId: string;
  conversationNativeId: string;
  /** The conversation's `idScope`, so that `Message.conversation` resolves without a search. */
  conversationIdScope: string[];
  sender: MessageSenderName;
  text: string | null;
  createdAt: Date | null;
  quickReplies: QuickReplyModel[];
  attachments: AttachmentModel[];
  intent: IntentModel | null;
  raw: unknown;
  /** Set only on a message delivered by a subscription: the event's log id. */
  eventCursor?: string;
}

/** One page of a vendor list, already mapped, with the vendor's total and where to continue. */
export interface Page<T> {
  items: T[];
  total: number;
  /** Opaque to everything but the datasource that made it; null at the end. */
  next: string | null;
}

/**
 * A conversation known only by what the caller has (its id, and maybe a few facts from an event or
 * a stored summary): everything else blank. Pollers and stats read messages through such stand-ins.
 */
export function conversationStandIn(
  fields: Pick<ConversationModel, 'provider' | 'nativeId' | 'idScope'> & Partial<ConversationModel>,
): ConversationModel {
  return {
    title: '',
    status: 'UNKNOWN',
    handoff: 'BOT',
    botNativeId: null,
    endUserNativeId: null,
    endUser: null,
    channel: null,
    location: null,
    ipAddress: null,
    createdAt: null,
    updatedAt: null,
    durationSeconds: null,
    messageCount: null,
    tags: [],
    notes: null,
    collectedData: null,
    trackerEvents: [],
    journey: [],
    embeddedMessages: null,
    raw: null,
    ...fields,
  };
}
