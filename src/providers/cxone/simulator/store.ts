/**
 * The simulator's state: each bot's conversations, kept in export order, and the open scrolls.
 *
 * Conversations are treated as immutable values: a change (live activity) replaces the stored object
 * with a new one. That gives scrolls Elasticsearch's point-in-time behaviour for free: a scroll keeps
 * references to the objects that matched when it was opened, so paging through it never skips or
 * repeats a record, however much traffic arrives meanwhile; a new search sees the new state.
 */
import { randomBytes } from 'node:crypto';
import type { Progress, SeededBot } from './seed.js';
import type { CxConversation } from './types.js';

/** Export order: `lastMessageAt` descending (newest first), then `conversationId` ascending. */
export function exportOrder(a: CxConversation, b: CxConversation): number {
  return b.lastMessageAt - a.lastMessageAt || (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0);
}

interface BotState {
  bot: SeededBot;
  byId: Map<string, CxConversation>;
  /** Kept sorted by {@link exportOrder}; rebuilt lazily after a change. */
  sorted: CxConversation[] | undefined;
  nextNumber: number;
}

export class ConversationStore {
  private readonly bots = new Map<string, BotState>();
  private readonly progress = new Map<string, Progress>();

  constructor(bots: readonly SeededBot[]) {
    for (const bot of bots) this.bots.set(bot.botId, { bot, byId: new Map(), sorted: undefined, nextNumber: 1 });
  }

  botIds(): string[] {
    return [...this.bots.keys()];
  }

  bot(botId: string): SeededBot | undefined {
    return this.bots.get(botId)?.bot;
  }

  /** Inserts or replaces a conversation (by `conversationId`). */
  put(botId: string, conversation: CxConversation, progress?: Progress): void {
    const state = this.bots.get(botId);
    if (!state) throw new Error(`unknown bot ${botId}`);
    state.byId.set(conversation.conversationId, conversation);
    state.sorted = undefined;
    state.nextNumber = Math.max(state.nextNumber, conversation.conversationNumber + 1);
    if (progress) this.progress.set(conversation.conversationId, progress);
  }

  get(botId: string, conversationId: string): CxConversation | undefined {
    return this.bots.get(botId)?.byId.get(conversationId);
  }

  progressOf(conversationId: string): Progress | undefined {
    return this.progress.get(conversationId);
  }

  /** The number the next new conversation of this bot gets. */
  takeNumber(botId: string): number {
    const state = this.bots.get(botId);
    if (!state) throw new Error(`unknown bot ${botId}`);
    return state.nextNumber++;
  }

  /** All of a bot's conversations in export order. The array must not be modified. */
  list(botId: string): readonly CxConversation[] {
    const state = this.bots.get(botId);
    if (!state) return [];
    state.sorted ??= [...state.byId.values()].sort(exportOrder);
    return state.sorted;
  }

  count(): number {
    let n = 0;
    for (const s of this.bots.values()) n += s.byId.size;
    return n;
  }
}

/**
 * Elasticsearch's scroll ids are opaque base64; the vendor's start with `FGluY2x1ZGVfY29udGV4dF91dWlk`
 * ("\x14include_context_uuid"). Ours keep that prefix, then base64url of `<context>.<offset>`.
 */
const SCROLL_PREFIX = 'FGluY2x1ZGVfY29udGV4dF91dWlk';
/** How many live scroll contexts are kept before the least recently used is dropped. */
const MAX_SCROLLS = 500;
/** How many expired context ids are remembered, to tell "expired" from "never existed". */
const MAX_TOMBSTONES = 10_000;

export interface ScrollContext {
  botId: string;
  items: readonly CxConversation[];
  perPage: number;
  /** The search's `timezone`; a scroll keeps it, as it keeps perPage. */
  zone: string;
  expiresAt: number;
}

export type ScrollLookup = { kind: 'ok'; context: ScrollContext; offset: number } | { kind: 'expired' } | { kind: 'unknown' };

/**
 * Open scrolls. A scroll id names a context and an offset into it, so every page has its own id and
 * fetching the same `next_page_url` twice (a client retry) returns the same page twice instead of
 * silently skipping one. Each use renews the context's time to live.
 */
export class ScrollRegistry {
  private readonly live = new Map<string, ScrollContext>();
  private readonly expired = new Set<string>();

  /** `now` is the real time scrolls live by (not the simulated clock); tests may pass their own. */
  constructor(
    private readonly ttlMs: number,
    readonly now: () => number = Date.now,
  ) {}

  open(botId: string, items: readonly CxConversation[], perPage: number, now: number, zone = 'UTC'): string {
    this.sweep(now);
    const key = randomBytes(12).toString('hex');
    this.live.set(key, { botId, items, perPage, zone, expiresAt: now + this.ttlMs });
    while (this.live.size > MAX_SCROLLS) {
      const oldest = this.live.keys().next().value as string;
      this.live.delete(oldest);
      this.bury(oldest);
    }
    return key;
  }

  static id(key: string, offset: number): string {
    return SCROLL_PREFIX + Buffer.from(`${key}.${offset}`, 'utf8').toString('base64url');
  }

  static parse(scrollId: string): { key: string; offset: number } | undefined {
    if (!scrollId.startsWith(SCROLL_PREFIX)) return undefined;
    const m = /^([0-9a-f]{24})\.(\d{1,9})$/.exec(Buffer.from(scrollId.slice(SCROLL_PREFIX.length), 'base64url').toString('utf8'));
    if (!m) return undefined;
    return { key: m[1] as string, offset: Number(m[2]) };
  }

  lookup(scrollId: string, now: number): ScrollLookup {
    this.sweep(now);
    const parsed = ScrollRegistry.parse(scrollId);
    if (!parsed) return { kind: 'unknown' };
    const context = this.live.get(parsed.key);
    if (!context) return this.expired.has(parsed.key) ? { kind: 'expired' } : { kind: 'unknown' };
    // Renew, and move to the back of the LRU order.
    context.expiresAt = now + this.ttlMs;
    this.live.delete(parsed.key);
    this.live.set(parsed.key, context);
    return { kind: 'ok', context, offset: parsed.offset };
  }

  size(): number {
    return this.live.size;
  }

  private sweep(now: number): void {
    // Contexts are kept in order of last use and share one TTL, so the expired ones are all at the front.
    for (const [key, context] of this.live) {
      if (context.expiresAt > now) break;
      this.live.delete(key);
      this.bury(key);
    }
  }

  private bury(key: string): void {
    this.expired.add(key);
    if (this.expired.size > MAX_TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
  }
}
