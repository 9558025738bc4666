import type { Keyset } from './base.js';
import type { BotgraphError } from '../errors.js';
import {
  CONVERSATION_STATUSES,
  type BotModel,
  type CapabilityName,
  type ConversationModel,
  type ConversationStatusName,
  type EndUserModel,
  type FlowModel,
  type HandoffStateName,
  type MessageModel,
  type ProviderName,
  type RichMessage,
} from '../models.js';

/** A filter already translated to one provider's native ids. Every field is optional. */
export interface ConversationQuery {
  statuses?: ConversationStatusName[];
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  search?: string;
  /** A validated CXone `query` expression (filter.cxoneQuery); only CXone can apply it. */
  cxoneQuery?: string;
  endUserNativeId?: string;
}

/** The statuses a query keeps, or null when it keeps every one (none named, or all of them). */
export function statusFilter(statuses: readonly ConversationStatusName[] | undefined): ReadonlySet<ConversationStatusName> | null {
  const wanted = new Set(statuses ?? []);
  return wanted.size === 0 || CONVERSATION_STATUSES.every((s) => wanted.has(s)) ? null : wanted;
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
  fetch(offset: number, limit: number, state: string | null, position?: StreamPosition): Promise<StreamChunk>;
  /**
   * Present on a **keyset stream**: the tie key that orders items with the same `updatedAt` (the
   * stream's order is `compareKeysets` over `keysetOf(item, tieKey)`). The merge then reads it with a
   * `position` (after the last item consumed, not at an offset) and catches up at its end
   * (src/pagination/merge.ts). Absent: the stream is read by offset only.
   */
  readonly tieKey?: (item: ConversationModel) => string;
  /**
   * Counts the stream's conversations when `fetch` could not say (`total: null`: the stream filters
   * on our side, e.g. by a status the vendor cannot filter on). May read every page; only called
   * when a client asks for `totalCount`.
   */
  count(): Promise<number>;
}

/** Where a keyset stream reads from (see `ConversationStream.tieKey`). */
export interface StreamPosition {
  /** Only items after this keyset in the stream's order; null: from the top. Offsets are then ignored. */
  after: Keyset | null;
  /**
   * A catch-up round: only items with `updatedAt >= updatedFrom` (ms) and, when set, created at or
   * before `createdTo` (ms), read as the vendor has them now (not from a kept snapshot).
   */
  since?: { updatedFrom: number; createdTo?: number };
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
  /**
   * Names the one consistent read the items came from (Bot.one's sorted snapshot): a keyset stream
   * whose every read names the same snapshot is complete as read and needs no catch-up. Absent: a
   * live read (CLOSER), which may have moved between two pages.
   */
  snapshot?: string;
  /**
   * Said beside the items, which are still used: the stream's list is incomplete (Bot.one read only
   * its first `BOTONE_MAX_LIST_PAGES` pages: PROVIDER_LIST_TRUNCATED). A list reports it as a partial
   * error, so what is missing is never dropped silently.
   */
  partial?: BotgraphError;
}

/** `Query.messages`' filter, in native ids. */
export interface MessageSearch {
  conversationNativeId?: string;
  endUserNativeId?: string;
  botNativeIds?: string[];
  fromEndUser?: boolean;
  from?: Date;
  to?: Date;
}

export interface ListResult<T> {
  items: T[];
  total: number;
}

/**
 * What the resolvers may ask of one provider, per request. Each vendor implements it in
 * `src/providers/<vendor>/datasource.ts` (on the shared base, `src/datasources/base.ts`), with its DataLoaders private to it.
 *
 * Reads that miss return null (by-id) so that `node(id)` can answer null; upstream failures throw
 * BotgraphError with the provider set.
 */
export interface ProviderDatasource extends ProviderWriter {
  /** Messages across conversations by condition (CLOSER's `GET /openapi/messages`); absent where the vendor cannot. */
  searchMessages?(filter: MessageSearch, offset: number, limit: number): Promise<ListResult<MessageModel>>;
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
  /**
   * The streams a conversation **list** pages (`Query.conversations`, `Bot.conversations`, …), where
   * they differ from `conversationStreams` (which pollers and stats watch and count): CLOSER lists
   * one stream per bot, which needs the bot list first. Absent: `conversationStreams`.
   * `headRead`, on a first page: the size of the merge's first read of each stream
   * (`fetch(0, headRead)`, src/pagination/merge.ts `readSize`), which the datasource may start
   * before its streams are known.
   */
  listStreams?(query: ConversationQuery, botNativeIds: string[] | null, headRead?: number): Promise<ConversationStream[]>;
  /** Batched and cached per request; primed by every list. `scope` is what the global ID carried. */
  getConversation(nativeId: string, scope: string[]): Promise<ConversationModel | null>;
  /**
   * Completes a conversation from a list with what only a detail read gives (Bot.one's `data`).
   * Returns the same model when nothing is missing.
   */
  conversationDetail(conversation: ConversationModel): Promise<ConversationModel>;

  /** The conversation's messages, oldest first, `limit` from `offset`. */
  listMessages(conversation: ConversationModel, offset: number, limit: number): Promise<ListResult<MessageModel>>;
  /**
   * Starts the read `listMessages` would make for this conversation, before the conversation itself
   * is known, where the vendor needs only its id (CLOSER): a `node(id) { messages }` then reads both
   * in one wave. The later `listMessages` with the same offset and limit takes the same read.
   * Optional: a vendor whose messages come from the conversation itself has nothing to start.
   */
  prefetchMessages?(conversationNativeId: string, scope: string[], offset: number, limit: number): void;
  /**
   * The handoff state alone, where the vendor has a read of just that (CLOSER `GET …/manual`); null
   * when the vendor no longer has the conversation. Absent: the vendor has no such read (a full
   * conversation read would be the only way, and no caller needs it at that price).
   */
  handoffState?(conversation: { nativeId: string; idScope: string[] }): Promise<HandoffStateName | null>;
  /** `scope` is `[conversationNativeId, ...conversationIdScope]`: a Message's global ID carries its conversation. */
  getMessage(nativeId: string, scope: string[]): Promise<MessageModel | null>;

  /** `scope` is the model's own `idScope`. */
  getEndUser(nativeId: string, scope: string[]): Promise<EndUserModel | null>;
  /** Null when the provider cannot list end users. */
  listEndUsers(filter: { botNativeIds: string[] | null; platform?: string }, offset: number, limit: number): Promise<ListResult<EndUserModel> | null>;

  /** A cheap read that proves the provider answers with our credentials. */
  health(): Promise<boolean>;
}

/** A provider as configured for the whole process: its shared client and static facts. */
export interface ProviderRuntime {
  provider: ProviderName;
  mode: 'SIMULATOR' | 'REMOTE';
  /** Derived from `writes`, the adapter's reads, files and webhooks (see `deriveCapabilities`). */
  capabilities: CapabilityName[];
  /**
   * The writes this runtime performs: the one answer to "is it supported". A write not listed here
   * is UNSUPPORTED_BY_PROVIDER before any upstream call (Bot.one on API v1 lists fewer).
   */
  writes: ReadonlySet<import('../providers/types.js').WriteName>;
  apiVersion: string | null;
  /** A fresh datasource with fresh DataLoaders: call once per GraphQL request. */
  forRequest(): ProviderDatasource;
  /** Streams a vendor file (Bot.one) for botgraph's `/files/...` route. Absent: the provider has no files. */
  openFile?(fileId: string): Promise<import('./http.js').UpstreamStream>;
  close(): Promise<void>;
}

/** What `Query.providers` lists: every provider, with its runtime when enabled. */
export interface ProviderInfoModel {
  provider: ProviderName;
  runtime: ProviderRuntime | null;
}

/** What a vendor gave back when it created a conversation. */
export interface CreatedConversation {
  /** The id botgraph reads the conversation by (Bot.one v2: the UUID; v1: the integer). */
  nativeId: string;
  idScope: string[];
  /** Bot.one's integer id, when the vendor returned one. */
  numericId: number | null;
  /** Bot.one's UUID, when the vendor returned one. */
  uuid: string | null;
}

export interface ConversationPatch {
  /** Replaces the tags. */
  tags?: string[];
  /** Replaces the notes. */
  notes?: string;
  /** Merged into the vendor's params (CLOSER). */
  params?: Record<string, unknown>;
}

/**
 * The vendor writes. A datasource implements the ones its vendor has; the mutation resolvers check
 * capabilities and method presence first, so an unsupported write never reaches a datasource and
 * never makes an upstream call. Writes are never retried (`UpstreamHttp.send`), and each one drops
 * the datasource's cached reads of what it changed, so a read after it in the same request is fresh.
 */
export interface ProviderWriter {
  /** Sends `text` as the human operator. Returns the vendor's message when it returns one (CLOSER), else null (Bot.one answers 204). */
  sendMessage?(conversation: { nativeId: string; idScope: string[] }, text: string): Promise<MessageModel | null>;
  /** Sends `text` to an end user (CLOSER `POST /openapi/message`). */
  sendMessageToEndUser?(endUserNativeId: string, text: string): Promise<MessageModel>;
  /**
   * Sends media, cards or a location as the human operator (CLOSER's MESSAGE.DATA types). A vendor
   * that implements it has the RICH_MESSAGES capability; one that does not gets UNSUPPORTED_BY_PROVIDER.
   */
  sendRichMessage?(conversation: { nativeId: string; idScope: string[] }, message: RichMessage): Promise<MessageModel | null>;
  /** `sendRichMessage` to an end user (CLOSER `POST /openapi/message`). */
  sendRichMessageToEndUser?(endUserNativeId: string, message: RichMessage): Promise<MessageModel>;
  /** `true`: stop the bot and give the conversation to a human; `false`: give it back to the bot. */
  setHandoff?(conversation: { nativeId: string; idScope: string[] }, toOperator: boolean): Promise<void>;
  /** Moves the conversation to another bot (Bot.one `goto`). Returns the vendor's message, if any. */
  transferToBot?(conversation: { nativeId: string; idScope: string[] }, botNativeId: string): Promise<string | null>;
  /** Moves the conversation to another flow of its bot (CLOSER navigation). */
  transferToFlow?(conversation: { nativeId: string; idScope: string[] }, flowNativeId: string, nodeNativeId?: string): Promise<void>;
  createConversation?(botNativeId: string, variables: Record<string, unknown> | null, start: boolean): Promise<CreatedConversation>;
  updateConversation?(conversation: { nativeId: string; idScope: string[] }, patch: ConversationPatch): Promise<void>;
  /** Ends an external custom block (Bot.one Vertex). */
  completeCustomBlock?(token: string, data: unknown): Promise<void>;
  /** Sends a bot message while an external custom block runs (Bot.one Vertex). */
  sendCustomBlockMessage?(token: string, text: string, typing: boolean): Promise<{ messageId: string; createdAt: Date | null }>;
  /** The conversation a custom block's token names, when the token says (Bot.one's Vertex JWT); else null. */
  customBlockConversation?(token: string): Promise<{ nativeId: string; idScope: string[] } | null>;
  /** Forgets cached reads of one conversation (after a write elsewhere, e.g. a webhook). */
  invalidateConversation?(nativeId: string): void;
}
