import type {
  BotModel,
  CapabilityName,
  ConversationModel,
  ConversationStatusName,
  EndUserModel,
  FlowModel,
  MessageModel,
  ProviderName,
} from '../models.js';

/** A filter already translated to one provider's native ids. Every field is optional. */
export interface ConversationQuery {
  statuses?: ConversationStatusName[];
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  search?: string;
  endUserNativeId?: string;
}

/**
 * One ordered source of conversations: CLOSER's global list, one Bot.one bot, one CXone token.
 * The cross-provider merge (`src/pagination/merge.ts`) pulls from several streams by offset.
 */
export interface ConversationStream {
  /** Stable across requests, e.g. `CLOSER`, `BOTONE:1446`, `CXONE:1327`. Goes into cursors. */
  key: string;
  /**
   * Up to `limit` conversations starting at `offset` in this stream's order (newest `updatedAt`
   * first), and the stream's total. `state` is whatever the stream stored in the cursor last time
   * (CXone's scroll); the returned `state` is stored for next time.
   */
  fetch(offset: number, limit: number, state: string | null): Promise<StreamChunk>;
  /**
   * Counts the stream's conversations when `fetch` could not say (`total: null`: the stream filters
   * on our side, e.g. by a status the vendor cannot filter on). May read every page; only called
   * when a client asks for `totalCount`.
   */
  count(): Promise<number>;
}

export interface StreamChunk {
  items: ConversationModel[];
  /**
   * The stream offset of each item. Absent: `offset + i`. A stream that filters on our side skips
   * vendor items, so the offset it resumes from is the vendor position after the last item consumed.
   */
  offsets?: number[];
  /** The stream's total for the query, or null when only a full scan could tell (see `count`). */
  total: number | null;
  /** True when nothing follows the returned items. */
  done: boolean;
  /** Opaque state to hand back on the next fetch (CXone's scroll); kept in the cursor. */
  state: string | null;
}

export interface ListResult<T> {
  items: T[];
  total: number;
}

/**
 * What the resolvers may ask of one provider, per request. Each vendor implements it in
 * `src/datasources/<vendor>/datasource.ts`, with its DataLoaders private to it.
 *
 * Reads that miss return null (by-id) so that `node(id)` can answer null; upstream failures throw
 * BotgraphError with the provider set.
 */
export interface ProviderDatasource {
  readonly provider: ProviderName;

  listBots(): Promise<BotModel[]>;
  /** Batched and cached per request. */
  getBot(nativeId: string): Promise<BotModel | null>;
  listFlows(botNativeId: string): Promise<FlowModel[]>;

  /**
   * The streams that together list this provider's conversations for `query`, restricted to the
   * given bots when `botNativeIds` is set.
   */
  conversationStreams(query: ConversationQuery, botNativeIds: string[] | null): ConversationStream[];
  /** Batched and cached per request; primed by every list. `scope` is what the global ID carried. */
  getConversation(nativeId: string, scope: string[]): Promise<ConversationModel | null>;
  /**
   * Completes a conversation from a list with what only a detail read gives (Bot.one's `data`).
   * Returns the same model when nothing is missing.
   */
  conversationDetail(conversation: ConversationModel): Promise<ConversationModel>;

  /** The conversation's messages, oldest first, `limit` from `offset`. */
  listMessages(conversation: ConversationModel, offset: number, limit: number): Promise<ListResult<MessageModel>>;
  /** `scope` is `[conversationNativeId, ...conversationIdScope]`: a Message's global ID carries its conversation. */
  getMessage(nativeId: string, scope: string[]): Promise<MessageModel | null>;

  /** `scope` is the model's own `idScope`. */
  getEndUser(nativeId: string, scope: string[]): Promise<EndUserModel | null>;
  /** Null when the provider cannot list end users. */
  listEndUsers(
    filter: { botNativeIds: string[] | null; platform?: string },
    offset: number,
    limit: number,
  ): Promise<ListResult<EndUserModel> | null>;

  /** A cheap read that proves the provider answers with our credentials. */
  health(): Promise<boolean>;
}

/** A provider as configured for the whole process: its shared client and static facts. */
export interface ProviderRuntime {
  provider: ProviderName;
  mode: 'SIMULATOR' | 'REMOTE';
  capabilities: CapabilityName[];
  apiVersion: string | null;
  /** A fresh datasource with fresh DataLoaders: call once per GraphQL request. */
  forRequest(): ProviderDatasource;
  close(): Promise<void>;
}

/** What `Query.providers` lists: every provider, with its runtime when enabled. */
export interface ProviderInfoModel {
  provider: ProviderName;
  runtime: ProviderRuntime | null;
}
