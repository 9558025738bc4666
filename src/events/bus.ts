import { EventEmitter } from 'node:events';
import type { ConversationModel, MessageModel, ProviderName } from '../models.js';

/** Why a conversation changed, as far as botgraph can tell. */
export type ChangeReason = 'created' | 'updated' | 'status' | 'handoff' | 'message' | 'transfer';

/**
 * What travels on the bus. Models are included so that subscribers on any replica can answer
 * without another upstream read.
 */
export type BotgraphEvent =
  | {
      kind: 'conversation';
      provider: ProviderName;
      conversation: ConversationModel;
      reason: ChangeReason;
      /** When botgraph learned of it (epoch ms). */
      at: number;
    }
  | {
      kind: 'message';
      provider: ProviderName;
      conversation: ConversationModel;
      message: MessageModel;
      at: number;
    }
  | {
      kind: 'handoffRequested';
      provider: ProviderName;
      conversation: ConversationModel;
      at: number;
    };

/** Where changes are announced: mutations, webhooks and pollers publish; subscriptions listen. */
export interface EventBus {
  publish(event: BotgraphEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: BotgraphEvent) => void): () => void;
  close(): Promise<void>;
}

/** The default bus: one process, no dependencies, so `npm start` needs nothing else. */
export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every subscription adds a listener; hundreds are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  async publish(event: BotgraphEvent): Promise<void> {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: BotgraphEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
