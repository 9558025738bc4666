import type { EventBus } from '../events/bus.js';
import type { LiveEventSink } from '../providers/types.js';
import { dedupeKeys } from './version.js';

/**
 * Publishes changes with the dedupe keys pollers use, so a change seen by a webhook (or made by a
 * mutation) and by a poll is announced once. Handed to provider webhooks, which know no bus.
 */
export function liveEventSink(bus: EventBus): LiveEventSink {
  return {
    async conversation(conversation, reason) {
      const { provider } = conversation;
      await bus.publish({ kind: 'conversation', provider, conversation, reason, at: Date.now() }, dedupeKeys.conversation(conversation));
    },
    async handoffRequested(conversation) {
      const { provider } = conversation;
      await bus.publish({ kind: 'handoffRequested', provider, conversation, at: Date.now() }, dedupeKeys.handoffRequested(conversation));
    },
    async message(message) {
      const { provider } = message;
      await bus.publish({ kind: 'message', provider, message, at: Date.now() }, dedupeKeys.message(message));
    },
    async changed(change) {
      // A redelivered webhook event (same object, change and vendor time) is announced once.
      await bus.publish(
        { kind: 'entityChanged', ...change },
        `changed:${change.provider}:${change.entity}:${change.nativeId}:${change.change}:${change.at}`,
      );
    },
  };
}
