/**
 * The CLOSER objects as the simulator stores and serves them. The shapes follow
 * docs/providers/closer.md, which is the contract the datasource client follows too; a change here
 * is a change to that page first.
 */

/** The channels CLOSER connects a bot to (from CLOSER's webhook documentation). */
export const PLATFORMS = ['kakao', 'kakaobiz', 'facebook', 'line', 'navertalk', 'bizchat', 'wechat', 'web', 'test'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const CONVERSATION_STATUSES = ['ACTIVE', 'COMPLETED', 'INTERRUPTED'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const MANUAL_STATUSES = ['NONE', 'REQUESTED', 'HANDOVER'] as const;
export type ManualStatus = (typeof MANUAL_STATUSES)[number];

/** `meta.sender.platform` of a message written by the bot itself. */
export const BOT_SENDER_PLATFORM = 'closer';
/** `meta.sender.platform` of a message written by a human agent (CLOSER's chat center). */
export const AGENT_SENDER_PLATFORM = 'closer-chat';

export interface Bot {
  id: string;
  title: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface FlowNode {
  id: string;
  title: string;
}

export interface Flow {
  id: string;
  botId: string;
  title: string;
  isDefault: boolean;
  nodes: FlowNode[];
  createdAt: string;
  updatedAt: string;
}

export interface EndUser {
  id: string;
  botId: string;
  platform: Platform;
  userKey: string;
  params: Record<string, unknown> & { name?: string; location?: string };
  lastMessageId: string | null;
  lastConversationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NavigationPoint {
  flowId: string;
  nodeId: string;
  visitCount: number;
}

export interface Conversation {
  id: string;
  botId: string;
  endUserId: string;
  platform: Platform;
  userKey: string;
  params: Record<string, unknown>;
  context: {
    status: ConversationStatus;
    manual: { status: ManualStatus; updatedAt: string };
  };
  navigation: { current: NavigationPoint | null; prev: NavigationPoint | null };
  tags: string[];
  notes: string;
  createdAt: string;
  updatedAt: string;
}

export interface CardButton {
  title: string;
  payload: string;
}

export interface Card {
  title: string;
  description?: string;
  media?: { contentType: string; uri: string };
  uri?: string;
  buttons?: CardButton[];
}

export type MessageData =
  | { type: 'text'; text: string }
  | { type: 'media'; media: { contentType: string; uri: string }; text?: string }
  | { type: 'cards'; cards: Card[]; text?: string }
  | { type: 'location'; location: { title?: string; latitude: number; longitude: number } };

export interface Message {
  id: string;
  botId: string;
  endUserId: string;
  conversationId: string;
  isUser: boolean;
  meta: { sender: { userKey: string; platform: string } };
  data: MessageData;
  /** Epoch ms, as in CLOSER's webhook payloads. */
  timestamp: number;
}

/** The 14 webhook event types CLOSER documents. */
export const WEBHOOK_EVENT_TYPES = [
  'bot.updated',
  'bot.deleted',
  'bot.end_user.created',
  'bot.end_user.updated',
  'bot.end_user.deleted',
  'bot.conversation.created',
  'bot.conversation.updated',
  'bot.conversation.deleted',
  'bot.conversation.agent_call_requested',
  'bot.conversation.agent_call_connected',
  'bot.conversation.agent_call_cancelled',
  'bot.conversation.agent_call_disconnected',
  'bot.message.sent',
  'bot.message.received',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an event carries under `data`: exactly one of the four objects, chosen by the event type. */
export type WebhookEventData = { bot: Bot } | { endUser: EndUser } | { conversation: Conversation } | { message: Message };

export interface WebhookEvent {
  id: string;
  event: WebhookEventType;
  sourceType: 'bot';
  sourceId: string;
  timestamp: number;
  data: WebhookEventData;
}

export interface WebhookBatch {
  id: string;
  webhookId: string;
  webhookUrl: string;
  messages: WebhookEvent[];
}

/** A page as every list endpoint answers it. */
export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
}
