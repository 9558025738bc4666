/**
 * Builds Rasa tracker events in exactly the shapes of the vendor's example, and the conversation
 * fields derived from them (counts, lastMessageAt, journey, transitions). The seed and the live
 * activity both write through {@link ConversationDraft}, so a conversation grown by activity looks
 * the same as a seeded one.
 */
import { createHash } from 'node:crypto';
import type { Rng } from '../../../simulators/common/rng.js';
import type { BotLine } from './content.js';
import type {
  CxActionEvent,
  CxBotEvent,
  CxConversation,
  CxEntity,
  CxEvent,
  CxEventMetadata,
  CxGenericEvent,
  CxIntent,
  CxUserEvent,
} from './types.js';

/** Rasa prints float seconds with about five decimals; the example does too. */
export const round5 = (seconds: number): number => Math.round(seconds * 1e5) / 1e5;

/** Confidences in the example carry 15 significant digits. */
const conf = (x: number): number => Number(x.toPrecision(15));

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** `utter_<base64 {"hash","tid","type":"message"}>`, as in the example. */
export function utterName(text: string, tid: number): string {
  const hash = createHash('sha1').update(text).digest('hex');
  return `utter_${b64json({ hash, tid, type: 'message' })}`;
}

/** `action_<base64 {"tid","type"}>`, as in the example (`{"tid":27420,"type":"ask_affirmation"}`). */
export function actionName(type: string, tid: number): string {
  return `action_${b64json({ tid, type })}`;
}

/**
 * The decoded `type` of an `action_<base64>` / `utter_<base64>` name, or undefined. This is the rule
 * the datasource uses too (docs/providers/cxone.md), so it lives in one place here.
 */
export function decodeActionType(name: string): string | undefined {
  const m = /^(?:action|utter)_([A-Za-z0-9+/=_-]+)$/.exec(name);
  if (!m) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8'));
    if (decoded && typeof decoded === 'object' && typeof (decoded as { type?: unknown }).type === 'string') {
      return (decoded as { type: string }).type;
    }
  } catch {
    // Not base64 JSON: a plain Rasa name such as action_listen.
  }
  return undefined;
}

/** A stable template id for a bot's journey node: CXone numbers its flow steps, and the same step keeps its id. */
export function tidFor(botId: string, node: string): number {
  let h = 2166136261;
  for (const ch of `${botId}/${node}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return 20000 + (h % 20000);
}

/** `[value](entity)` markup → plain text plus entity spans. */
export function parseMarkup(raw: string): { text: string; entities: Array<{ entity: string; value: string; start: number; end: number }> } {
  const entities: Array<{ entity: string; value: string; start: number; end: number }> = [];
  let text = '';
  let last = 0;
  for (const m of raw.matchAll(/\[([^\]]+)\]\(([a-z_0-9]+)\)/g)) {
    text += raw.slice(last, m.index);
    const value = m[1] as string;
    entities.push({ entity: m[2] as string, value, start: text.length, end: text.length + value.length });
    text += value;
    last = (m.index ?? 0) + m[0].length;
  }
  text += raw.slice(last);
  return { text, entities };
}

/** Rasa's tokens as `[start, end]` spans: runs of letters and digits ("I'm" is two tokens, as in the example). */
export function textTokens(text: string): Array<[number, number]> {
  return [...text.matchAll(/[\p{L}\p{N}_]+/gu)].map((m) => [m.index, m.index + m[0].length]);
}

const RESPONSE_SELECTOR = () => ({
  default: {
    response: { confidence: 0, responses: null, utter_action: 'utter_None', intent_response_key: null },
    ranking: [],
  },
  all_retrieval_intents: [],
});

export interface DraftInit {
  botId: string;
  modelId: string;
  /** Current time of the draft's clock, float seconds. */
  t: number;
  events?: CxEvent[];
  nodes?: string[];
  ended?: boolean;
}

/**
 * A conversation being written. Holds a clock (float seconds) that each event advances a little,
 * the tracker events, and the journey nodes; `toConversation` derives everything else.
 */
export class ConversationDraft {
  readonly botId: string;
  readonly modelId: string;
  t: number;
  events: CxEvent[];
  /** Journey node names without their `__n` suffix, starting with `start`. */
  nodes: string[];
  ended: boolean;

  constructor(
    private readonly rng: Rng,
    init: DraftInit,
  ) {
    this.botId = init.botId;
    this.modelId = init.modelId;
    this.t = init.t;
    this.events = init.events ? init.events.slice() : [];
    this.nodes = init.nodes ? init.nodes.slice() : ['start'];
    this.ended = init.ended ?? false;
  }

  /** Reopens a stored conversation for appending (activity). The stored object is not touched. */
  static from(rng: Rng, botId: string, conversation: CxConversation, nowSeconds: number): ConversationDraft {
    const parts = conversation.journey.split('->');
    const ended = parts[parts.length - 1] === 'end';
    const nodes = parts.filter((p) => p !== 'end').map((p) => p.replace(/__\d+$/, ''));
    const lastWithModel = [...conversation.tracker.events].reverse().find((e) => e.metadata && typeof e.metadata === 'object');
    const modelId = lastWithModel?.metadata?.model_id ?? rng.hex(32);
    const lastT = conversation.lastMessageAt / 1000;
    return new ConversationDraft(rng, {
      botId,
      modelId,
      t: Math.max(nowSeconds, lastT + 0.001),
      events: conversation.tracker.events,
      nodes: nodes.length > 0 ? nodes : ['start'],
      ended,
    });
  }

  private meta(extra?: Partial<CxEventMetadata>): CxEventMetadata {
    return { model_id: this.modelId, ...extra };
  }

  /** Moves the clock on by a few microseconds to tens of ms: the bot's own processing time. */
  private step(): number {
    this.t = round5(this.t + 0.00001 + this.rng.next() * (this.rng.chance(0.3) ? 0.06 : 0.004));
    return this.t;
  }

  /** The end user thinks and types: seconds to minutes. */
  pause(minSeconds: number, maxSeconds: number): void {
    this.t = this.t + minSeconds + this.rng.next() * (maxSeconds - minSeconds);
  }

  node(name: string): void {
    if (this.nodes[this.nodes.length - 1] !== name) this.nodes.push(name);
  }

  private action(name: string, opts: { type?: string; policy: string | null; confidence: number | null; hideRuleTurn?: boolean }): CxActionEvent {
    const event: CxActionEvent = {
      metadata: this.meta(),
      action_text: null,
      hide_rule_turn: opts.hideRuleTurn ?? false,
      confidence: opts.confidence,
      name,
      event: 'action',
      ...(opts.type === undefined ? {} : { type: opts.type }),
      timestamp: this.step(),
      policy: opts.policy,
    };
    this.events.push(event);
    return event;
  }

  private policy(): { policy: string; confidence: number; hideRuleTurn: boolean } {
    const policy = this.rng.weighted([
      ['RulePolicy', 4],
      ['AugmentedMemoizationPolicy', 4],
      ['TEDPolicy', 2],
    ] as const);
    const confidence = policy === 'TEDPolicy' ? conf(0.82 + this.rng.next() * 0.17) : 1;
    return { policy, confidence, hideRuleTurn: policy === 'RulePolicy' };
  }

  generic(event: string, fields: Record<string, unknown> = {}): void {
    const e: CxGenericEvent = { metadata: this.meta(), ...fields, event, timestamp: this.step() };
    this.events.push(e);
  }

  sessionStart(): void {
    this.action('action_session_start', { type: 'session_start', policy: null, confidence: 1 });
    this.events.push({ metadata: this.meta(), event: 'session_started', timestamp: this.step() });
    this.action('action_listen', { type: 'listen', policy: null, confidence: null });
  }

  listen(): void {
    const p = this.policy();
    this.action('action_listen', { type: 'listen', policy: p.policy, confidence: p.confidence, hideRuleTurn: p.hideRuleTurn });
  }

  /**
   * One end-user message: the `last customer message` slot (whole seconds, sent by the channel before
   * the NLU ran), the `user` event with its parse data, slots for its entities, `user_featurization`.
   */
  user(rawText: string, intent: string, intents: readonly string[], opts: { fallback?: boolean; slot?: string } = {}): CxUserEvent {
    const { text, entities } = parseMarkup(rawText);
    this.events.push({ metadata: this.meta(), name: 'last customer message', event: 'slot', value: text, timestamp: Math.floor(this.t) });
    const ranking = this.ranking(intent, intents, opts.fallback === true);
    const messageId = this.rng.hex(32);
    const cxEntities: CxEntity[] = entities.map((e) => ({
      entity: e.entity,
      start: e.start,
      end: e.end,
      confidence_entity: conf(0.9 + this.rng.next() * 0.0999),
      value: e.value,
      extractor: 'DIETClassifier',
    }));
    const event: CxUserEvent = {
      input_channel: 'rest',
      metadata: this.meta(),
      parse_data: {
        metadata: [],
        entities: cxEntities,
        intent_ranking: ranking,
        message_id: messageId,
        text,
        text_tokens: textTokens(text),
        intent: { ...(ranking[0] as CxIntent) },
        response_selector: RESPONSE_SELECTOR(),
      },
      message_id: messageId,
      text,
      event: 'user',
      timestamp: this.step(),
    };
    this.events.push(event);
    for (const e of entities) {
      this.events.push({ metadata: this.meta(), name: opts.slot ?? e.entity, event: 'slot', value: e.value, timestamp: this.step() });
    }
    this.events.push({ metadata: this.meta(), use_text_for_featurization: false, event: 'user_featurization', timestamp: this.step() });
    return event;
  }

  /** The top intent first, then every other intent of the bot with a falling share of what is left. */
  private ranking(intent: string, intents: readonly string[], fallback: boolean): CxIntent[] {
    const others = this.rng.shuffle(intents.filter((i) => i !== intent && i !== 'nlu_fallback'));
    const out: CxIntent[] = [];
    // Rasa's FallbackClassifier puts nlu_fallback on top (0.99 in the example) and keeps the real, too
    // weak, ranking below it; the best guess is what the bot then offers in `ask_affirmation`.
    if (fallback) out.push({ confidence: 0.99, name: 'nlu_fallback' });
    const top = fallback ? conf(0.3 + this.rng.next() * 0.55) : conf(0.72 + this.rng.next() * 0.2799);
    const tail: CxIntent[] = [{ confidence: top, name: intent }];
    let rest = 1 - top;
    for (const name of others) {
      const share = rest * (0.35 + this.rng.next() * 0.5);
      tail.push({ confidence: conf(share), name });
      rest -= share;
    }
    // Rasa lists the ranking best first (after nlu_fallback, which always leads when it fires).
    tail.sort((a, b) => b.confidence - a.confidence);
    return [...out, ...tail];
  }

  /** A bot message, rendered in one of the example's shapes (or Rasa's plain-text shape), after its utter action. */
  bot(line: BotLine, tid: number): CxBotEvent {
    const utter = utterName(line.text, tid);
    const p = this.policy();
    this.action(utter, { policy: p.policy, confidence: p.confidence, hideRuleTurn: p.hideRuleTurn });
    return this.botMessage(line, utter);
  }

  /** The bot message without an action before it (after `action_<base64>` actions, as in the example). */
  botMessage(line: BotLine, utterAction?: string): CxBotEvent {
    let event: CxBotEvent;
    if (line.quickReplies) {
      event = {
        metadata: this.meta(),
        data: {
          custom: {
            payload: { quick_replies: line.quickReplies.map(([title, payload]) => ({ payload, title })), text: line.text },
            script_typing: 0,
            msgid: this.rng.uuid(),
            fallback_text: '',
          },
        },
        text: null,
        event: 'bot',
        timestamp: this.step(),
      };
    } else if (line.buttons || this.rng.chance(0.7)) {
      event = {
        metadata: this.meta(utterAction === undefined ? {} : { utter_action: utterAction }),
        data: {
          image: null,
          buttons: null,
          attachment: null,
          elements: null,
          quick_replies: null,
          custom: { payload: { buttons: (line.buttons ?? []).map(([title, payload]) => ({ title, payload })), text: line.text }, fallback_text: '' },
        },
        text: null,
        event: 'bot',
        timestamp: this.step(),
      };
    } else {
      // Rasa's own shape for a plain text response: the text at the top, every rich field null.
      event = {
        metadata: this.meta(utterAction === undefined ? {} : { utter_action: utterAction }),
        data: { image: null, buttons: null, attachment: null, elements: null, quick_replies: null, custom: null },
        text: line.text,
        event: 'bot',
        timestamp: this.step(),
      };
    }
    this.events.push(event);
    return event;
  }

  /** An `action_<base64 {"tid","type"}>` with its decoded `type`, as the example's `ask_affirmation`. */
  typedAction(type: string, tid: number): void {
    const p = this.policy();
    this.action(actionName(type, tid), { type, policy: p.policy, confidence: p.confidence, hideRuleTurn: false });
  }

  /** The fields the export derives from the tracker. */
  toConversation(
    base: Omit<CxConversation, 'msgCount' | 'customerMsgCount' | 'botMsgCount' | 'tracker' | 'lastMessageAt' | 'journey' | 'transitions'>,
  ): CxConversation {
    const customerMsgCount = this.events.filter((e) => e.event === 'user').length;
    const botMsgCount = this.events.filter((e) => e.event === 'bot').length;
    const numbered = this.nodes.map((n, i) => `${n}__${i + 1}`);
    if (this.ended) numbered.push('end');
    const transitions = numbered.slice(1).map((to, i) => ({ name: `${numbered[i]}->${to}` }));
    const last = this.events[this.events.length - 1];
    return {
      timestamp: base.timestamp,
      conversationId: base.conversationId,
      customer: base.customer,
      channel: base.channel,
      isReviewed: base.isReviewed,
      dfo: base.dfo,
      conversationNumber: base.conversationNumber,
      tags: base.tags,
      notes: base.notes,
      msgCount: customerMsgCount + botMsgCount,
      customerMsgCount,
      botMsgCount,
      tracker: { name: `${this.botId}-${base.conversationId}`, events: this.events.slice() },
      lastMessageAt: last ? Math.round(last.timestamp * 1000) : base.timestamp,
      journey: numbered.join('->'),
      transitions,
    };
  }
}
