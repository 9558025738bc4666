/**
 * CXone for one GraphQL request: per-request DataLoaders over the process-wide {@link CxoneClient}.
 *
 * CXone's export has no read by id. A conversation's global ID therefore carries its bot (and its
 * start time, `idScope`), and a by-id read is one export search `conversation = "<id>"` on that
 * bot's token (NICE's query page: `conversation` is "the ID of a conversation"); the loads of one
 * tick are batched into one search per bot (`conversation = "a" OR conversation = "b" …`).
 * Every list primes the loader, so a conversation seen in a list is never read again in the request.
 */
import DataLoader from 'dataloader';
import type { BotModel, ConversationModel, EndUserModel, MessageModel } from '../../models.js';
import type { ConversationQuery, ConversationStream, ListResult, ProviderDatasource } from '../../datasources/types.js';
import { BotReads, noFlows } from '../../datasources/base.js';
import { asError, succeeds } from '../../datasources/settle.js';
import { BARE_TOKEN, type CxoneClient } from './client.js';
import { mapBot, parseMessageId } from './mapper.js';
import { compileQuery, CxoneStream } from './stream.js';

/**
 * Ids per search: each is a ~125-character `conversation = "…"` clause (the ids are about 106
 * characters), and the vendor's query should stay well under 2000 characters (docs/providers/cxone.md).
 */
export const MAX_IDS_PER_SEARCH = 12;

/** The key of a listed conversation (CxoneDatasource.prime): ids never hold a NUL. */
function listedKey(botId: string, start: string, conversationId: string): string {
  return `${botId}\u0000${start}\u0000${conversationId}`;
}

/** `[botId, startMs, conversationId]` as the loader's key. */
function conversationKey(botId: string, start: string, conversationId: string): string {
  return JSON.stringify([botId, start, conversationId]);
}

export class CxoneDatasource implements ProviderDatasource {
  readonly provider = 'CXONE' as const;

  private readonly bots = new BotReads((ids) => this.loadBots(ids));
  private readonly conversations = new DataLoader<string, ConversationModel | null>((keys) => this.loadConversations(keys));
  private readonly listed = new Map<string, ConversationModel>();

  constructor(private readonly client: CxoneClient) {}

  listBots(): Promise<BotModel[]> {
    return this.bots.list(async () => (await this.knownBotIds()).map(mapBot));
  }

  getBot(nativeId: string): Promise<BotModel | null> {
    return this.bots.get(nativeId);
  }

  /** CXone's export knows no flows. */
  listFlows = noFlows;

  conversationStreams(query: ConversationQuery, botNativeIds: string[] | null): ConversationStream[] {
    const compiled = compileQuery(query);
    return this.client
      .tokenKeys()
      .filter((key) => key === BARE_TOKEN || botNativeIds === null || botNativeIds.includes(key))
      .map(
        (tokenKey) =>
          new CxoneStream({
            client: this.client,
            tokenKey,
            query: compiled,
            botNativeIds,
            prime: (items) => this.prime(items),
          }),
      );
  }

  getConversation(nativeId: string, scope: string[]): Promise<ConversationModel | null> {
    const [botId, start] = scope;
    if (botId === undefined || start === undefined || !/^\d{1,15}$/.test(start)) return Promise.resolve(null);
    const listed = this.listed.get(listedKey(botId, start, nativeId));
    return listed ? Promise.resolve(listed) : this.conversations.load(conversationKey(botId, start, nativeId));
  }

  /** A CXone conversation is complete as listed. */
  async conversationDetail(conversation: ConversationModel): Promise<ConversationModel> {
    return conversation;
  }

  async listMessages(conversation: ConversationModel, offset: number, limit: number): Promise<ListResult<MessageModel>> {
    const messages =
      conversation.embeddedMessages ?? (await this.getConversation(conversation.nativeId, conversation.idScope))?.embeddedMessages ?? [];
    return { items: messages.slice(offset, offset + limit), total: messages.length };
  }

  async getMessage(nativeId: string, scope: string[]): Promise<MessageModel | null> {
    const parsed = parseMessageId(nativeId);
    const [conversationId, ...conversationScope] = scope;
    if (!parsed || conversationId === undefined || parsed.conversationId !== conversationId) return null;
    const conversation = await this.getConversation(conversationId, conversationScope);
    return conversation?.embeddedMessages?.find((m) => m.nativeId === nativeId) ?? null;
  }

  /** No end-user endpoint: the scope names one of the customer's conversations, read again. */
  async getEndUser(nativeId: string, scope: string[]): Promise<EndUserModel | null> {
    const [botId, start, conversationId] = scope;
    if (botId === undefined || start === undefined || conversationId === undefined) return null;
    const conversation = await this.getConversation(conversationId, [botId, start]);
    return conversation?.endUser?.nativeId === nativeId ? conversation.endUser : null;
  }

  /** The export cannot list customers. */
  async listEndUsers(): Promise<ListResult<EndUserModel> | null> {
    return null;
  }

  async health(): Promise<boolean> {
    const [first] = this.client.tokenKeys();
    if (first === undefined) return false;
    return succeeds(() => this.client.search(first, '', 1));
  }

  /**
   * What the lists of this request returned, for by-id reads of the same conversations. A plain Map
   * rather than the loader's prime(): a page primes every conversation it holds (30 for an inbox of
   * three exports) and few are read again by id, so each costs a Map entry, not a key's JSON, a loader
   * entry and a resolved promise. A newer read of the same conversation replaces the older one.
   */
  private prime(items: ConversationModel[]): void {
    for (const item of items) {
      const [botId, start] = item.idScope;
      if (botId === undefined || start === undefined) continue;
      this.listed.set(listedKey(botId, start, item.nativeId), item);
    }
  }

  private async knownBotIds(): Promise<string[]> {
    const ids = this.client.configuredBotIds();
    if (this.client.tokenKeys().includes(BARE_TOKEN)) {
      const bare = await this.client.botIdOf(BARE_TOKEN);
      if (bare !== null && !ids.includes(bare)) ids.push(bare);
    }
    return ids;
  }

  private async loadBots(ids: readonly string[]): Promise<Array<BotModel | null>> {
    // Configured bots need no call; only a bare token (asked about an id not configured) costs one, once per process.
    const configured = new Set(this.client.configuredBotIds());
    const needBare = ids.some((id) => !configured.has(id)) && this.client.tokenKeys().includes(BARE_TOKEN);
    const bare = needBare ? await this.client.botIdOf(BARE_TOKEN) : null;
    return ids.map((id) => (configured.has(id) || (bare !== null && id === bare) ? mapBot(id) : null));
  }

  private async loadConversations(keys: readonly string[]): Promise<Array<ConversationModel | null | Error>> {
    const wanted = keys.map((key) => JSON.parse(key) as [string, string, string]);
    const byBot = new Map<string, string[]>();
    for (const [botId, , id] of wanted) {
      const ids = byBot.get(botId) ?? [];
      if (!ids.includes(id)) ids.push(id);
      byBot.set(botId, ids);
    }
    const found = new Map<string, ConversationModel>();
    const failed = new Map<string, Error>();
    await Promise.all(
      [...byBot].map(async ([botId, ids]) => {
        try {
          const tokenKey = await this.client.tokenKeyFor(botId);
          if (tokenKey === null) return;
          const searches: Array<Promise<ConversationModel[]>> = [];
          for (let i = 0; i < ids.length; i += MAX_IDS_PER_SEARCH) {
            searches.push(this.client.findByIds(tokenKey, ids.slice(i, i + MAX_IDS_PER_SEARCH)));
          }
          for (const items of await Promise.all(searches)) {
            for (const item of items) found.set(conversationKey(botId, String(item.createdAt?.getTime()), item.nativeId), item);
          }
        } catch (error) {
          failed.set(botId, asError(error));
        }
      }),
    );
    return wanted.map(([botId, start, id]) => failed.get(botId) ?? found.get(conversationKey(botId, start, id)) ?? null);
  }
}
