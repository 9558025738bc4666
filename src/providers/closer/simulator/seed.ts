/**
 * Deterministic generation of the CLOSER simulator's starting data: the same `seed` and `now` give
 * byte-identical bots, flows, end users, conversations and messages, spread over the 90 days before
 * `now`. Nothing here reads the clock or Math.random.
 */
import { HOUR_MS as HOUR, MINUTE_MS as MINUTE, historyStarts, recentStarts, type HistoryWindow } from '../../../simulators/common/history.js';
import { deriveRng, type Rng } from '../../../simulators/common/rng.js';
import {
  AGENT_FLOW,
  AGENT_GOODBYE,
  AGENT_GREETING,
  AGENT_NAMES,
  AGENT_REQUEST,
  AGENT_REQUEST_BOT,
  AGENT_USER_THANKS,
  BOT_SPECS,
  CITIES,
  CLOSING_BOT,
  CLOSING_QUESTION,
  CLOSING_USER,
  GIVEN_NAMES,
  OPENINGS,
  PLATFORM_WEIGHTS,
  RETURN_REASONS,
  SURNAMES,
  WAITING_BOT,
  WELCOME_FLOW,
  type BotSpec,
  type ConversationVars,
  type Step,
  type Topic,
} from './content.js';
import { DAY_MS, iso, koreanDate, objectId, orderNumber } from './ids.js';
import {
  AGENT_SENDER_PLATFORM,
  BOT_SENDER_PLATFORM,
  type Bot,
  type Conversation,
  type EndUser,
  type Flow,
  type ManualStatus,
  type Message,
  type MessageData,
  type NavigationPoint,
  type Platform,
} from './types.js';

export interface SeedData {
  bots: Bot[];
  flows: Flow[];
  endUsers: EndUser[];
  conversations: Conversation[];
  /** Every message, ordered by `timestamp` then `id`. */
  messages: Message[];
  /** The bots with their flows by role and their script, for the live activity. */
  models: BotModel[];
}

/** A bot as the generators need it: the stored bot, its flows by role, and the text it speaks. */
export interface BotModel {
  bot: Bot;
  spec: BotSpec;
  welcome: Flow;
  agent: Flow;
  /** One flow per topic, in the spec's topic order. */
  topicFlows: Flow[];
}

// ---------------------------------------------------------------------------------------------
// Small pieces shared with the live activity

/** Fills `{placeholders}`; an unknown placeholder is left as written so that a gap is visible. */
export function fill(text: string, vars: ConversationVars): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => vars[key] ?? whole);
}

function contentTypeOf(uri: string): string {
  return uri.endsWith('.png') ? 'image/png' : 'image/jpeg';
}

/** Turns a scripted step into a message body, drawing the variant and filling placeholders. */
export function renderStep(step: Step, vars: ConversationVars, rng: Rng): MessageData {
  if ('cards' in step) {
    const data: MessageData = {
      type: 'cards',
      cards: step.cards.map((card) => ({
        title: fill(card.title, vars),
        ...(card.description !== undefined ? { description: fill(card.description, vars) } : {}),
        ...(card.image !== undefined ? { media: { contentType: contentTypeOf(card.image), uri: card.image } } : {}),
        ...(card.uri !== undefined ? { uri: card.uri } : {}),
        ...(card.buttons !== undefined ? { buttons: card.buttons.map((b) => ({ title: b, payload: b })) } : {}),
      })),
    };
    if (step.text !== undefined) data.text = fill(step.text, vars);
    return data;
  }
  if ('photo' in step) {
    const uri = rng.pick(step.photo);
    return { type: 'media', media: { contentType: contentTypeOf(uri), uri } };
  }
  if ('location' in step) return { type: 'location', location: { ...step.location } };
  return { type: 'text', text: fill(rng.pick(step.text), vars) };
}

export function text(options: readonly string[], vars: ConversationVars, rng: Rng): MessageData {
  return { type: 'text', text: fill(rng.pick(options), vars) };
}

/** The bot's first answer in every conversation: the greeting over a menu card of its flows. */
export function welcomeData(model: BotModel): MessageData {
  return {
    type: 'cards',
    text: model.spec.greeting,
    cards: [
      {
        title: '무엇을 도와드릴까요?',
        description: '아래 메뉴에서 선택해 주세요. 상담원 연결은 "상담원"이라고 입력해 주세요.',
        buttons: model.spec.topics.map((t) => ({ title: t.title, payload: t.title })),
      },
    ],
  };
}

/** The per-conversation values of the placeholders. */
export function makeVars(rng: Rng, spec: BotSpec, atMs: number, customerName: string): ConversationVars {
  const vars: ConversationVars = {
    name: customerName,
    agent: rng.pick(AGENT_NAMES),
    order: orderNumber(atMs - rng.int(1, 10) * DAY_MS, rng.int(1, 9_999_999)),
    tracking: `${rng.int(1000, 9999)}-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
    date: koreanDate(atMs + rng.int(1, 5) * DAY_MS),
    pastDate: koreanDate(atMs - rng.int(1, 6) * DAY_MS),
    phoneTail: String(rng.int(0, 9999)).padStart(4, '0'),
    birth: `${rng.int(60, 99)}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}`,
    reason: rng.pick(RETURN_REASONS),
  };
  for (const [key, values] of Object.entries(spec.vocabulary)) vars[key] = rng.pick(values);
  return vars;
}

export function koreanName(rng: Rng): string {
  return rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
}

/** A user key in the style of each channel (a LINE user id is `U` + 32 hex, a Facebook PSID is digits). */
export function userKeyFor(platform: Platform, rng: Rng): string {
  switch (platform) {
    case 'line':
      return `U${rng.hex(32)}`;
    case 'facebook':
      return String(rng.int(1, 9)) + Array.from({ length: 15 }, () => rng.int(0, 9)).join('');
    case 'kakao':
      return `k-${rng.hex(12)}`;
    case 'kakaobiz':
      return `kb-${rng.hex(12)}`;
    case 'navertalk':
      return `n-${rng.hex(12)}`;
    case 'web':
      return `w-${rng.hex(12)}`;
    case 'bizchat':
      return `b-${rng.hex(12)}`;
    case 'wechat':
      return `o-${rng.hex(16)}`;
    case 'test':
      return `t-${rng.hex(8)}`;
  }
}

/** A new end user of a bot, first seen at `atMs`. */
export function makeEndUser(rng: Rng, botId: string, atMs: number): EndUser {
  const platform = rng.weighted(PLATFORM_WEIGHTS);
  const params: EndUser['params'] = { name: koreanName(rng), location: rng.weighted(CITIES) };
  if (rng.chance(0.4)) params.phone = `010-****-${String(rng.int(0, 9999)).padStart(4, '0')}`;
  return {
    id: rng.uuid(),
    botId,
    platform,
    userKey: userKeyFor(platform, rng),
    params,
    lastMessageId: null,
    lastConversationId: null,
    createdAt: iso(atMs),
    updatedAt: iso(atMs),
  };
}

export function nodeId(index: number): string {
  return `node-${index + 1}`;
}

/** A conversation's variables once a topic's flow ran: the topic's params with placeholders filled. */
export function topicParams(topic: Topic, vars: ConversationVars): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(topic.params)) out[key] = fill(value, vars);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bots and flows

function makeFlow(rng: Rng, botId: string, title: string, nodes: readonly string[], isDefault: boolean, createdMs: number, now: number): Flow {
  // Most flows were last edited a while ago; some were touched within the 90-day window.
  const updatedMs = Math.min(now - HOUR, createdMs + rng.int(0, 300) * DAY_MS + rng.int(0, DAY_MS - 1));
  return {
    id: objectId(createdMs, rng),
    botId,
    title,
    isDefault,
    nodes: nodes.map((t, i) => ({ id: nodeId(i), title: t })),
    createdAt: iso(createdMs),
    updatedAt: iso(Math.max(createdMs, updatedMs)),
  };
}

function makeBot(rng: Rng, spec: BotSpec, index: number, now: number): { model: BotModel; flows: Flow[] } {
  // Bots were built a year or so ago, one after another.
  const createdMs = now - (420 - index * 45) * DAY_MS + rng.int(0, DAY_MS - 1);
  const bot: Bot = {
    id: objectId(createdMs, rng),
    title: spec.title,
    description: spec.description,
    createdAt: iso(createdMs),
    updatedAt: iso(createdMs),
    deletedAt: null,
  };
  let t = createdMs + HOUR;
  const next = () => (t += rng.int(5, 90) * MINUTE);
  const welcome = makeFlow(rng, bot.id, WELCOME_FLOW.title, WELCOME_FLOW.nodes, true, next(), now);
  const topicFlows = spec.topics.map((topic) => makeFlow(rng, bot.id, topic.title, topic.nodes, false, next(), now));
  const agent = makeFlow(rng, bot.id, AGENT_FLOW.title, AGENT_FLOW.nodes, false, next(), now);
  const flows = [welcome, ...topicFlows, agent];
  // A bot's updatedAt follows the latest edit of its scenario.
  bot.updatedAt = flows.map((f) => f.updatedAt).reduce((a, b) => (a > b ? a : b));
  return { model: { bot, spec, welcome, agent, topicFlows }, flows };
}

// ---------------------------------------------------------------------------------------------
// Conversations

type Outcome = 'completed' | 'completedAgent' | 'interrupted' | 'interruptedWaiting' | 'activeBot' | 'activeRequested' | 'activeHandover';

/** Writes one conversation's messages in order, moving its clock and its navigation as it goes. */
class DialogueWriter {
  readonly messages: Message[] = [];
  current: NavigationPoint | null = null;
  prev: NavigationPoint | null = null;
  manual: { status: ManualStatus; at: number };

  constructor(
    private readonly rng: Rng,
    readonly conversationId: string,
    private readonly botId: string,
    private readonly user: EndUser,
    public t: number,
  ) {
    this.manual = { status: 'NONE', at: t };
  }

  /** Appends a message after a pause typical of its sender. */
  say(from: 'user' | 'bot' | 'agent', data: MessageData, firstAgentWait = false): void {
    if (this.messages.length > 0) {
      const gap =
        from === 'user'
          ? this.rng.int(4_000, 75_000)
          : from === 'bot'
            ? this.rng.int(400, 2_500)
            : firstAgentWait
              ? this.rng.int(1 * MINUTE, 12 * MINUTE)
              : this.rng.int(15_000, 120_000);
      this.t += gap;
    }
    this.messages.push({
      id: objectId(this.t, this.rng),
      botId: this.botId,
      endUserId: this.user.id,
      conversationId: this.conversationId,
      isUser: from === 'user',
      meta: {
        sender: {
          userKey: this.user.userKey,
          platform: from === 'user' ? this.user.platform : from === 'bot' ? BOT_SENDER_PLATFORM : AGENT_SENDER_PLATFORM,
        },
      },
      data,
      timestamp: this.t,
    });
  }

  moveTo(flow: Flow, nodeIndex: number): void {
    const node = nodeId(Math.min(nodeIndex, flow.nodes.length - 1));
    // Several messages in one node are one visit.
    if (this.current && this.current.flowId === flow.id && this.current.nodeId === node) return;
    this.prev = this.current;
    this.current = { flowId: flow.id, nodeId: node, visitCount: 1 };
  }

  setManual(status: ManualStatus): void {
    this.manual = { status, at: this.t };
  }

  /** Moves every timestamp by `deltaMs` (used to keep a live conversation's end before `now`). */
  shift(deltaMs: number): void {
    for (const m of this.messages) m.timestamp += deltaMs;
    this.t += deltaMs;
    this.manual.at += deltaMs;
  }
}

function buildConversation(
  rng: Rng,
  model: BotModel,
  user: EndUser,
  startMs: number,
  outcome: Outcome,
  now: number,
): { conversation: Conversation; messages: Message[] } {
  const topicIndex = rng.int(0, model.spec.topics.length - 1);
  const topic = model.spec.topics[topicIndex] as Topic;
  const flow = model.topicFlows[topicIndex] as Flow;
  const vars = makeVars(rng, model.spec, startMs, user.params.name ?? '고객');
  const id = objectId(startMs, rng);
  const w = new DialogueWriter(rng, id, model.bot.id, user, startMs);

  // Opening: the end user writes, the bot shows its menu, the end user picks a topic.
  w.moveTo(model.welcome, 0);
  w.say('user', text(OPENINGS, vars, rng));
  w.moveTo(model.welcome, 1);
  w.say('bot', welcomeData(model));
  w.say('user', { type: 'text', text: topic.title });

  const wantsAgent =
    outcome === 'completedAgent' || outcome === 'interruptedWaiting' || outcome === 'activeRequested' || outcome === 'activeHandover';
  const runsToEnd = outcome === 'completed' || (outcome === 'completedAgent' && rng.chance(0.5));
  // How far into the topic's script the conversation gets before it ends, stalls or escalates.
  let cut = runsToEnd ? topic.steps.length : rng.int(1, Math.max(1, topic.steps.length - 1));
  // The bot always answers at once, so a conversation never stops right after an end user's step.
  while (cut < topic.steps.length && topic.steps[cut - 1]?.from === 'user' && topic.steps[cut]?.from === 'bot') cut++;
  for (const step of topic.steps.slice(0, cut)) {
    w.moveTo(flow, step.node);
    w.say(step.from, renderStep(step, vars, rng));
  }

  if (wantsAgent) {
    w.say('user', text(AGENT_REQUEST, vars, rng));
    w.setManual('REQUESTED');
    w.moveTo(model.agent, 0);
    w.say('bot', text(AGENT_REQUEST_BOT, vars, rng));
    w.moveTo(model.agent, 1);
    if (outcome === 'activeRequested' && rng.chance(0.4)) {
      w.say('user', { type: 'text', text: '아직인가요?' });
      w.say('bot', text(WAITING_BOT, vars, rng));
    }
    if (outcome === 'completedAgent' || outcome === 'activeHandover') {
      w.say('agent', text(AGENT_GREETING, vars, rng), true);
      w.setManual('HANDOVER');
      // A live handover stops somewhere in the middle of the exchange.
      const stopAfter = outcome === 'activeHandover' ? rng.int(0, 3) : 4;
      if (stopAfter >= 1) w.say('user', text(topic.agentIssue, vars, rng));
      if (stopAfter >= 2) w.say('agent', text(topic.agentAnswer, vars, rng));
      if (stopAfter >= 3) w.say('user', text(AGENT_USER_THANKS, vars, rng));
      if (stopAfter >= 4) {
        w.say('agent', text(AGENT_GOODBYE, vars, rng));
        // The agent ends the handover a moment after saying goodbye.
        w.t += rng.int(2_000, 20_000);
        w.setManual('NONE');
      }
    }
  } else if (outcome === 'completed') {
    w.moveTo(model.welcome, 2);
    w.say('bot', text(CLOSING_QUESTION, vars, rng));
    w.say('user', text(CLOSING_USER, vars, rng));
    w.say('bot', text(CLOSING_BOT, vars, rng));
  }

  const status = outcome.startsWith('active') ? 'ACTIVE' : outcome.startsWith('completed') ? 'COMPLETED' : 'INTERRUPTED';
  let updatedMs: number;
  if (status === 'ACTIVE') {
    // A live conversation must not end in the future; slide it back if its pauses added up.
    const latest = now - rng.int(5_000, 5 * MINUTE);
    if (w.t > latest) w.shift(latest - w.t);
    updatedMs = w.t;
  } else if (status === 'COMPLETED') {
    updatedMs = w.t + rng.int(500, 3_000);
  } else {
    // CLOSER closes an idle session after a timeout; an interrupted conversation was last touched then.
    updatedMs = w.t + 10 * MINUTE;
    // A pending agent call dies with the session.
    w.manual = { status: 'NONE', at: updatedMs };
  }

  const tags: string[] = [];
  let notes = '';
  const tagged = outcome === 'completedAgent' ? 0.75 : outcome === 'activeHandover' ? 0.35 : 0.08;
  if (rng.chance(tagged)) {
    for (const tag of rng.shuffle(topic.tags).slice(0, rng.int(1, 2))) tags.push(tag);
    if (rng.chance(0.15)) tags.push('VIP');
  }
  if (outcome === 'completedAgent' && rng.chance(0.6)) notes = rng.pick(topic.notes);

  const params = topicParams(topic, vars);
  const conversation: Conversation = {
    id,
    botId: model.bot.id,
    endUserId: user.id,
    platform: user.platform,
    userKey: user.userKey,
    params,
    context: { status, manual: { status: w.manual.status, updatedAt: iso(w.manual.at) } },
    navigation: { current: w.current, prev: w.prev },
    tags,
    notes,
    // A live conversation slid back above may now start before its planned start.
    createdAt: iso(Math.min(startMs, w.messages[0]?.timestamp ?? startMs)),
    updatedAt: iso(updatedMs),
  };
  return { conversation, messages: w.messages };
}

/** CLOSER's customers are in Korea: hours are KST, and closed conversations end before the live window. */
const HISTORY: Omit<HistoryWindow, 'now'> = { utcOffsetHours: 9, quietMs: 4 * HOUR };

/**
 * Generates the whole starting state. Each end user has at most one ACTIVE conversation, and it is
 * their latest, so that `POST /openapi/message` always knows where to write.
 */
export function seedCloser(seed: number, now: number): SeedData {
  const rng = deriveRng(seed, 'history');
  const bots: Bot[] = [];
  const flows: Flow[] = [];
  const endUsers: EndUser[] = [];
  const conversations: Conversation[] = [];
  const messages: Message[] = [];
  const models: BotModel[] = [];

  BOT_SPECS.forEach((spec, index) => {
    const { model, flows: botFlows } = makeBot(rng, spec, index, now);
    models.push(model);
    bots.push(model.bot);
    flows.push(...botFlows);
  });

  for (const model of models) {
    const { spec } = model;
    const users: Array<{ user: EndUser; busyUntil: number }> = [];
    const take = (startMs: number): EndUser => {
      const free = users.filter((u) => u.busyUntil < startMs - HOUR);
      if (free.length > 0 && rng.chance(0.3)) return rng.pick(free).user;
      const user = makeEndUser(rng, model.bot.id, startMs - rng.int(0, 2_000));
      users.push({ user, busyUntil: 0 });
      endUsers.push(user);
      return user;
    };
    const add = (user: EndUser, built: { conversation: Conversation; messages: Message[] }) => {
      conversations.push(built.conversation);
      messages.push(...built.messages);
      const entry = users.find((u) => u.user === user);
      if (entry) entry.busyUntil = Date.parse(built.conversation.updatedAt);
    };

    const starts = historyStarts(rng, spec.conversations - spec.active, { now, ...HISTORY });
    for (const start of starts) {
      const outcome = rng.weighted<Outcome>([
        ['completed', 52],
        ['completedAgent', 24],
        ['interrupted', 18],
        ['interruptedWaiting', 6],
      ]);
      const user = take(start);
      add(user, buildConversation(rng, model, user, start, outcome, now));
    }

    // The open conversations started within the last two hours; every handoff state is present.
    const liveStarts = recentStarts(rng, spec.active, now, 10 * MINUTE, 110 * MINUTE);
    liveStarts.forEach((start, i) => {
      const outcome: Outcome = i % 3 === 0 ? 'activeBot' : i % 3 === 1 ? 'activeRequested' : 'activeHandover';
      const user = take(start);
      add(user, buildConversation(rng, model, user, start, outcome, now));
    });
  }

  // Each end user points at their latest conversation and message, and existed before their first.
  const byUser = new Map<string, Conversation>();
  const firstSeen = new Map<string, string>();
  for (const c of conversations) {
    const seen = byUser.get(c.endUserId);
    if (!seen || c.createdAt > seen.createdAt) byUser.set(c.endUserId, c);
    const first = firstSeen.get(c.endUserId);
    if (first === undefined || c.createdAt < first) firstSeen.set(c.endUserId, c.createdAt);
  }
  messages.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lastMessage = new Map<string, Message>();
  for (const m of messages) lastMessage.set(m.endUserId, m);
  for (const user of endUsers) {
    const conv = byUser.get(user.id);
    const msg = lastMessage.get(user.id);
    const first = firstSeen.get(user.id);
    if (first !== undefined && first < user.createdAt) user.createdAt = first;
    user.lastConversationId = conv?.id ?? null;
    user.lastMessageId = msg?.id ?? null;
    if (msg) user.updatedAt = iso(Math.max(Date.parse(user.createdAt), msg.timestamp));
  }

  return { bots, flows, endUsers, conversations, messages, models };
}
