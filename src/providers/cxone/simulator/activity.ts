/**
 * Live traffic: each tick plays one move on the store: a new conversation, a user turn and the bot's
 * reply, a request for an agent (handover), a message to a waiting agent, or a conversation ending.
 * Moves replace stored conversations with grown copies (counts, lastMessageAt and journey follow),
 * so the next export request sees them; scrolls opened earlier keep their snapshot.
 */
import type { Rng } from '../../../simulators/common/rng.js';
import type { Domain } from './content.js';
import { Dialogue } from './dialogue.js';
import { ACTIVE_WINDOW_MS, conversationIdFor, newCustomer, type Progress } from './seed.js';
import type { ConversationStore } from './store.js';
import { ConversationDraft, decodeActionType } from './tracker.js';
import type { CxActionEvent, CxConversation } from './types.js';

type Move = 'new' | 'turn' | 'handover' | 'waiting' | 'complete';

interface Candidate {
  botId: string;
  conversation: CxConversation;
}

export function isEnded(c: CxConversation): boolean {
  return c.journey.endsWith('->end');
}

const handedOver = new WeakMap<CxConversation, boolean>();

/** The WITH_OPERATOR rule of docs/providers/cxone.md: an action whose type (stated or decoded) or name is `handover`. */
export function isHandedOver(c: CxConversation): boolean {
  let result = handedOver.get(c);
  if (result === undefined) {
    result = c.tracker.events.some((e) => {
      if (e.event !== 'action') return false;
      const a = e as CxActionEvent;
      return a.type === 'handover' || a.name === 'handover' || decodeActionType(String(a.name)) === 'handover';
    });
    handedOver.set(c, result);
  }
  return result;
}

export class CxoneActivity {
  constructor(
    private readonly rng: Rng,
    private readonly store: ConversationStore,
    private readonly clock: () => number,
  ) {}

  /** One piece of traffic. Returns what it did, for tests and logs. */
  tick(): { move: Move; botId: string; conversationId: string } {
    const move = this.rng.weighted<Move>([
      ['new', 2],
      ['turn', 5],
      ['handover', 1],
      ['waiting', 0.5],
      ['complete', 1.5],
    ]);
    const now = this.clock();
    const open = this.candidates((c) => !isEnded(c) && !isHandedOver(c), now);
    const withAgent = this.candidates((c) => !isEnded(c) && isHandedOver(c), now);
    let target: Candidate | undefined;
    if (move === 'waiting') target = withAgent.length > 0 ? this.rng.pick(withAgent) : undefined;
    else if (move === 'complete' && withAgent.length > 0 && this.rng.chance(0.3)) target = this.rng.pick(withAgent);
    else target = open.length > 0 ? this.rng.pick(open) : undefined;
    if (move === 'new' || !target) return this.start(now);

    const { botId, conversation } = target;
    const bot = this.store.bot(botId);
    if (!bot) return this.start(now);
    const draft = ConversationDraft.from(this.rng, botId, conversation, now / 1000);
    const dlg = new Dialogue(this.rng, bot.domain, draft, true);
    let progress = this.store.progressOf(conversation.conversationId);
    const handedOver = isHandedOver(conversation);
    let done: Move = move;
    if (handedOver) {
      if (move === 'complete') dlg.agentClose();
      else dlg.waiting();
      done = move === 'complete' ? 'complete' : 'waiting';
    } else if (move === 'handover') {
      dlg.handover();
    } else if (move === 'complete') {
      dlg.close();
    } else {
      const topic = progress && bot.domain.topics.find((t) => t.intent === progress?.topic);
      if (!topic || !progress) {
        // A conversation that never got past the greeting (or one we have no script for): open a topic.
        const fresh = this.rng.pick(bot.domain.topics);
        dlg.openTopic(fresh);
        progress = { topic: fresh.intent, nextStep: 0 };
      } else if (progress.nextStep < topic.steps.length) {
        dlg.step(topic, progress.nextStep);
        progress = { ...progress, nextStep: progress.nextStep + 1 };
      } else {
        dlg.close();
      }
      done = 'turn';
    }
    this.store.put(botId, draft.toConversation(conversation), progress);
    return { move: done, botId, conversationId: conversation.conversationId };
  }

  /** Open conversations, the recently active first: live users keep talking, old ones rarely come back. */
  private candidates(filter: (c: CxConversation) => boolean, now: number): Candidate[] {
    const recent: Candidate[] = [];
    const older: Candidate[] = [];
    for (const botId of this.store.botIds()) {
      for (const conversation of this.store.list(botId)) {
        if (!filter(conversation)) continue;
        (now - conversation.lastMessageAt <= ACTIVE_WINDOW_MS ? recent : older).push({ botId, conversation });
      }
    }
    // Mostly the live ones; now and then an interrupted conversation is picked up again.
    if (recent.length > 0 && (older.length === 0 || this.rng.chance(0.9))) return recent;
    return older.sort((a, b) => b.conversation.lastMessageAt - a.conversation.lastMessageAt).slice(0, 10);
  }

  private start(now: number): { move: Move; botId: string; conversationId: string } {
    const botId = this.rng.pick(this.store.botIds());
    const bot = this.store.bot(botId);
    if (!bot) throw new Error(`unknown bot ${botId}`);
    const domain: Domain = bot.domain;
    const draft = new ConversationDraft(this.rng, { botId, modelId: bot.modelIds[0] as string, t: now / 1000 });
    const dlg = new Dialogue(this.rng, domain, draft, true);
    dlg.open();
    let progress: Progress | undefined;
    if (this.rng.chance(0.6)) {
      dlg.greet();
    } else {
      const topic = this.rng.pick(domain.topics);
      dlg.openTopic(topic);
      progress = { topic: topic.intent, nextStep: 0 };
    }
    // Returning customers are common; now and then someone new writes in.
    const customer = this.rng.chance(0.8) ? this.rng.pick(bot.customers) : newCustomer(this.rng);
    if (!bot.customers.includes(customer)) bot.customers.push(customer);
    const conversationId = conversationIdFor(this.rng);
    const conversation = draft.toConversation({
      timestamp: now - this.rng.int(40, 160),
      conversationId,
      customer: { id: customer.id, name: customer.name },
      channel: { ...bot.channels[customer.channel] },
      isReviewed: false,
      dfo:
        customer.channel === 'console'
          ? { caseId: '', postId: '' }
          : { caseId: String(this.rng.int(100_000_000, 999_999_999)), postId: this.rng.uuid() },
      conversationNumber: this.store.takeNumber(botId),
      tags: [],
      notes: '',
    });
    this.store.put(botId, conversation, progress);
    return { move: 'new', botId, conversationId };
  }
}
