import { EventEmitter } from 'node:events';
import type { ConversationModel, MessageModel, ProviderName } from '../models.js';

/** Why a conversation changed, as far as botgraph can tell. */
export type ChangeReason = 'created' | 'updated' | 'status' | 'handoff' | 'message' | 'transfer';

/**
 * What travels on the bus. Models are included so that subscribers on any replica can answer
 * without another upstream read.
 */
export type BotgraphEvent =
  | { kind: 'conversation'; provider: ProviderName; conversation: ConversationModel; reason: ChangeReason; at: number }
  | { kind: 'message'; provider: ProviderName; message: MessageModel; at: number }
  | { kind: 'handoffRequested'; provider: ProviderName; conversation: ConversationModel; at: number }
  | EntityChangedEvent;

/** The vendor objects an `entityChanged` event names. */
export type ChangedEntity = 'bot' | 'endUser' | 'conversation';

/**
 * A vendor object was created, changed or deleted, as far as botgraph was told (CLOSER's
 * `bot.updated`, `bot.deleted`, `bot.end_user.*`, `bot.conversation.deleted`). It carries no model:
 * whoever caches that object drops it and reads it again when asked (the entity cache listens for
 * these). A `conversation` `deleted` also ends the live views of that conversation (`messageAdded`).
 * Conversation creations and changes keep travelling as `conversation` events, which carry the model.
 */
export interface EntityChangedEvent {
  kind: 'entityChanged';
  provider: ProviderName;
  entity: ChangedEntity;
  nativeId: string;
  change: 'created' | 'updated' | 'deleted';
  /** When the vendor says it happened (epoch ms). */
  at: number;
}

/** True for an event that says `provider`'s conversation `nativeId` no longer exists. */
export function isConversationDeleted(event: BotgraphEvent, provider: ProviderName, nativeId: string): boolean {
  return (
    event.kind === 'entityChanged' &&
    event.entity === 'conversation' &&
    event.change === 'deleted' &&
    event.provider === provider &&
    event.nativeId === nativeId
  );
}

/** An event as stored in the log: `id` orders events and is what a client resumes from. */
export interface LoggedEvent {
  /** `<ms>-<seq>`, increasing in publish order (the Redis Streams id format). */
  id: string;
  event: BotgraphEvent;
}

/**
 * Where changes are announced and kept for a while. Mutations, webhooks and pollers publish;
 * subscriptions listen, and replay what a reconnecting client missed from `history`.
 */
export interface EventBus {
  /**
   * Appends the event, unless an event with the same `dedupeKey` was published within the dedupe
   * window (the same change seen by a webhook and a poll). Returns the id, or null for a duplicate.
   */
  publish(event: BotgraphEvent, dedupeKey?: string): Promise<string | null>;
  /** Live events, in log order. Returns the unsubscribe function. */
  subscribe(listener: (event: LoggedEvent) => void): () => void;
  /** Logged events after `afterId` (exclusive), oldest first. */
  history(afterId: string, limit: number): Promise<LoggedEvent[]>;
  close(): Promise<void>;
}

export function parseEventId(id: string): [number, number] | null {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Orders two event ids; both must be well formed. */
export function compareEventIds(a: string, b: string): number {
  const [am, as] = parseEventId(a) as [number, number];
  const [bm, bs] = parseEventId(b) as [number, number];
  return am - bm || as - bs;
}

/** How many events the in-memory log keeps for resuming clients. @default 10000 */
export const MEMORY_LOG_SIZE = 10_000;
/** How long a dedupe key suppresses the same change. @default 1 h */
export const DEDUPE_WINDOW_MS = 3_600_000;

/** The default bus: one process, no dependencies, so `npm start` needs nothing else. */
export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private readonly log: LoggedEvent[] = [];
  private readonly seen = new Map<string, number>();
  private lastMs = 0;
  private seq = 0;
  /** Logged but not yet handed to listeners, in log order. */
  private readonly outbox: LoggedEvent[] = [];

  constructor(private readonly logSize = MEMORY_LOG_SIZE) {
    // Every subscription adds a listener; hundreds are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  private nextId(): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else {
      this.seq++;
    }
    return `${this.lastMs}-${this.seq}`;
  }

  async publish(event: BotgraphEvent, dedupeKey?: string): Promise<string | null> {
    if (dedupeKey !== undefined) {
      const now = Date.now();
      const until = this.seen.get(dedupeKey);
      if (until !== undefined && until > now) return null;
      this.seen.set(dedupeKey, now + DEDUPE_WINDOW_MS);
      if (this.seen.size > 50_000) for (const [k, t] of this.seen) if (t <= now) this.seen.delete(k);
    }
    const logged = { id: this.nextId(), event };
    this.log.push(logged);
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    // Listeners run on a later turn of the event loop, never inside publish: a mutation's response
    // must not wait for its fan-out to thousands of subscribers. One queue keeps log order.
    this.outbox.push(logged);
    if (this.outbox.length === 1) setImmediate(() => this.drain());
    return logged.id;
  }

  private drain(): void {
    for (const logged of this.outbox.splice(0)) this.emitter.emit('event', logged);
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async history(afterId: string, limit: number): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    for (const e of this.log) {
      if (compareEventIds(e.id, afterId) > 0) {
        out.push(e);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
