/**
 * One factory per unified model for tests that need a model without a vendor behind it. Every field
 * has a neutral default; a test names only what it is about.
 */
import type { ConversationModel, MessageModel } from '../../src/models.js';

export function conversation(overrides: Partial<ConversationModel> & Pick<ConversationModel, 'provider' | 'nativeId'>): ConversationModel {
  return {
    idScope: [],
    title: overrides.nativeId,
    status: 'ACTIVE',
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
    collectedData: [],
    trackerEvents: [],
    journey: [],
    embeddedMessages: null,
    raw: {},
    ...overrides,
  };
}

export function message(overrides: Partial<MessageModel> & Pick<MessageModel, 'provider' | 'nativeId' | 'conversationNativeId'>): MessageModel {
  return {
    conversationIdScope: [],
    sender: 'BOT',
    text: null,
    createdAt: null,
    quickReplies: [],
    attachments: [],
    intent: null,
    raw: {},
    ...overrides,
  };
}
