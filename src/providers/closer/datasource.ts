/**
 * CLOSER for one GraphQL request: DataLoaders over the shared `CloserClient`. Every list primes the
 * by-id loaders, so a resolver that follows a list item to its detail (or a message to its
 * conversation) costs no further call within the request. Every write drops what it may have made
 * stale, so a read after it in the same request goes back to CLOSER (or gets the write's answer).
 */
import DataLoader from 'dataloader';
import type {
  BotModel,
  ConversationModel,
  ConversationStatusName,
  EndUserModel,
  FlowModel,
  HandoffStateName,
  MessageModel,
  RichMessage,
} from '../../models.js';
import { richData, textData, type CloserOutgoingData } from './mapper.js';
import {
  statusFilter,
  type ConversationPatch,
  type ConversationQuery,
  type ConversationStream,
  type ListResult,
  type MessageSearch,
  type ProviderDatasource,
} from '../../datasources/types.js';
import { afterWrite, BotReads, inKeyOrder, primeAll, ListMemo } from '../../datasources/base.js';
import { asError, perKey, succeeds } from '../../datasources/settle.js';
import type { CloserClient, CloserConversationFilter, CloserSlice } from './client.js';
import { CloserStream } from './stream.js';

/** The key of the unfiltered stream; filtered streams append `:` and their status group. */
export const CLOSER_STREAM_KEY = 'CLOSER';

/** One upstream-filterable slice of the conversation list: a key for cursors and the vendor filter. */
export interface CloserStatusGroup {
  key: string;
  statuses?: string[];
  manual?: string[];
}

const ACTIVE_MANUAL = ['NONE', 'REQUESTED'];
const OPERATOR_MANUAL = ['HANDOVER'];

/**
 * Splits the requested statuses into the fewest streams CLOSER can filter upstream. ACTIVE and
 * WITH_OPERATOR are both `context.status = ACTIVE`, told apart by `context.manual.status`; the
 * `manual` filter applies to the whole query, so an ACTIVE-or-WITH_OPERATOR choice that is not
 * both cannot share a stream with COMPLETED/INTERRUPTED (whose manual state can be anything).
 * UNKNOWN (a `context.status` botgraph does not know) has no vendor filter: it is served only
 * when every status is asked for, by the unfiltered stream. Returns [] when nothing can match.
 */
export function statusGroups(statuses: readonly ConversationStatusName[] | undefined): CloserStatusGroup[] {
  const wanted = statusFilter(statuses);
  if (wanted === null) return [{ key: CLOSER_STREAM_KEY }];

  const closed = (['COMPLETED', 'INTERRUPTED'] as const).filter((s) => wanted.has(s));
  const active = wanted.has('ACTIVE');
  const operator = wanted.has('WITH_OPERATOR');
  const key = (names: string[]) => `${CLOSER_STREAM_KEY}:${names.join('+')}`;

  if (active && operator) {
    return [{ key: key(['ACTIVE', 'WITH_OPERATOR', ...closed]), statuses: ['ACTIVE', ...closed] }];
  }
  const groups: CloserStatusGroup[] = [];
  if (active) groups.push({ key: key(['ACTIVE']), statuses: ['ACTIVE'], manual: ACTIVE_MANUAL });
  if (operator) groups.push({ key: key(['WITH_OPERATOR']), statuses: ['ACTIVE'], manual: OPERATOR_MANUAL });
  if (closed.length > 0) groups.push({ key: key([...closed]), statuses: [...closed] });
  return groups;
}

/** The query's dates and end user as CLOSER's filter names them. */
function vendorFilter(query: ConversationQuery, base: CloserConversationFilter): CloserConversationFilter {
  return {
    ...base,
    ...(query.createdFrom ? { createdFrom: query.createdFrom } : {}),
    ...(query.createdTo ? { createdTo: query.createdTo } : {}),
    ...(query.updatedFrom ? { updatedFrom: query.updatedFrom } : {}),
    ...(query.updatedTo ? { updatedTo: query.updatedTo } : {}),
    ...(query.endUserNativeId ? { endUserId: query.endUserNativeId } : {}),
  };
}

function groupFilter(filter: CloserConversationFilter, group: CloserStatusGroup): CloserConversationFilter {
  return { ...filter, ...(group.statuses ? { statuses: group.statuses } : {}), ...(group.manual ? { manual: group.manual } : {}) };
}

function messageKey(conversationNativeId: string, messageNativeId: string): string {
  // NUL never occurs in CLOSER ids, so the pair cannot collide.
  return `${conversationNativeId}\u0000${messageNativeId}`;
}

/** Every id of a kind: what a failed write may have touched when its answer never said which. */
const ALL = Symbol('all');

/** What one write may have made stale. */
interface Stale {
  conversation?: string | typeof ALL;
  endUser?: string | typeof ALL;
}

export class CloserDatasource implements ProviderDatasource {
  readonly provider = 'CLOSER' as const;

  private allBots: Promise<BotModel[]> | null = null;
  /** Lists asked twice in one request (a field and its `totalCount`, say) cost one call. */
  private readonly lists = new ListMemo();

  private readonly bots = new BotReads((ids) => this.loadBots(ids));
  private readonly flows = new DataLoader<string, FlowModel[]>((botIds) => perKey(botIds, (botId) => this.client.listAllFlows(botId)));
  private readonly conversations = new DataLoader<string, ConversationModel | null>((ids) => perKey(ids, (id) => this.client.getConversation(id)));
  private readonly endUsers = new DataLoader<string, EndUserModel | null>((ids) => perKey(ids, (id) => this.client.getEndUser(id)));
  private readonly messages = new DataLoader<string, MessageModel | null>((keys) => this.loadMessages(keys));
  /**
   * Counts writes and invalidations. A list read that was already in flight when one happened
   * answers its own caller, but must not prime the by-id loaders with what may now be stale.
   */
  private changes = 0;

  constructor(private readonly client: CloserClient) {}

  // ------------------------------------------------------------------------------------------
  // Bots and flows

  listBots(): Promise<BotModel[]> {
    if (!this.allBots) {
      const pending = this.bots.list(() => this.client.listAllBots());
      this.allBots = pending;
      // A failed list must not stick for the rest of the request.
      pending.catch(() => {
        if (this.allBots === pending) this.allBots = null;
      });
    }
    return this.allBots;
  }

  getBot(nativeId: string): Promise<BotModel | null> {
    return this.bots.get(nativeId);
  }

  /**
   * One bot: its own read. Several: the whole bot list (usually one call, as a workspace has few
   * bots) and pick, so a page of conversations over 3 bots costs 1 call, not 3. A bot the list
   * lacks (deleted bots may be left out) gets its own read rather than a silent null.
   */
  private async loadBots(ids: readonly string[]): Promise<Array<BotModel | null | Error>> {
    if (ids.length === 1) return perKey(ids, (id) => this.client.getBot(id));
    const all = await this.listBots();
    const byId = new Map(all.map((bot) => [bot.nativeId, bot]));
    return perKey(ids, async (id) => byId.get(id) ?? this.client.getBot(id));
  }

  listFlows(botNativeId: string): Promise<FlowModel[]> {
    return this.flows.load(botNativeId);
  }

  // ------------------------------------------------------------------------------------------
  // Conversations

  /**
   * The streams pollers and stats watch and count: `GET /openapi/conversations`, every bot in one
   * call (`botId=a,b` when restricted), one stream per status group. Clearly the better call there:
   * one request sees or counts every bot, where the per-bot list costs one per bot.
   */
  conversationStreams(query: ConversationQuery, botNativeIds: string[] | null): ConversationStream[] {
    if (!this.listable(query, botNativeIds)) return [];
    const filter = vendorFilter(query, botNativeIds ? { botIds: [...new Set(botNativeIds)].sort() } : {});
    return statusGroups(query.statuses).map((group) => this.stream(group.key, groupFilter(filter, group)));
  }

  /**
   * The streams a conversation list pages: one per bot, on the bot's own list
   * `GET /openapi/bot/{botId}/conversation` (the bots asked for, else every bot of `GET /openapi/bot`,
   * the request's one bot-list read, which also answers every `bot { … }` on the page). An end user's
   * conversations stay one stream on `GET /openapi/conversations?endUserId=` (an end user belongs to
   * one bot, but which one is not known here: one call instead of one per bot). docs/providers/closer.md.
   */
  async listStreams(query: ConversationQuery, botNativeIds: string[] | null, headRead?: number): Promise<ConversationStream[]> {
    if (!this.listable(query, botNativeIds)) return [];
    if (query.endUserNativeId !== undefined) return this.conversationStreams(query, botNativeIds);
    const filter = vendorFilter(query, {});
    const streamsOf = (bots: readonly string[]) =>
      bots.flatMap((botId) =>
        statusGroups(query.statuses).map((group) =>
          this.stream(`${CLOSER_STREAM_KEY}:${botId}${group.key.slice(CLOSER_STREAM_KEY.length)}`, groupFilter(filter, group), botId),
        ),
      );
    if (botNativeIds) return streamsOf([...new Set(botNativeIds)].sort());
    // The bot list first: it is the read everything else here waits on.
    const listed = this.listBots();
    // Then, on a first page, the per-bot reads of the bots the last bot list named, which the list
    // will most likely name again: its heads arrive with the bot list, not one round trip after.
    // docs/providers/closer.md, "Conversation streams".
    const known = this.client.knownBotIds();
    const early = headRead !== undefined && known ? streamsOf(known).map((s) => ({ key: s.key, read: s.prefetch(headRead) })) : [];
    let bots: string[];
    try {
      bots = (await listed).map((bot) => bot.nativeId);
    } catch (error) {
      // No call of a list outlives it (nor the request that made it).
      await Promise.allSettled(early.map((e) => e.read));
      throw error;
    }
    const streams = streamsOf(bots);
    // A bot the list no longer names: its read is dropped, and waited for all the same.
    const wanted = new Set(streams.map((s) => s.key));
    const unwanted = early.filter((e) => !wanted.has(e.key));
    if (unwanted.length > 0) await Promise.allSettled(unwanted.map((e) => e.read));
    return streams;
  }

  /** False when nothing of CLOSER's can match: a text search or CXone query, or no bots at all. */
  private listable(query: ConversationQuery, botNativeIds: string[] | null): boolean {
    // CLOSER has no text search; a search restricts the results to providers that can search.
    if (query.search !== undefined && query.search.trim() !== '') return false;
    if (query.cxoneQuery !== undefined) return false;
    // Restricted to no bots: nothing of CLOSER's can match, and `botId=` would mean "any".
    return botNativeIds === null || botNativeIds.length > 0;
  }

  private stream(key: string, filter: CloserConversationFilter, botId?: string): CloserStream {
    return new CloserStream({
      key,
      filter,
      ...(botId !== undefined ? { botId } : {}),
      client: this.client,
      lists: this.lists,
      generation: () => this.changes,
      prime: (items) => primeAll(this.conversations, items, (c) => c.nativeId),
    });
  }

  getConversation(nativeId: string, _scope: string[]): Promise<ConversationModel | null> {
    // CLOSER reads a conversation by its id alone; the scope is always empty.
    return this.conversations.load(nativeId);
  }

  async conversationDetail(conversation: ConversationModel): Promise<ConversationModel> {
    // The list already carries everything a detail read would.
    return conversation;
  }

  // ------------------------------------------------------------------------------------------
  // Messages

  async listMessages(conversation: ConversationModel, offset: number, limit: number): Promise<ListResult<MessageModel>> {
    const id = conversation.nativeId;
    const slice = await this.memo(JSON.stringify(['messages', id, offset, limit]), () => this.client.listMessages(id, offset, limit));
    const items = slice.items.map((m) => ({ ...m, conversationIdScope: conversation.idScope }));
    for (const message of items) this.messages.prime(messageKey(message.conversationNativeId, message.nativeId), message);
    return { items, total: slice.total };
  }

  prefetchMessages(conversationNativeId: string, _scope: string[], offset: number, limit: number): void {
    // The message endpoint needs only the id; the memo keeps the read for listMessages, and a
    // failure is that call's to report (or nobody's, when the conversation turns out gone).
    const id = conversationNativeId;
    this.memo(JSON.stringify(['messages', id, offset, limit]), () => this.client.listMessages(id, offset, limit)).catch(() => {});
  }

  /** `GET /openapi/messages`: messages across conversations by condition; each primes the by-id loader. */
  async searchMessages(filter: MessageSearch, offset: number, limit: number): Promise<ListResult<MessageModel>> {
    const slice = await this.memo(JSON.stringify(['searchMessages', filter, offset, limit]), () =>
      this.client.searchMessages(
        {
          ...(filter.conversationNativeId ? { conversationId: filter.conversationNativeId } : {}),
          ...(filter.endUserNativeId ? { endUserId: filter.endUserNativeId } : {}),
          ...(filter.botNativeIds?.length ? { botIds: [...new Set(filter.botNativeIds)].sort() } : {}),
          ...(filter.fromEndUser === undefined ? {} : { isUser: filter.fromEndUser }),
          ...(filter.from ? { from: filter.from } : {}),
          ...(filter.to ? { to: filter.to } : {}),
        },
        offset,
        limit,
      ),
    );
    for (const message of slice.items) this.messages.prime(messageKey(message.conversationNativeId, message.nativeId), message);
    return slice;
  }

  getMessage(nativeId: string, scope: string[]): Promise<MessageModel | null> {
    const conversationNativeId = scope[0];
    // A message ID always carries its conversation; without one there is nothing to read.
    if (conversationNativeId === undefined || conversationNativeId === '') return Promise.resolve(null);
    return this.messages.load(messageKey(conversationNativeId, nativeId));
  }

  /**
   * CLOSER has no by-id message read: the conversation's messages are scanned, once per
   * conversation for all the ids asked of it, and everything read is primed.
   */
  private async loadMessages(keys: readonly string[]): Promise<Array<MessageModel | null | Error>> {
    const wanted = new Map<string, Set<string>>();
    for (const key of keys) {
      const [conversation, message] = key.split('\u0000') as [string, string];
      const set = wanted.get(conversation) ?? new Set<string>();
      set.add(message);
      wanted.set(conversation, set);
    }
    const found = new Map<string, MessageModel | Error>();
    await Promise.all(
      [...wanted].map(async ([conversation, ids]) => {
        try {
          const messages = (await this.client.scanMessages(conversation, ids)) ?? [];
          for (const message of messages) {
            const key = messageKey(conversation, message.nativeId);
            found.set(key, message);
            this.messages.prime(key, message);
          }
        } catch (error) {
          for (const id of ids) found.set(messageKey(conversation, id), asError(error));
        }
      }),
    );
    return inKeyOrder(keys, found);
  }

  // ------------------------------------------------------------------------------------------
  // End users

  getEndUser(nativeId: string, _scope: string[]): Promise<EndUserModel | null> {
    return this.endUsers.load(nativeId);
  }

  async listEndUsers(filter: { botNativeIds: string[] | null; platform?: string }, offset: number, limit: number): Promise<ListResult<EndUserModel>> {
    if (filter.botNativeIds !== null && filter.botNativeIds.length === 0) return { items: [], total: 0 };
    const vendorFilter = {
      ...(filter.botNativeIds ? { botIds: [...new Set(filter.botNativeIds)].sort() } : {}),
      // CLOSER's platform names are lowercase (`kakao`); clients often send the enum style.
      ...(filter.platform ? { platform: filter.platform.trim().toLowerCase() } : {}),
    };
    const changes = this.changes;
    const slice = await this.memo(JSON.stringify(['endUsers', vendorFilter, offset, limit]), () =>
      this.client.listEndUsers(vendorFilter, offset, limit),
    );
    if (changes === this.changes) {
      primeAll(this.endUsers, slice.items, (u) => u.nativeId);
    }
    return { items: slice.items, total: slice.total };
  }

  /**
   * `GET …/manual`: what a `messageAdded` poller needs to know at its start (whether an agent is
   * involved, to poll at the fast pace), in the smallest read CLOSER has. Not memoized: it is asked
   * once per topic, and its point is to be current.
   */
  handoffState(conversation: { nativeId: string; idScope: string[] }): Promise<HandoffStateName | null> {
    return this.client.getManual(conversation.nativeId);
  }

  health(): Promise<boolean> {
    return succeeds(() => this.client.ping());
  }

  // ------------------------------------------------------------------------------------------
  // Writes. CLOSER has no transferToBot, createConversation or custom blocks: leaving those methods
  // out is how the resolvers know, before any upstream call.

  sendMessage(conversation: { nativeId: string; idScope: string[] }, text: string): Promise<MessageModel> {
    return this.send(conversation, textData(text));
  }

  /** Media, cards or a location: the same endpoint with another MESSAGE.DATA type. */
  sendRichMessage(conversation: { nativeId: string; idScope: string[] }, message: RichMessage): Promise<MessageModel> {
    return this.send(conversation, richData(message));
  }

  sendMessageToEndUser(endUserNativeId: string, text: string): Promise<MessageModel> {
    return this.sendToEndUser(endUserNativeId, textData(text));
  }

  sendRichMessageToEndUser(endUserNativeId: string, message: RichMessage): Promise<MessageModel> {
    return this.sendToEndUser(endUserNativeId, richData(message));
  }

  private async send(conversation: { nativeId: string; idScope: string[] }, data: CloserOutgoingData): Promise<MessageModel> {
    const id = conversation.nativeId;
    const sent = await this.writing(
      () => this.client.sendMessage(id, data),
      // The message moves its end user's `lastMessageId` and `updatedAt`; if the answer never came, whose is unknown.
      (done) => ({ conversation: id, endUser: done ? (done.endUserNativeId ?? ALL) : ALL }),
    );
    const message = { ...sent.message, conversationIdScope: conversation.idScope };
    const key = messageKey(message.conversationNativeId, message.nativeId);
    this.messages.clear(key).prime(key, message);
    return message;
  }

  private async sendToEndUser(endUserNativeId: string, data: CloserOutgoingData): Promise<MessageModel> {
    const sent = await this.writing(
      () => this.client.sendMessageToEndUser(endUserNativeId, data),
      // CLOSER picks the conversation (the last one, or a new one it opens): only the answer says which.
      (done) => ({ conversation: done ? done.message.conversationNativeId : ALL, endUser: endUserNativeId }),
    );
    const key = messageKey(sent.message.conversationNativeId, sent.message.nativeId);
    this.messages.clear(key).prime(key, sent.message);
    return sent.message;
  }

  async setHandoff(conversation: { nativeId: string; idScope: string[] }, toOperator: boolean): Promise<void> {
    const id = conversation.nativeId;
    // The answer is only `{conversationId, status, updatedAt}`: the next read of the conversation goes to CLOSER.
    await this.writing(
      () => this.client.setManual(id, toOperator ? 'HANDOVER' : 'NONE'),
      () => ({ conversation: id }),
    );
  }

  async transferToFlow(conversation: { nativeId: string; idScope: string[] }, flowNativeId: string, nodeNativeId?: string): Promise<void> {
    const id = conversation.nativeId;
    const fresh = await this.writing(
      () => this.client.setNavigation(id, flowNativeId, nodeNativeId),
      () => ({ conversation: id }),
    );
    // CLOSER answers with the whole conversation as it now is: the next read costs no call.
    this.conversations.prime(id, fresh);
  }

  async updateConversation(conversation: { nativeId: string; idScope: string[] }, patch: ConversationPatch): Promise<void> {
    const id = conversation.nativeId;
    const fresh = await this.writing(
      () => this.client.updateConversation(id, patch),
      () => ({ conversation: id }),
    );
    this.conversations.prime(id, fresh);
  }

  invalidateConversation(nativeId: string): void {
    this.forget({ conversation: nativeId });
  }

  /** One write, then `forget` what it may have changed (`afterWrite`: also when it failed). */
  private writing<T>(write: () => Promise<T>, stale: (done: T | undefined) => Stale): Promise<T> {
    return afterWrite(write, (done) => this.forget(stale(done)));
  }

  private forget(stale: Stale): void {
    this.changes += 1;
    const { conversation, endUser } = stale;
    // Any change to a conversation can move it within, into or out of any conversation list
    // (they are ordered by `updatedAt` and filtered by status), so every such list is re-read.
    this.forgetLists((kind) => kind.startsWith(CLOSER_STREAM_KEY));
    if (conversation === ALL) {
      this.conversations.clearAll();
      this.forgetLists((kind) => kind === 'messages');
    } else if (conversation !== undefined) {
      this.conversations.clear(conversation);
      this.forgetLists((kind, listId) => kind === 'messages' && listId === conversation);
    }
    if (endUser === ALL) this.endUsers.clearAll();
    else if (endUser !== undefined) this.endUsers.clear(endUser);
    // The end-user list is ordered by `updatedAt`, which every message moves.
    if (endUser !== undefined) this.forgetLists((kind) => kind === 'endUsers');
  }

  /** Drops memoized lists by their key's first two parts (`['messages', conversationId, …]`, `[streamKey, filter, …]`). */
  private forgetLists(match: (kind: string, id: unknown) => boolean): void {
    this.lists.forget((kind, id) => typeof kind === 'string' && match(kind, id));
  }

  // ------------------------------------------------------------------------------------------

  private memo<T>(key: string, read: () => Promise<CloserSlice<T>>): Promise<CloserSlice<T>> {
    return this.lists.get(key, read);
  }
}
