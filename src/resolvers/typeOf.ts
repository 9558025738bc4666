import type { BotModel, ConversationModel, EndUserModel, MessageModel } from '../models.js';

export type NodeModel = BotModel | ConversationModel | MessageModel | EndUserModel;

/**
 * The GraphQL type of a model. Models carry no typename (they are plain vendor-neutral data), so
 * the type is read from fields only that type has.
 */
export function nodeTypeName(model: NodeModel): 'Bot' | 'Conversation' | 'Message' | 'EndUser' {
  if ('handoff' in model) return 'Conversation';
  if ('sender' in model) return 'Message';
  if ('platform' in model) return 'EndUser';
  return 'Bot';
}
