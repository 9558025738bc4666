import type { Resolvers, TrackerEventResolvers } from '../__generated__/resolvers-types.js';
import { UnreachableCaseError } from '../errors.js';
import type { TrackerEventModel } from '../models.js';

/**
 * The TrackerEvent interface and its six implementations live together: each implementation only
 * narrows the one model union, so six files would each hold one line.
 */
export const TrackerEvent: TrackerEventResolvers = {
  __resolveType: (event) => {
    const kind = event.kind;
    switch (kind) {
      case 'user':
        return 'UserUtteranceEvent';
      case 'bot':
        return 'BotUtteranceEvent';
      case 'action':
        return 'ActionEvent';
      case 'slot':
        return 'SlotEvent';
      case 'session_started':
        return 'SessionStartedEvent';
      case 'generic':
        return 'GenericTrackerEvent';
      default:
        throw new UnreachableCaseError(kind);
    }
  },
};

type Narrow<K extends TrackerEventModel['kind']> = Extract<TrackerEventModel, { kind: K }>;
const field =
  <K extends TrackerEventModel['kind'], F extends keyof Narrow<K>>(kind: K, name: F) =>
  (event: TrackerEventModel) =>
    event.kind === kind ? (event as Narrow<K>)[name] : null;

export const trackerEventTypes: Pick<
  Resolvers,
  'UserUtteranceEvent' | 'BotUtteranceEvent' | 'ActionEvent' | 'SlotEvent' | 'SessionStartedEvent' | 'GenericTrackerEvent'
> = {
  UserUtteranceEvent: {
    text: field('user', 'text'),
    intent: field('user', 'intent'),
    intentRanking: (e) => (e.kind === 'user' ? e.intentRanking : []),
    entities: field('user', 'entities'),
    messageId: field('user', 'messageId'),
  },
  BotUtteranceEvent: {
    text: field('bot', 'text'),
    quickReplies: (e) => (e.kind === 'bot' ? e.quickReplies : []),
  },
  ActionEvent: {
    name: (e) => (e.kind === 'action' ? e.name : ''),
    policy: field('action', 'policy'),
    confidence: field('action', 'confidence'),
    actionType: field('action', 'actionType'),
    decoded: field('action', 'decoded'),
  },
  SlotEvent: {
    name: (e) => (e.kind === 'slot' ? e.name : ''),
    value: field('slot', 'value'),
  },
  SessionStartedEvent: {},
  GenericTrackerEvent: {},
};
