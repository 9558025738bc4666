import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Bot } from './Bot.js';
import { ConversationStats, conversationStatsQuery, conversationStatsSubscription } from './ConversationStats.js';
import { StatsGroup, StatsKey } from './StatsGroup.js';
import { connections } from './connections.js';
import { CollectedDatum, Conversation } from './Conversation.js';
import { EndUser } from './EndUser.js';
import { Flow } from './Flow.js';
import { Attachment, Message } from './Message.js';
import { Node } from './Node.js';
import { ProviderInfo } from './ProviderInfo.js';
import { Mutation } from './Mutation.js';
import { Subscription } from './Subscription.js';
import { Query } from './Query.js';
import { DateTime, JSONScalar } from './scalars.js';
import { TrackerEvent, trackerEventTypes } from './TrackerEvent.js';

export const resolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  Query: { ...Query, ...conversationStatsQuery },
  Mutation,
  Subscription: { ...Subscription, ...conversationStatsSubscription },
  Node,
  Bot,
  Flow,
  Conversation,
  CollectedDatum,
  Message,
  Attachment,
  EndUser,
  ProviderInfo,
  TrackerEvent,
  ...trackerEventTypes,
  ...connections,
  ConversationStats,
  StatsGroup,
  StatsKey,
};
