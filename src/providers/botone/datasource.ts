/**
 * Bot.one for one GraphQL request: DataLoaders over the shared `BotoneClient`, the conversation
 * streams, and the messages read off collected data. Created by `ProviderRuntime.forRequest()`, so
 * every cache here lives exactly as long as one request.
 */
import DataLoader from 'dataloader';
import type { BotModel, ConversationModel, EndUserModel, MessageModel } from '../../models.js';
import {
  statusFilter,
  type ConversationQuery,
  type ConversationStream,
  type CreatedConversation,
  type ListResult,
  type ProviderDatasource,
} from '../../datasources/types.js';
import { afterWrite, BotReads, noFlows } from '../../datasources/base.js';
import { perKey, succeeds } from '../../datasources/settle.js';
import type { BotoneClient, BotoneListFilter } from './client.js';
import { attributionFromScope, deriveMessages, parseMessageId, PROVIDER, UNATTRIBUTED, vertexTokenClaims } from './mapper.js';
import { BotoneStream, SnapshotCache } from './stream.js';

/** One snapshot cache per client, i.e. per process (the client is process-wide, the datasource per request). */
const snapshotCaches = new WeakMap<BotoneClient, SnapshotCache>();
function snapshotsOf(client: BotoneClient): SnapshotCache {
  let cache = snapshotCaches.get(client);
  if (!cache) {
    cache = new SnapshotCache();
    snapshotCaches.set(client, cache);
  }
  return cache;
}

/** A conversation as a global ID names it: the native id and the bot it was listed under. */
interface ConversationKey {
  nativeId: string;
  scope: readonly string[];
}

const cacheKey = (key: ConversationKey) => `${key.nativeId}\u0000${key.scope.join('\u0000')}`;

export class BotoneDatasource implements ProviderDatasource {
  readonly provider = PROVIDER;

  private readonly bots: BotReads;
  /** Detail reads (`GET …/conversation/{id}`): the only way to get `data`. */
  private readonly detailLoader: DataLoader<ConversationKey, ConversationModel | null, string>;
  /** What `getConversation` answers: primed with list items, falling back to a detail read. */
  private readonly conversationLoader: DataLoader<ConversationKey, ConversationModel | null, string>;
  /**
   * Conversations moved to another bot by `transferToBot` in this request, with the bot they went
   * to. The scope of a global ID minted before the move still names the old bot, and Bot.one's
   * payloads cannot say otherwise; within the request that made the move, the datasource knows better.
   */
  private readonly moved = new Map<string, string>();

  constructor(private readonly client: BotoneClient) {
    this.bots = new BotReads(async (ids) => client.getBots(ids));
    // Bot.one has no multi-id read: a batch is parallel single reads, still deduplicated and cached.
    this.detailLoader = new DataLoader((keys) => perKey(keys, (key) => client.getConversation(key.nativeId, attributionFromScope(key.scope))), {
      cacheKeyFn: cacheKey,
    });
    this.conversationLoader = new DataLoader((keys) => this.detailLoader.loadMany(keys), { cacheKeyFn: cacheKey });
  }

  listBots(): Promise<BotModel[]> {
    return this.bots.list(() => this.client.listBots());
  }

  getBot(nativeId: string): Promise<BotModel | null> {
    return this.bots.get(nativeId);
  }

  /** Bot.one exposes no flows. */
  listFlows = noFlows;

  conversationStreams(query: ConversationQuery, botNativeIds: string[] | null): ConversationStream[] {
    // No text search and no end users upstream: nothing can match such a query.
    if (query.search !== undefined && query.search.trim() !== '') return [];
    if (query.cxoneQuery !== undefined) return [];
    if (query.endUserNativeId !== undefined) return [];
    // Only the creation dates go upstream: UpdatedFrom/UpdatedTo filter on the respondent's last
    // message, not on `updated` (see stream.ts), so the updated range is applied here.
    const filter: BotoneListFilter = {};
    if (query.createdFrom) filter.createdFrom = query.createdFrom;
    if (query.createdTo) filter.createdTo = query.createdTo;
    const statuses = statusFilter(query.statuses);
    const make = (key: string, upstream: BotoneListFilter, attribution: typeof UNATTRIBUTED) =>
      new BotoneStream({
        key,
        client: this.client,
        cache: snapshotsOf(this.client),
        upstream,
        ...(query.updatedFrom ? { updatedFrom: query.updatedFrom } : {}),
        ...(query.updatedTo ? { updatedTo: query.updatedTo } : {}),
        statuses,
        attribution,
        prime: (items) => {
          for (const c of items) this.prime(c);
        },
      });

    const configured = this.client.botIds;
    if (configured.length === 0) {
      // Without configured bots, no bot id can name a Bot.one bot (getBot answers null for all).
      return botNativeIds === null ? [make('BOTONE', filter, UNATTRIBUTED)] : [];
    }
    const bots = botNativeIds === null ? configured : configured.filter((id) => botNativeIds.includes(id));
    return bots.map((botId) => make(`BOTONE:${botId}`, { ...filter, botId }, { botNativeId: botId, idScope: [botId] }));
  }

  getConversation(nativeId: string, scope: string[]): Promise<ConversationModel | null> {
    return this.conversationLoader.load(this.key(nativeId, scope));
  }

  async conversationDetail(conversation: ConversationModel): Promise<ConversationModel> {
    if (conversation.collectedData !== null) return conversation;
    const key = this.key(conversation.nativeId, conversation.idScope);
    const detail = await this.detailLoader.load(key);
    // Gone upstream since it was listed: the list data is still the best answer there is.
    if (detail === null) return conversation;
    this.conversationLoader.clear(key).prime(key, detail);
    return detail;
  }

  async listMessages(conversation: ConversationModel, offset: number, limit: number): Promise<ListResult<MessageModel>> {
    const messages = deriveMessages(await this.conversationDetail(conversation));
    const start = Math.max(0, offset);
    return { items: messages.slice(start, start + Math.max(0, limit)), total: messages.length };
  }

  async getMessage(nativeId: string, scope: string[]): Promise<MessageModel | null> {
    const parsed = parseMessageId(nativeId);
    const conversationNativeId = scope[0] ?? parsed?.conversationNativeId;
    if (!parsed || conversationNativeId !== parsed.conversationNativeId) return null;
    const conversation = await this.getConversation(conversationNativeId, scope.slice(1));
    if (!conversation) return null;
    const messages = deriveMessages(await this.conversationDetail(conversation));
    return messages.find((m) => m.nativeId === nativeId) ?? null;
  }

  /** Bot.one has no end users. */
  async getEndUser(): Promise<EndUserModel | null> {
    return null;
  }

  async listEndUsers(): Promise<ListResult<EndUserModel> | null> {
    return null;
  }

  health(): Promise<boolean> {
    return succeeds(() => this.client.ping());
  }

  // ---------------------------------------------------------------- writes
  //
  // Each write delegates to the client (which refuses v2-only writes on v1 before any call) and then
  // drops what this request has cached of the conversation (`afterWrite`: also after a failure, as a
  // timed-out write may still have landed), so a read after it here is fresh.
  // Bot.one has no endpoints for sendMessageToEndUser, transferToFlow or updateConversation, so those
  // stay absent and the resolvers never offer them.

  async sendMessage(conversation: { nativeId: string; idScope: string[] }, text: string): Promise<MessageModel | null> {
    await afterWrite(
      () => this.client.sendMessage(conversation.nativeId, text),
      () => this.invalidateConversation(conversation.nativeId),
    );
    // 204: the vendor returns no message; it shows up in the conversation's data on the next read.
    return null;
  }

  async setHandoff(conversation: { nativeId: string; idScope: string[] }, toOperator: boolean): Promise<void> {
    await afterWrite(
      () => this.client.setHandoff(conversation.nativeId, toOperator),
      () => this.invalidateConversation(conversation.nativeId),
    );
  }

  /**
   * `goto`: the conversation now belongs to `botNativeId`. Its scope carries the bot, so its global
   * ID changes: reads of it in this request, under any scope, answer with the target bot (`[botId]`,
   * or `[]` for a bot not in BOTONE_BOT_IDS, as a list would). A global ID minted before the move,
   * used in a later request, still names the old bot: the payload cannot tell, and the vendor has no
   * cheap check. See docs/providers/botone.md, "Writes".
   */
  async transferToBot(conversation: { nativeId: string; idScope: string[] }, botNativeId: string): Promise<string | null> {
    const message = await afterWrite(
      () => this.client.transferToBot(conversation.nativeId, botNativeId),
      () => this.invalidateConversation(conversation.nativeId),
    );
    this.moved.set(conversation.nativeId.toLowerCase(), botNativeId);
    return message;
  }

  createConversation(botNativeId: string, variables: Record<string, unknown> | null, start: boolean): Promise<CreatedConversation> {
    // Nothing cached can name a conversation that did not exist, so nothing to drop.
    return this.client.createConversation(botNativeId, variables, start);
  }

  /**
   * The conversation a Vertex token names, read from the token's own payload (see
   * `vertexTokenClaims`): `diulog_id` is the dialog's integer id, which is the conversation's
   * native id on v1; on v2 the client finds the UUID it goes with (`BotoneClient.conversationOfDialog`:
   * 0 calls when known, else a v1 read and a v2 list search). Null for a token that names nothing.
   * Not trusted for anything but this lookup.
   */
  async customBlockConversation(token: string): Promise<{ nativeId: string; idScope: string[] } | null> {
    const claims = vertexTokenClaims(token);
    if (claims === null || claims.dialogId === null) return null;
    const nativeId = await this.client.conversationOfDialog(claims.dialogId);
    return nativeId === null ? null : { nativeId, idScope: [] };
  }

  /**
   * The token may not say which conversation the block runs in, so every cached conversation of
   * this request is dropped: a request holds few, and a stale one would hide the block's result.
   */
  async completeCustomBlock(token: string, data: unknown): Promise<void> {
    await afterWrite(
      () => this.client.completeCustomBlock(token, data),
      () => this.invalidateAll(),
    );
  }

  async sendCustomBlockMessage(token: string, text: string, typing: boolean): Promise<{ messageId: string; createdAt: Date | null }> {
    return afterWrite(
      () => this.client.sendCustomBlockMessage(token, text, typing),
      () => this.invalidateAll(),
    );
  }

  /**
   * Drops the conversation under every scope it may be cached with: no scope, and each configured
   * bot (`key` keeps no other). UUIDs are matched case-insensitively upstream, so both spellings go.
   */
  invalidateConversation(nativeId: string): void {
    const scopes: string[][] = [[], ...this.client.botIds.map((bot) => [bot])];
    for (const id of new Set([nativeId, nativeId.toLowerCase()])) {
      for (const scope of scopes) {
        const key: ConversationKey = { nativeId: id, scope };
        this.detailLoader.clear(key);
        this.conversationLoader.clear(key);
      }
    }
  }

  private invalidateAll(): void {
    this.detailLoader.clearAll();
    this.conversationLoader.clearAll();
  }

  /** Makes a list item answer a later `getConversation` in this request with no upstream call. */
  prime(conversation: ConversationModel): void {
    this.conversationLoader.prime(this.key(conversation.nativeId, conversation.idScope), conversation);
  }

  /**
   * Keeps a scope's bot only when it is configured: payloads never name the bot, so an unknown one
   * in a crafted ID would otherwise become a dangling `Conversation.bot`.
   */
  private key(nativeId: string, scope: readonly string[]): ConversationKey {
    const bot = this.moved.get(nativeId.toLowerCase()) ?? scope[0];
    return { nativeId, scope: bot !== undefined && this.client.botIds.includes(bot) ? [bot] : [] };
  }
}
