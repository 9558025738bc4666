/**
 * The CLOSER simulator's state: what the HTTP reads see, what the writes and the live activity
 * change, and the webhook events every change emits. Routes and activity both go through the
 * methods here, so one change is always seen the same way by reads and by webhooks.
 */
import { Rng } from '../../../simulators/common/rng.js';
import { iso, objectId } from './ids.js';
import { makeEndUser, type BotModel, type SeedData } from './seed.js';
import {
  AGENT_SENDER_PLATFORM,
  BOT_SENDER_PLATFORM,
  type Bot,
  type Conversation,
  type ConversationStatus,
  type EndUser,
  type Flow,
  type ManualStatus,
  type Message,
  type MessageData,
  type Platform,
  type WebhookEvent,
  type WebhookEventData,
  type WebhookEventType,
} from './types.js';

/** A failure the routes turn into the documented error body. */
export class CloserError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export { SimClock } from '../../../simulators/common/clock.js';
import { SimClock } from '../../../simulators/common/clock.js';

export interface ConversationFilter {
  botIds?: readonly string[];
  statuses?: readonly ConversationStatus[];
  manual?: readonly ManualStatus[];
  /** Bounds in epoch ms, both inclusive. */
  createdFrom?: number;
  createdTo?: number;
  updatedFrom?: number;
  updatedTo?: number;
  endUserId?: string;
}

export interface EndUserFilter {
  botIds?: readonly string[];
  platforms?: readonly Platform[];
  userKey?: string;
}

export interface MessageFilter {
  conversationId?: string;
  endUserId?: string;
  botIds?: readonly string[];
  isUser?: boolean;
  /** Bounds on `timestamp`, epoch ms, both inclusive. */
  from?: number;
  to?: number;
}

export type Sender = 'user' | 'bot' | 'agent';

export type EventListener = (event: WebhookEvent) => void;

const byCreatedAsc = <T extends { createdAt: string; id: string }>(a: T, b: T) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
const byUpdatedDesc = <T extends { updatedAt: string; id: string }>(a: T, b: T) =>
  a.updatedAt > b.updatedAt ? -1 : a.updatedAt < b.updatedAt ? 1 : a.id > b.id ? -1 : a.id < b.id ? 1 : 0;

function within(value: string, from?: number, to?: number): boolean {
  // ISO strings of one format compare like the instants they name.
  if (from !== undefined && value < iso(from)) return false;
  if (to !== undefined && value > iso(to)) return false;
  return true;
}

export class CloserStore {
  readonly clock: SimClock;
  readonly models: BotModel[];
  private readonly bots: Bot[];
  private readonly flowsByBot = new Map<string, Flow[]>();
  private readonly flows = new Map<string, Flow>();
  private readonly endUsers = new Map<string, EndUser>();
  private readonly conversations = new Map<string, Conversation>();
  /** Every message in `timestamp`, `id` order; new messages always come last (the clock only moves on). */
  private readonly messages: Message[];
  private readonly messagesByConversation = new Map<string, Message[]>();
  private listener: EventListener | undefined;

  constructor(
    seed: SeedData,
    now: number,
    /** Draws the ids of objects made at run time; seeded apart from the data so that reads stay stable. */
    private readonly rng: Rng,
  ) {
    this.clock = new SimClock(now);
    this.models = seed.models;
    this.bots = [...seed.bots].sort(byCreatedAsc);
    for (const flow of seed.flows) {
      this.flows.set(flow.id, flow);
      const list = this.flowsByBot.get(flow.botId) ?? [];
      list.push(flow);
      this.flowsByBot.set(flow.botId, list);
    }
    for (const list of this.flowsByBot.values()) list.sort(byCreatedAsc);
    for (const user of seed.endUsers) this.endUsers.set(user.id, user);
    for (const conv of seed.conversations) this.conversations.set(conv.id, conv);
    this.messages = [...seed.messages];
    for (const m of this.messages) {
      const list = this.messagesByConversation.get(m.conversationId) ?? [];
      list.push(m);
      this.messagesByConversation.set(m.conversationId, list);
    }
  }

  /** Receives every event, already snapshotted; one listener (the webhook dispatcher). */
  onEvent(listener: EventListener | undefined): void {
    this.listener = listener;
  }

  private emit(event: WebhookEventType, botId: string, data: WebhookEventData, at: number): void {
    if (!this.listener) return;
    // A snapshot: later changes must not rewrite an event waiting in a batch.
    this.listener({
      id: objectId(at, this.rng),
      event,
      sourceType: 'bot',
      sourceId: botId,
      timestamp: at,
      data: structuredClone(data),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  listBots(): Bot[] {
    return this.bots.filter((b) => b.deletedAt === null);
  }

  getBot(id: string): Bot {
    const bot = this.bots.find((b) => b.id === id && b.deletedAt === null);
    if (!bot) throw new CloserError(404, `bot ${id} not found`);
    return bot;
  }

  listFlows(botId: string): Flow[] {
    this.getBot(botId);
    return this.flowsByBot.get(botId) ?? [];
  }

  getConversation(id: string): Conversation {
    const conv = this.conversations.get(id);
    if (!conv) throw new CloserError(404, `conversation ${id} not found`);
    return conv;
  }

  listConversations(f: ConversationFilter): Conversation[] {
    const out: Conversation[] = [];
    for (const c of this.conversations.values()) {
      if (f.botIds && !f.botIds.includes(c.botId)) continue;
      if (f.statuses && !f.statuses.includes(c.context.status)) continue;
      if (f.manual && !f.manual.includes(c.context.manual.status)) continue;
      if (f.endUserId !== undefined && c.endUserId !== f.endUserId) continue;
      if (!within(c.createdAt, f.createdFrom, f.createdTo)) continue;
      if (!within(c.updatedAt, f.updatedFrom, f.updatedTo)) continue;
      out.push(c);
    }
    return out.sort(byUpdatedDesc);
  }

  getEndUser(id: string): EndUser {
    const user = this.endUsers.get(id);
    if (!user) throw new CloserError(404, `end user ${id} not found`);
    return user;
  }

  listEndUsers(f: EndUserFilter): EndUser[] {
    const out: EndUser[] = [];
    for (const u of this.endUsers.values()) {
      if (f.botIds && !f.botIds.includes(u.botId)) continue;
      if (f.platforms && !f.platforms.includes(u.platform)) continue;
      if (f.userKey !== undefined && u.userKey !== f.userKey) continue;
      out.push(u);
    }
    return out.sort(byUpdatedDesc);
  }

  listMessages(f: MessageFilter): Message[] {
    const source = f.conversationId !== undefined ? (this.messagesByConversation.get(f.conversationId) ?? []) : this.messages;
    return source.filter(
      (m) =>
        (f.endUserId === undefined || m.endUserId === f.endUserId) &&
        (f.botIds === undefined || f.botIds.includes(m.botId)) &&
        (f.isUser === undefined || m.isUser === f.isUser) &&
        (f.from === undefined || m.timestamp >= f.from) &&
        (f.to === undefined || m.timestamp <= f.to),
    );
  }

  /** Counts for tests and the activity's balance; not an API. */
  counts(): { bots: number; flows: number; endUsers: number; conversations: number; messages: number } {
    return {
      bots: this.listBots().length,
      flows: this.flows.size,
      endUsers: this.endUsers.size,
      conversations: this.conversations.size,
      messages: this.messages.length,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Writes (HTTP and activity alike)

  private requireActive(conv: Conversation): void {
    if (conv.context.status !== 'ACTIVE') {
      throw new CloserError(403, `conversation ${conv.id} is ${conv.context.status}; only ACTIVE conversations accept this change`);
    }
  }

  /** `PUT /openapi/conversation/{id}`: tags and notes replace, params merge (a `null` value removes the key). */
  updateConversation(id: string, patch: { tags?: string[]; notes?: string; params?: Record<string, unknown> }): Conversation {
    const conv = this.getConversation(id);
    if (patch.tags !== undefined) conv.tags = [...new Set(patch.tags)];
    if (patch.notes !== undefined) conv.notes = patch.notes;
    if (patch.params !== undefined) {
      for (const [key, value] of Object.entries(patch.params)) {
        if (value === null) delete conv.params[key];
        else conv.params[key] = value;
      }
    }
    const at = this.clock.now();
    conv.updatedAt = iso(at);
    this.emit('bot.conversation.updated', conv.botId, { conversation: conv }, at);
    return conv;
  }

  /**
   * Moves the handoff state. Setting the state it already has changes nothing and emits nothing.
   * The event follows CLOSER's names: a pending request that is withdrawn is "cancelled", a running
   * handover that ends is "disconnected".
   */
  setManual(id: string, status: ManualStatus): Conversation {
    const conv = this.getConversation(id);
    this.requireActive(conv);
    const before = conv.context.manual.status;
    if (before === status) return conv;
    const event: WebhookEventType =
      status === 'HANDOVER'
        ? 'bot.conversation.agent_call_connected'
        : status === 'REQUESTED'
          ? 'bot.conversation.agent_call_requested'
          : before === 'REQUESTED'
            ? 'bot.conversation.agent_call_cancelled'
            : 'bot.conversation.agent_call_disconnected';
    const at = this.clock.now();
    conv.context.manual = { status, updatedAt: iso(at) };
    conv.updatedAt = iso(at);
    this.emit(event, conv.botId, { conversation: conv }, at);
    this.emit('bot.conversation.updated', conv.botId, { conversation: conv }, at);
    return conv;
  }

  /** Appends a message to an ACTIVE conversation from the end user, the bot or an agent. */
  addMessage(conversationId: string, sender: Sender, data: MessageData): Message {
    const conv = this.getConversation(conversationId);
    this.requireActive(conv);
    const user = this.getEndUser(conv.endUserId);
    const at = this.clock.now();
    const message: Message = {
      id: objectId(at, this.rng),
      botId: conv.botId,
      endUserId: conv.endUserId,
      conversationId: conv.id,
      isUser: sender === 'user',
      meta: {
        sender: {
          // The userKey always names the conversation's end user; the platform tells who wrote.
          userKey: conv.userKey,
          platform: sender === 'user' ? conv.platform : sender === 'bot' ? BOT_SENDER_PLATFORM : AGENT_SENDER_PLATFORM,
        },
      },
      data: structuredClone(data),
      timestamp: at,
    };
    this.messages.push(message);
    const list = this.messagesByConversation.get(conv.id) ?? [];
    list.push(message);
    this.messagesByConversation.set(conv.id, list);
    conv.updatedAt = iso(at);
    // The end user's pointer follows silently (no end_user.updated per message; see the docs page).
    user.lastMessageId = message.id;
    user.updatedAt = iso(at);
    this.emit(sender === 'user' ? 'bot.message.received' : 'bot.message.sent', conv.botId, { message }, at);
    this.emit('bot.conversation.updated', conv.botId, { conversation: conv }, at);
    return message;
  }

  /**
   * Opens a new ACTIVE conversation in the bot's default flow, for an existing end user or a new
   * one. The caller makes sure an existing end user has no ACTIVE conversation left.
   */
  startConversation(botId: string, existing?: EndUser): { conversation: Conversation; endUser: EndUser; createdUser: boolean } {
    const model = this.models.find((m) => m.bot.id === botId);
    if (!model) throw new CloserError(404, `bot ${botId} not found`);
    const at = this.clock.now();
    const endUser = existing ?? makeEndUser(this.rng, botId, at);
    const conversation: Conversation = {
      id: objectId(at, this.rng),
      botId,
      endUserId: endUser.id,
      platform: endUser.platform,
      userKey: endUser.userKey,
      params: {},
      context: { status: 'ACTIVE', manual: { status: 'NONE', updatedAt: iso(at) } },
      navigation: { current: { flowId: model.welcome.id, nodeId: 'node-1', visitCount: 1 }, prev: null },
      tags: [],
      notes: '',
      createdAt: iso(at),
      updatedAt: iso(at),
    };
    this.conversations.set(conversation.id, conversation);
    this.messagesByConversation.set(conversation.id, []);
    endUser.lastConversationId = conversation.id;
    endUser.updatedAt = iso(at);
    if (!existing) this.endUsers.set(endUser.id, endUser);
    this.emit(existing ? 'bot.end_user.updated' : 'bot.end_user.created', botId, { endUser }, at);
    this.emit('bot.conversation.created', botId, { conversation }, at);
    return { conversation, endUser, createdUser: !existing };
  }

  /** `POST /openapi/message`: to the end user's last conversation, or a new one if it is closed. */
  sendToEndUser(endUserId: string, data: MessageData): Message {
    const user = this.getEndUser(endUserId);
    const last = user.lastConversationId ? this.conversations.get(user.lastConversationId) : undefined;
    const conv = last && last.context.status === 'ACTIVE' ? last : this.startConversation(user.botId, user).conversation;
    return this.addMessage(conv.id, 'agent', data);
  }

  /** `PUT /openapi/conversation/{id}/navigation`: moves the pointer; the bot speaks on the next end-user message. */
  setNavigation(id: string, flowId: string, nodeId?: string): Conversation {
    const conv = this.getConversation(id);
    this.requireActive(conv);
    const flow = this.flows.get(flowId);
    if (!flow) throw new CloserError(404, `flow ${flowId} not found`);
    if (flow.botId !== conv.botId) throw new CloserError(400, `flow ${flowId} belongs to another bot than conversation ${id}`);
    const node = nodeId ?? flow.nodes[0]?.id;
    if (node === undefined || !flow.nodes.some((n) => n.id === node)) {
      throw new CloserError(400, `node ${String(nodeId)} is not a node of flow ${flowId}`);
    }
    const current = conv.navigation.current;
    if (current && current.flowId === flowId && current.nodeId === node) {
      conv.navigation.current = { ...current, visitCount: current.visitCount + 1 };
    } else {
      conv.navigation = { current: { flowId, nodeId: node, visitCount: 1 }, prev: current };
    }
    const at = this.clock.now();
    conv.updatedAt = iso(at);
    this.emit('bot.conversation.updated', conv.botId, { conversation: conv }, at);
    return conv;
  }

  /** Ends an ACTIVE conversation (activity only: the Open API has no endpoint for it). */
  close(id: string, status: Exclude<ConversationStatus, 'ACTIVE'>): Conversation {
    const conv = this.getConversation(id);
    this.requireActive(conv);
    // A handover or a pending request ends with the conversation.
    if (conv.context.manual.status !== 'NONE') this.setManual(id, 'NONE');
    const at = this.clock.now();
    conv.context.status = status;
    conv.updatedAt = iso(at);
    this.emit('bot.conversation.updated', conv.botId, { conversation: conv }, at);
    return conv;
  }

  // -------------------------------------------------------------------------------------------
  // Changes the Open API has no endpoint for (CLOSER's console makes them); the simulator exposes
  // them on its handle so that every one of the 14 webhook event types can be produced.

  /** Edits a bot's title or description: `bot.updated`. */
  updateBot(id: string, patch: { title?: string; description?: string }): Bot {
    const bot = this.getBot(id);
    const at = this.clock.now();
    if (patch.title !== undefined) bot.title = patch.title;
    if (patch.description !== undefined) bot.description = patch.description;
    bot.updatedAt = iso(at);
    this.emit('bot.updated', bot.id, { bot }, at);
    return bot;
  }

  /** Deletes a bot (soft: `deletedAt` is set, reads answer 404): `bot.deleted`. Its conversations stay. */
  deleteBot(id: string): Bot {
    const bot = this.getBot(id);
    const at = this.clock.now();
    bot.deletedAt = iso(at);
    bot.updatedAt = iso(at);
    this.emit('bot.deleted', bot.id, { bot }, at);
    return bot;
  }

  /** Deletes an end user (reads answer 404; their conversations stay): `bot.end_user.deleted`. */
  deleteEndUser(id: string): EndUser {
    const user = this.getEndUser(id);
    this.endUsers.delete(id);
    this.emit('bot.end_user.deleted', user.botId, { endUser: user }, this.clock.now());
    return user;
  }

  /** Deletes a conversation and its messages (reads answer 404): `bot.conversation.deleted`. */
  deleteConversation(id: string): Conversation {
    const conv = this.getConversation(id);
    this.conversations.delete(id);
    const gone = new Set((this.messagesByConversation.get(id) ?? []).map((m) => m.id));
    this.messagesByConversation.delete(id);
    for (let i = this.messages.length - 1; i >= 0; i--) if (gone.has((this.messages[i] as Message).id)) this.messages.splice(i, 1);
    this.emit('bot.conversation.deleted', conv.botId, { conversation: conv }, this.clock.now());
    return conv;
  }

  /** Conversations still open, for the activity to pick from. */
  activeConversations(): Conversation[] {
    return [...this.conversations.values()].filter((c) => c.context.status === 'ACTIVE');
  }

  /** End users of a bot with no ACTIVE conversation, who may come back. */
  idleEndUsers(botId: string): EndUser[] {
    return [...this.endUsers.values()].filter((u) => {
      if (u.botId !== botId) return false;
      const last = u.lastConversationId ? this.conversations.get(u.lastConversationId) : undefined;
      return !last || last.context.status !== 'ACTIVE';
    });
  }
}
