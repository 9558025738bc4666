/**
 * Deterministic seed data: for each bot, a pool of customers on its channels and a history of
 * conversations spread over the 90 days before `now`, in all four derived states. The same `seed`,
 * `now`, bot ids and size give byte-identical data.
 */
import { DAY_MS, HOUR_MS, historyStart, type HistoryWindow } from '../../../simulators/common/history.js';
import { deriveRng, Rng } from '../../../simulators/common/rng.js';
import { CHANNELS, DOMAINS, FIRST_NAMES, LAST_NAMES, type ChannelKey, type Domain, type Topic } from './content.js';
import { Dialogue } from './dialogue.js';
import { exampleConversation } from './example.js';
import { ConversationDraft } from './tracker.js';
import type { CxConversation } from './types.js';

/** A conversation that is not over and was quiet for longer than this counts as interrupted (docs/providers/cxone.md). */
export const ACTIVE_WINDOW_MS = 30 * 60_000;
/** The bot that holds the vendor's example conversation, and that conversation's number. */
export const EXAMPLE_BOT = '1327';
const EXAMPLE_NUMBER = 13;

export type SeedState = 'COMPLETED' | 'WITH_OPERATOR' | 'ACTIVE' | 'INTERRUPTED';

export interface Customer {
  id: string;
  name: string;
  channel: ChannelKey;
}

export interface Channel {
  id: string;
  name: string;
  icon: string;
}

/** Where a conversation is in its topic, so live activity can carry on the dialogue. */
export interface Progress {
  topic: string;
  nextStep: number;
}

export interface SeededBot {
  botId: string;
  domain: Domain;
  customers: Customer[];
  channels: Record<ChannelKey, Channel>;
  /** NLU model ids, newest first; the bot is retrained about once a month. */
  modelIds: string[];
}

export interface SeedResult {
  bots: SeededBot[];
  conversations: Array<{ botId: string; conversation: CxConversation; progress?: Progress }>;
}

export interface SeedOptions {
  seed: number;
  now: number;
  botIds: readonly string[];
  conversationsPerBot: number;
}

/** A 32-bit FNV-1a of a string, to give each bot its own stream from the same seed. */
export { hashString } from '../../../simulators/common/rng.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function conversationIdFor(rng: Rng): string {
  let middle = '';
  for (let i = 0; i < 60; i++) middle += ALNUM[rng.int(0, ALNUM.length - 1)];
  return `chat;${middle};${rng.hex(40)}`;
}

function digits(rng: Rng, n: number): string {
  let out = String(rng.int(1, 9));
  for (let i = 1; i < n; i++) out += String(rng.int(0, 9));
  return out;
}

/** A customer id as each channel identifies people: the console uses the display name (as the example does). */
export function newCustomer(rng: Rng): Customer {
  const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  const channel = rng.weighted(CHANNELS.map((c) => [c.key, c.weight] as const));
  let id: string;
  switch (channel) {
    case 'console':
      id = name;
      break;
    case 'chat':
      id = rng.uuid();
      break;
    case 'messenger':
      id = digits(rng, 16);
      break;
    case 'whatsapp':
    case 'sms':
      id = `+1${digits(rng, 10)}`;
      break;
    case 'apple':
      id = `urn:mbid:${rng.hex(40)}`;
      break;
  }
  return { id, name, channel };
}

export function seedBot(seed: number, botId: string, index: number): SeededBot {
  const rng = deriveRng(seed, `bot:${botId}`);
  const domain = DOMAINS[index % DOMAINS.length] as Domain;
  const channels = Object.fromEntries(
    CHANNELS.map((c) => [c.key, { id: c.key === 'console' ? '' : `${c.key}_${rng.uuid()}`, name: c.name, icon: c.icon }]),
  ) as Record<ChannelKey, Channel>;
  const customers = Array.from({ length: 70 }, () => newCustomer(rng));
  const modelIds = [rng.hex(32), rng.hex(32), rng.hex(32)];
  return { botId, domain, customers, channels, modelIds };
}

interface Plan {
  state: SeedState;
  topic: Topic;
  greet: boolean;
  fallback: boolean;
  restart: boolean;
  /** Steps answered before the conversation stopped (COMPLETED: all of them). */
  steps: number;
  secondTopic?: Topic;
  handoverThenClose: boolean;
  waiting: number;
  reminder: boolean;
}

function plan(rng: Rng, domain: Domain, state: SeedState): Plan {
  const topic = rng.pick(domain.topics);
  const n = topic.steps.length;
  const base = {
    state,
    topic,
    greet: rng.chance(0.8),
    fallback: rng.chance(0.15),
    restart: rng.chance(0.04),
    handoverThenClose: false,
    waiting: 0,
    reminder: false,
  };
  switch (state) {
    case 'COMPLETED': {
      const second = rng.chance(0.35) ? rng.pick(domain.topics.filter((t) => t !== topic)) : undefined;
      return { ...base, steps: n, handoverThenClose: rng.chance(0.1), ...(second ? { secondTopic: second } : {}) };
    }
    case 'WITH_OPERATOR':
      return { ...base, steps: rng.int(0, n), waiting: rng.int(0, 2) };
    case 'ACTIVE':
      return { ...base, steps: rng.int(0, n - 1) };
    case 'INTERRUPTED':
      return { ...base, steps: rng.int(0, n - 1), reminder: rng.chance(0.5) };
  }
}

/**
 * Plays a plan into a draft starting at `t0` (float seconds), drawing from `deriveRng(seed, purpose)`:
 * the same purpose replays the same dialogue, whatever `t0`.
 */
function play(seed: number, purpose: string, bot: SeededBot, modelId: string, p: Plan, t0: number): ConversationDraft {
  const rng = deriveRng(seed, purpose);
  const draft = new ConversationDraft(rng, { botId: bot.botId, modelId, t: t0 });
  const dlg = new Dialogue(rng, bot.domain, draft);
  dlg.open();
  if (p.greet) dlg.greet();
  if (p.restart) dlg.restart();
  if (p.fallback) dlg.fallback(p.topic);
  else dlg.openTopic(p.topic);
  for (let i = 0; i < p.steps; i++) dlg.step(p.topic, i);
  switch (p.state) {
    case 'COMPLETED':
      if (p.handoverThenClose) {
        dlg.handover();
        dlg.waiting();
        dlg.agentClose();
        break;
      }
      if (p.secondTopic) {
        dlg.openTopic(p.secondTopic);
        for (let i = 0; i < p.secondTopic.steps.length; i++) dlg.step(p.secondTopic, i);
      }
      dlg.close();
      break;
    case 'WITH_OPERATOR':
      dlg.handover();
      for (let i = 0; i < p.waiting; i++) dlg.waiting();
      break;
    case 'ACTIVE':
      break;
    case 'INTERRUPTED':
      if (p.reminder) dlg.reminder();
      break;
  }
  return draft;
}

/**
 * The states of one bot's history, exactly `count` of them: mostly completed, and from 12
 * conversations up at least three of each state (so there are always live ACTIVE ones to watch).
 */
function states(rng: Rng, count: number): SeedState[] {
  const min = count >= 12 ? 3 : count >= 4 ? 1 : 0;
  const active = Math.max(min, Math.round(count * 0.07));
  const operator = Math.max(min, Math.round(count * 0.13));
  const interrupted = Math.max(min, Math.round(count * 0.22));
  const completed = Math.max(0, count - active - operator - interrupted);
  return rng.shuffle([
    ...Array<SeedState>(completed).fill('COMPLETED'),
    ...Array<SeedState>(operator).fill('WITH_OPERATOR'),
    ...Array<SeedState>(active).fill('ACTIVE'),
    ...Array<SeedState>(interrupted).fill('INTERRUPTED'),
  ]);
}

/**
 * The example's customers write in UTC; a start may be as late as `now` here, because the caller
 * moves it back by the dialogue's length to keep its end quiet (ACTIVE_WINDOW_MS).
 */
const HISTORY: Omit<HistoryWindow, 'now'> = { utcOffsetHours: 0, quietMs: 0 };

export function seedCxone(options: SeedOptions): SeedResult {
  const { now } = options;
  const bots = options.botIds.map((botId, i) => seedBot(options.seed, botId, i));
  const conversations: SeedResult['conversations'] = [];

  for (const bot of bots) {
    const rng = deriveRng(options.seed, `history:${bot.botId}`);
    const own: SeedResult['conversations'] = [];
    for (const [i, state] of states(rng, options.conversationsPerBot).entries()) {
      // The dialogue's own generator, by its place in the bot's history.
      const dialogue = `conversation:${bot.botId}:${i}`;
      const p = plan(rng, bot.domain, state);
      // First a dry run at t=0 to learn how long the dialogue lasts, then the real run at its place
      // in time: both draw from the same purpose, so they play the same dialogue.
      const duration = play(options.seed, dialogue, bot, '', p, 0).t * 1000;
      let start: number;
      if (state === 'ACTIVE') {
        start = now - rng.int(15_000, 25 * 60_000) - duration;
      } else {
        start = historyStart(rng, { now, ...HISTORY });
        // Anything not ACTIVE must have gone quiet more than 30 minutes ago, and nothing may lie in the future.
        const latestEnd = now - ACTIVE_WINDOW_MS - 60_000;
        // The slack is drawn either way, so that the draws after it do not depend on where `now` falls.
        const slack = rng.int(0, 3 * HOUR_MS);
        if (start + duration > latestEnd) start = latestEnd - duration - slack;
        start = Math.max(start, now - 90 * DAY_MS);
      }
      const ageDays = (now - start) / DAY_MS;
      const modelId = bot.modelIds[ageDays < 30 ? 0 : ageDays < 60 ? 1 : 2] as string;
      const draft = play(options.seed, dialogue, bot, modelId, p, start / 1000);
      const customer = rng.pick(bot.customers);
      const handedOver = state === 'WITH_OPERATOR' || p.handoverThenClose;
      const settled = state === 'COMPLETED' || state === 'WITH_OPERATOR';
      const reviewed = rng.chance(0.35);
      const isReviewed = settled && ageDays > 2 && reviewed;
      const tags = isReviewed || handedOver ? [p.topic.tag, ...(handedOver ? ['escalated'] : []), ...(rng.chance(0.05) ? ['vip'] : [])] : [];
      const notes = rng.chance(handedOver ? 0.4 : 0.05) ? rng.pick(bot.domain.notes) : '';
      const onDfo = customer.channel !== 'console';
      const first = draft.events[0];
      const conversation = draft.toConversation({
        timestamp: Math.round((first ? first.timestamp : start / 1000) * 1000) - rng.int(40, 160),
        conversationId: conversationIdFor(rng),
        customer: { id: customer.id, name: customer.name },
        channel: { ...bot.channels[customer.channel] },
        isReviewed,
        // Every conversation routed through Digital Experience (all channels but the test console) has a case and a post.
        dfo: onDfo ? { caseId: digits(rng, 9), postId: rng.uuid() } : { caseId: '', postId: '' },
        conversationNumber: 0,
        tags,
        notes,
      });
      const last = p.secondTopic ?? p.topic;
      const progress: Progress = { topic: last.intent, nextStep: p.secondTopic ? last.steps.length : p.steps };
      own.push({ botId: bot.botId, conversation, progress });
    }
    // Bot Builder numbers conversations per bot in the order they started. Bot 1327's history starts
    // with the vendor's example (#13, from 2024), so its seeded conversations continue from #14.
    own.sort(
      (a, b) => a.conversation.timestamp - b.conversation.timestamp || a.conversation.conversationId.localeCompare(b.conversation.conversationId),
    );
    let number = bot.botId === EXAMPLE_BOT ? EXAMPLE_NUMBER + 1 : 1;
    for (const entry of own) entry.conversation.conversationNumber = number++;
    if (bot.botId === EXAMPLE_BOT) conversations.push({ botId: bot.botId, conversation: exampleConversation() });
    conversations.push(...own);
  }
  return { bots, conversations };
}
