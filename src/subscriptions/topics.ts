import type { ProviderRuntime } from '../datasources/types.js';
import type { EventBus } from '../events/bus.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { conversationStandIn, type ConversationModel, type ProviderName } from '../models.js';
import { adapterOf } from '../providers/registry.js';
import type { PollResult, Topic } from './pollers.js';
import { conversationVersion, dedupeKeys, inHandoff } from './version.js';

/**
 * Conversation lists are re-read from a little before the watermark: vendor times can have
 * second precision (Bot.one), and a change stamped in the same second as the last poll must not
 * be missed. Versions of what was seen in that overlap keep it from being emitted twice.
 */
export const OVERLAP_MS = 3_000;
/** How many changed conversations one poll reads at most (pages of 100); the rest come next poll. */
const MAX_PAGES_PER_POLL = 5;
/** A message topic with nothing new for this long is polled at the idle pace. */
const IDLE_AFTER_MS = 60_000;

interface ConversationState {
  /** The newest `updatedAt` seen (ms). */
  wm: number;
  /** Versions of the conversations updated within OVERLAP_MS of the watermark. */
  seen: Record<string, string>;
  /**
   * Sweeping topics only (Bot.one): versions of the conversations that are not finished, so that a
   * status change that does not move `updatedAt` (a handoff: /stop publishes no message) is seen.
   */
  open?: Record<string, string>;
}

/**
 * A provider whose `updatedAt` misses changes (`EventRules.sweepsUnfinished`; Bot.one: /stop moves
 * no time, so a watermark cannot see handoffs made outside botgraph) and whose stream reads the whole
 * list anyway is swept each poll at no extra cost, comparing the versions of its unfinished conversations.
 */
const sweeps = (provider: ProviderName) => adapterOf(provider).events?.sweepsUnfinished === true;
const finished = (c: ConversationModel) => c.status === 'COMPLETED' || c.status === 'INTERRUPTED';

function parse<T>(state: string | null): T | null {
  if (state === null) return null;
  try {
    return JSON.parse(state) as T;
  } catch {
    return null;
  }
}

/** A provider with no "requested" state (`EventRules.reportsHandoffRequests`): entering operator state is the request. */
function requestsHandoff(c: ConversationModel, previousVersion: string | undefined): boolean {
  const [, prevStatus, prevHandoff] = previousVersion?.split('|') ?? [];
  if (c.handoff === 'REQUESTED') return prevHandoff !== 'REQUESTED';
  if (!adapterOf(c.provider).events?.reportsHandoffRequests && c.status === 'WITH_OPERATOR') return prevStatus !== 'WITH_OPERATOR';
  return false;
}

function reasonFor(c: ConversationModel, previousVersion: string | undefined, wm: number): 'created' | 'status' | 'handoff' | 'message' | 'updated' {
  if (previousVersion === undefined) return c.createdAt && c.createdAt.getTime() >= wm - OVERLAP_MS ? 'created' : 'updated';
  const [, prevStatus, prevHandoff, prevCount] = previousVersion.split('|');
  if (prevHandoff !== c.handoff) return 'handoff';
  if (prevStatus !== c.status) return 'status';
  if (prevCount !== String(c.messageCount ?? '')) return 'message';
  return 'updated';
}

/**
 * Watches one conversation stream (as a datasource cuts them: a provider's list, one bot, one token) for
 * conversations created or changed since the watermark.
 */
export function conversationTopic(runtime: ProviderRuntime, streamKey: string, botNativeIds: string[] | null): Topic {
  const streamFor = (updatedFrom: Date | undefined) => {
    const ds = runtime.forRequest();
    const stream = ds.conversationStreams(updatedFrom ? { updatedFrom } : {}, botNativeIds).find((s) => s.key === streamKey);
    if (!stream) throw new BotgraphError(ErrorCode.NOT_FOUND, `No conversation stream ${streamKey}.`, { provider: runtime.provider });
    return stream;
  };
  return {
    key: `conv:${streamKey}`,
    async poll(raw): Promise<PollResult> {
      const state = parse<ConversationState>(raw);
      const sweep = sweeps(runtime.provider);
      const from = state && !sweep ? new Date(state.wm - OVERLAP_MS) : undefined;
      const stream = streamFor(from);
      let changed: ConversationModel[] = [];
      let offset = 0;
      let streamState: string | null = null;
      // A sweep reads the whole list (from one snapshot: the pages after the first cost nothing).
      for (let page = 0; sweep || page < (state ? MAX_PAGES_PER_POLL : 1); page++) {
        const chunk = await stream.fetch(offset, state || sweep ? 100 : 50, streamState);
        changed.push(...chunk.items);
        streamState = chunk.state;
        offset = (chunk.offsets?.at(-1) ?? offset + chunk.items.length - 1) + 1;
        if (chunk.done || chunk.items.length === 0) break;
      }
      let open: Record<string, string> | undefined;
      if (sweep) {
        open = {};
        const before = state?.open ?? {};
        // The first look takes everything: it only sets the watermark and the versions.
        const recent = state ? state.wm - OVERLAP_MS : Number.NEGATIVE_INFINITY;
        const all = changed;
        for (const c of all) if (!finished(c)) open[c.nativeId] = conversationVersion(c);
        // What a watermark poll would have read, plus the unfinished (or just finished) ones whose version moved.
        changed = all.filter((c) => {
          if ((c.updatedAt?.getTime() ?? Number.NEGATIVE_INFINITY) >= recent) return true;
          const was = before[c.nativeId];
          return was !== undefined && was !== conversationVersion(c);
        });
      }

      const wm = Math.max(state?.wm ?? 0, ...changed.map((c) => c.updatedAt?.getTime() ?? 0));
      const seen: Record<string, string> = {};
      for (const [id, version] of Object.entries(state?.seen ?? {})) {
        if (Number(version.split('|')[0]) >= wm - OVERLAP_MS) seen[id] = version;
      }
      const events: PollResult['events'] = [];
      const at = Date.now();
      for (const c of changed) {
        const version = conversationVersion(c);
        const previous = state?.seen[c.nativeId] ?? state?.open?.[c.nativeId];
        if ((c.updatedAt?.getTime() ?? 0) >= wm - OVERLAP_MS) seen[c.nativeId] = version;
        // The first look only sets the watermark: what happened before anyone watched is history.
        if (!state || previous === version) continue;
        events.push({
          event: { kind: 'conversation', provider: c.provider, conversation: c, reason: reasonFor(c, previous, state.wm), at },
          dedupeKey: dedupeKeys.conversation(c),
        });
        if (requestsHandoff(c, previous)) {
          events.push({ event: { kind: 'handoffRequested', provider: c.provider, conversation: c, at }, dedupeKey: dedupeKeys.handoffRequested(c) });
        }
      }
      return { events, state: JSON.stringify({ wm, seen, ...(open ? { open } : {}) } satisfies ConversationState), pace: 'normal' };
    },
  };
}

interface MessageState {
  /** How many messages the conversation had at the last look; messages are only appended. */
  count: number;
  /** When a new message was last seen (ms). */
  lastNewAt: number;
}

/** A stand-in carrying only what `listMessages` needs, so one poll costs one vendor read. */
function conversationRef(provider: ProviderName, nativeId: string, idScope: string[]): ConversationModel {
  return conversationStandIn({ provider, nativeId, idScope, botNativeId: idScope[0] ?? null });
}

/**
 * Watches one conversation for new messages. It listens to the bus for its conversation's own
 * changes, to poll faster while a human is involved without an extra read per poll.
 */
export function messageTopic(runtime: ProviderRuntime, bus: EventBus, nativeId: string, idScope: string[]): Topic {
  const provider = runtime.provider;
  let handoff = false;
  /** Bus events seen about this conversation: a state read that started before one is older than it. */
  let told = 0;
  const unsubscribe = bus.subscribe(({ event }) => {
    if (
      (event.kind === 'conversation' || event.kind === 'handoffRequested') &&
      event.conversation.provider === provider &&
      event.conversation.nativeId === nativeId
    ) {
      handoff = inHandoff(event.conversation);
      told++;
    }
  });
  /**
   * The handoff state at the topic's start, where the vendor reads it alone (CLOSER `GET …/manual`):
   * without it a conversation already with an agent polls at the normal pace until an event says so.
   * Said once; later changes come from the bus (webhooks, mutations, conversation pollers). A failed
   * read leaves the pace as it is: the messages are what the subscriber waits for.
   */
  async function learnHandoff(ds: ReturnType<ProviderRuntime['forRequest']>, ref: ConversationModel): Promise<void> {
    if (!ds.handoffState) return;
    const before = told;
    const state = await ds.handoffState(ref).catch(() => null);
    if (state !== null && told === before) handoff = state !== 'BOT';
  }
  return {
    key: `msg:${provider}:${nativeId}`,
    dispose: unsubscribe,
    async poll(raw): Promise<PollResult> {
      const state = parse<MessageState>(raw);
      const ds = runtime.forRequest();
      const ref = conversationRef(provider, nativeId, idScope);
      const offset = state?.count ?? 0;
      // The first look reads one message to learn the total (and the handoff state, beside it); later looks read only what is new.
      const [page] = await Promise.all([ds.listMessages(ref, state ? offset : 0, state ? 100 : 1), state ? null : learnHandoff(ds, ref)]);
      const now = Date.now();
      if (!state) {
        return { events: [], state: JSON.stringify({ count: page.total, lastNewAt: now }), pace: handoff ? 'fast' : 'normal' };
      }
      const fresh = page.total < offset ? [] : page.items;
      const events: PollResult['events'] = fresh.map((message) => ({
        event: { kind: 'message', provider, message, at: now },
        dedupeKey: dedupeKeys.message(message),
      }));
      const count = page.total < offset ? page.total : offset + fresh.length;
      const lastNewAt = fresh.length > 0 ? now : state.lastNewAt;
      const pace = handoff ? 'fast' : now - lastNewAt > IDLE_AFTER_MS ? 'idle' : 'normal';
      return { events, state: JSON.stringify({ count, lastNewAt } satisfies MessageState), pace };
    },
  };
}
