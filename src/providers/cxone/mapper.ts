import { setBounded } from '../../bounded.js';
/**
 * Pure functions from the CXone export's payloads to botgraph's models. Nothing here reads the
 * clock: the status of a conversation depends on "now", so callers pass it in.
 */
import type {
  BotModel,
  ConversationModel,
  ConversationStatusName,
  EndUserModel,
  IntentModel,
  MessageModel,
  QuickReplyModel,
  TrackerEventModel,
} from '../../models.js';
import type { CxConversation, CxEvent, CxIntent } from './types.js';

const PROVIDER = 'CXONE' as const;

/** A conversation whose last message is younger than this is still ACTIVE (docs/providers/cxone.md). */
export const ACTIVE_WINDOW_MS = 30 * 60 * 1000;

export interface MapContext {
  /** The bot the token belongs to; null for a bare token, when the tracker name is the only hint. */
  botId: string | null;
  /** The clock the status is derived against, epoch ms. */
  now: number;
}

export function mapBot(botId: string): BotModel {
  return {
    provider: PROVIDER,
    nativeId: botId,
    name: `CXone bot ${botId}`,
    description: null,
    createdAt: null,
    updatedAt: null,
    // CXone has no bot object; the id from the configuration (or a tracker name) is all there is.
    raw: { id: botId },
  };
}

/**
 * The bot id from the tracker name `<botId>-<conversationId>`. Bot ids are numeric in every CXone
 * tracker seen, but the conversation id is the reliable anchor, so it is stripped from the end.
 */
export function botIdFromTracker(raw: Pick<CxConversation, 'conversationId' | 'tracker'>): string | null {
  const name = raw.tracker.name;
  if (!name) return null;
  const suffix = `-${raw.conversationId}`;
  if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  const dash = name.indexOf('-');
  return dash > 0 ? name.slice(0, dash) : null;
}

/** Float epoch seconds (Rasa) → Date, rounded to the ms a Date can hold. */
export function secondsToDate(seconds: number): Date {
  return new Date(Math.round(seconds * 1000));
}

/**
 * The JSON inside an `action_<base64 JSON>` / `utter_<base64 JSON>` name, or null when the name is a
 * plain Rasa name (`action_listen`) whose tail happens not to be base64 of a JSON object.
 */
export function decodeActionName(name: string): Record<string, unknown> | null {
  const m = /^(?:action|utter)_([A-Za-z0-9+/_-]+={0,2})$/.exec(name);
  if (!m) return null;
  const tail = m[1] as string;
  // A plain name such as `action_session_start` decodes to bytes, but never to a JSON object.
  try {
    const text = Buffer.from(tail.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (!text.startsWith('{')) return null;
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function intent(raw: CxIntent | null | undefined): IntentModel | null {
  if (!raw) return null;
  return { name: raw.name, confidence: raw.confidence ?? null };
}

function quickReplies(event: CxEvent): QuickReplyModel[] {
  const data = event.data;
  const payload = data?.custom?.payload;
  const all = [...(payload?.quick_replies ?? []), ...(payload?.buttons ?? []), ...(data?.quick_replies ?? []), ...(data?.buttons ?? [])];
  return all.map((r) => ({ title: r.title, payload: r.payload ?? null }));
}

function botText(event: CxEvent): string | null {
  return event.text ?? event.data?.custom?.payload?.text ?? null;
}

function actionType(event: CxEvent, decoded: Record<string, unknown> | null): string | null {
  if (typeof event.type === 'string' && event.type !== '') return event.type;
  const type = decoded?.type;
  return typeof type === 'string' ? type : null;
}

export function mapTrackerEvent(event: CxEvent): TrackerEventModel {
  const base = { type: event.event, timestamp: secondsToDate(event.timestamp), raw: event };
  switch (event.event) {
    case 'user': {
      const parse = event.parse_data;
      return {
        ...base,
        kind: 'user',
        text: event.text ?? parse?.text ?? null,
        intent: intent(parse?.intent),
        intentRanking: (parse?.intent_ranking ?? []).map((i) => intent(i) as IntentModel),
        entities: parse?.entities ?? [],
        messageId: event.message_id ?? parse?.message_id ?? null,
      };
    }
    case 'bot':
      return { ...base, kind: 'bot', text: botText(event), quickReplies: quickReplies(event) };
    case 'action': {
      const name = event.name ?? '';
      const decoded = decodeActionName(name);
      return {
        ...base,
        kind: 'action',
        name,
        policy: event.policy ?? null,
        confidence: event.confidence ?? null,
        actionType: actionType(event, decoded),
        decoded,
      };
    }
    case 'slot':
      return { ...base, kind: 'slot', name: event.name ?? '', value: event.value ?? null };
    case 'session_started':
      return { ...base, kind: 'session_started' };
    default:
      // Every other Rasa event (restart, pause, followup, …) and whatever CXone adds later.
      return { ...base, kind: 'generic' };
  }
}

/** The flow nodes a conversation went through: from `transitions`, else from the `journey` string. */
export function mapJourney(raw: Pick<CxConversation, 'journey' | 'transitions'>): string[] {
  const transitions = raw.transitions ?? [];
  if (transitions.length > 0) {
    const nodes: string[] = [];
    transitions.forEach((t, i) => {
      const [from, to] = splitTransition(t.name);
      if (i === 0 && from !== null) nodes.push(from);
      if (to !== null) nodes.push(to);
    });
    if (nodes.length > 0) return nodes;
  }
  const journey = raw.journey ?? '';
  return journey === '' ? [] : journey.split('->').filter((n) => n !== '');
}

function splitTransition(name: string): [string | null, string | null] {
  const at = name.indexOf('->');
  if (at < 0) return [null, name || null];
  return [name.slice(0, at) || null, name.slice(at + 2) || null];
}

/** True when the bot ran the `handover` action: CXone then hands the conversation to an agent. */
export function wasHandedOver(events: readonly CxEvent[]): boolean {
  return events.some((e) => {
    if (e.event !== 'action') return false;
    const name = e.name ?? '';
    return actionType(e, decodeActionName(name)) === 'handover' || name === 'handover' || name === 'action_handover';
  });
}

/**
 * The export carries no status; botgraph derives one (docs/providers/cxone.md): a journey that reached
 * `end` is over (even when an agent closed it after a handover), an open one after a handover is with
 * an agent, and otherwise the age of the last message decides.
 */
export function deriveStatus(raw: CxConversation, now: number): ConversationStatusName {
  const journey = raw.journey ?? '';
  if (journey === 'end' || journey.endsWith('->end')) return 'COMPLETED';
  if (wasHandedOver(raw.tracker.events)) return 'WITH_OPERATOR';
  const last = raw.lastMessageAt ?? raw.timestamp;
  return now - last <= ACTIVE_WINDOW_MS ? 'ACTIVE' : 'INTERRUPTED';
}

/**
 * Until when (epoch ms, exclusive) `deriveStatus(raw, now)` gives what it gave at `status`: an
 * ACTIVE by the age of the last message turns INTERRUPTED once that is older than
 * ACTIVE_WINDOW_MS; every other status does not depend on the time.
 */
export function statusHoldsUntil(raw: CxConversation, status: ConversationStatusName): number {
  if (status !== 'ACTIVE') return Number.POSITIVE_INFINITY;
  return (raw.lastMessageAt ?? raw.timestamp) + ACTIVE_WINDOW_MS + 1;
}

function title(raw: CxConversation): string {
  const number = raw.conversationNumber;
  const name = raw.customer.name ?? null;
  const head = number === null || number === undefined || number === '' ? null : `#${number}`;
  const parts = [head, name].filter((p): p is string => p !== null && p !== '');
  return parts.length > 0 ? parts.join(' ') : raw.conversationId;
}

function tags(raw: CxConversation): string[] {
  return (raw.tags ?? []).map((t) => (typeof t === 'string' ? t : t.name));
}

/** The embedded end user. Its idScope names one of its conversations: CXone has no end-user read. */
export function mapEndUser(raw: CxConversation, botId: string | null): EndUserModel {
  const resolvedBot = botId ?? botIdFromTracker(raw);
  return {
    provider: PROVIDER,
    nativeId: raw.customer.id,
    idScope: [resolvedBot ?? '', String(raw.timestamp), raw.conversationId],
    botNativeId: resolvedBot,
    name: raw.customer.name ?? null,
    platform: null,
    channel: raw.channel?.name || null,
    raw: raw.customer,
  };
}

/**
 * One MessageModel per `user` / `bot` tracker event. Its native id is `<conversationId>#<index of the
 * event in the tracker>`: Rasa's `message_id` exists on user turns only, and the index is stable
 * because the tracker only ever grows at its end.
 */
export function mapEmbeddedMessages(raw: CxConversation, conversationIdScope: string[]): MessageModel[] {
  const messages: MessageModel[] = [];
  raw.tracker.events.forEach((event, index) => {
    const message = mapMessageEvent(raw, event, index, conversationIdScope);
    if (message) messages.push(message);
  });
  return messages;
}

function mapMessageEvent(raw: CxConversation, event: CxEvent, index: number, scope: string[]): MessageModel | null {
  if (event.event !== 'user' && event.event !== 'bot') return null;
  const common = {
    provider: PROVIDER,
    nativeId: `${raw.conversationId}#${index}`,
    conversationNativeId: raw.conversationId,
    conversationIdScope: scope,
    createdAt: secondsToDate(event.timestamp),
    attachments: [],
    raw: event,
  };
  if (event.event === 'user') {
    return {
      ...common,
      sender: 'END_USER',
      text: event.text ?? event.parse_data?.text ?? null,
      quickReplies: [],
      intent: intent(event.parse_data?.intent),
    };
  }
  return { ...common, sender: 'BOT', text: botText(event), quickReplies: quickReplies(event), intent: null };
}

/** The tracker index inside a message native id `<conversationId>#<index>`, or null when malformed. */
export function parseMessageId(nativeId: string): { conversationId: string; index: number } | null {
  const hash = nativeId.lastIndexOf('#');
  if (hash <= 0) return null;
  const index = nativeId.slice(hash + 1);
  if (!/^\d{1,7}$/.test(index)) return null;
  return { conversationId: nativeId.slice(0, hash), index: Number(index) };
}

export function mapConversation(raw: CxConversation, context: MapContext): ConversationModel {
  const botId = context.botId ?? botIdFromTracker(raw);
  const idScope = [botId ?? '', String(raw.timestamp)];
  const status = deriveStatus(raw, context.now);
  const last = raw.lastMessageAt ?? null;
  const events = raw.tracker.events;
  return {
    provider: PROVIDER,
    nativeId: raw.conversationId,
    idScope,
    title: title(raw),
    status,
    handoff: status === 'WITH_OPERATOR' ? 'OPERATOR' : 'BOT',
    botNativeId: botId,
    endUserNativeId: raw.customer.id,
    endUser: mapEndUser(raw, botId),
    channel: raw.channel?.name || null,
    location: null,
    ipAddress: null,
    createdAt: new Date(raw.timestamp),
    updatedAt: new Date(last ?? raw.timestamp),
    // The schema's Int: whole seconds.
    durationSeconds: last === null ? null : Math.max(0, Math.round((last - raw.timestamp) / 1000)),
    messageCount: raw.msgCount ?? events.filter((e) => e.event === 'user' || e.event === 'bot').length,
    tags: tags(raw),
    notes: raw.notes ?? null,
    // CXone collects no form data; an empty list tells the resolvers no detail read is needed.
    collectedData: [],
    // Mapped only when a resolver reads them (trackerEvents, messages), and once per conversation
    // version for every request that does: mapping whole NLU trackers was most of an inbox's CPU.
    get trackerEvents() {
      return mappedTracker(raw, botId, idScope).trackerEvents;
    },
    journey: mapJourney(raw),
    get embeddedMessages() {
      return mappedTracker(raw, botId, idScope).embeddedMessages;
    },
    raw,
  };
}

/**
 * Conversations whose tracker was mapped, by version (oldest dropped first). Each keeps its raw
 * events alive (messages carry them as `raw`), so this stays modest. @default 1000
 */
const MAPPED_TRACKERS = 1_000;
let trackersMapped = 0;

/** How many trackers this process has mapped so far: a conversation version is mapped once. */
export function trackersMappedSoFar(): number {
  return trackersMapped;
}
const mappedTrackers = new Map<string, { trackerEvents: TrackerEventModel[]; embeddedMessages: MessageModel[] }>();

/**
 * A conversation's tracker events and messages, mapped once per version: an export record of the
 * same conversation, bot, start and event count maps to the same models. Callers must not mutate them.
 */
function mappedTracker(raw: CxConversation, botId: string | null, idScope: string[]) {
  const key = JSON.stringify([raw.conversationId, botId, raw.timestamp, raw.lastMessageAt ?? null, raw.tracker.events.length]);
  let mapped = mappedTrackers.get(key);
  if (!mapped) {
    mapped = { trackerEvents: raw.tracker.events.map(mapTrackerEvent), embeddedMessages: mapEmbeddedMessages(raw, idScope) };
    trackersMapped++;
    setBounded(mappedTrackers, key, mapped, MAPPED_TRACKERS);
  }
  return mapped;
}
