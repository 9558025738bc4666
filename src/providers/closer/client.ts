/**
 * The process-wide CLOSER client: one keep-alive `UpstreamHttp` with the API key, the vendor's
 * paths and query names, and mapping to models. It holds no per-request state; DataLoaders live
 * in `CloserDatasource`.
 */
import type { z } from 'zod';
import type { CloserConfig } from './config.js';
import { BotgraphError, ErrorCode, nullIfNotFound } from '../../errors.js';
import type { BotModel, ConversationModel, EndUserModel, FlowModel, HandoffStateName, MessageModel } from '../../models.js';
import { clientHttpOptions, UpstreamHttp, type ClientOptions } from '../../datasources/http.js';
import { mapBot, mapConversation, mapEndUser, mapFlow, mapHandoff, mapMessage, type CloserOutgoingData } from './mapper.js';
import { readAllPages, readWindow } from '../../datasources/base.js';
import { mappedOnce } from '../../datasources/mapped.js';
import { CLOSER_PAGING } from './paging.js';
import {
  CLOSER_MAX_LIMIT,
  type CloserPage,
  closerBotPageSchema,
  closerBotSchema,
  closerConversationPageSchema,
  closerConversationSchema,
  closerEndUserPageSchema,
  closerEndUserSchema,
  closerFlowPageSchema,
  closerManualSchema,
  closerMessagePageSchema,
  closerMessageSchema,
} from './types.js';

/** The header CLOSER reads the API key from (docs/providers/closer.md). */
export const CLOSER_API_KEY_HEADER = 'X-API-Key';

/** Where CLOSER (or its simulator) answers and the API key, plus what every client takes. */
export type CloserClientOptions = ClientOptions<CloserConfig>;

/** A slice of a vendor list, already mapped, with the vendor's total for the query. */
export interface CloserSlice<T> {
  items: T[];
  total: number;
}

/** The filters `GET /openapi/conversations` applies; every one is optional. */
export interface CloserConversationFilter {
  /** Comma-joined into `botId`. Empty: no filter (callers must not ask the vendor for "no bots"). */
  botIds?: string[];
  /** Comma-joined into `status` (`context.status`). */
  statuses?: string[];
  /** Comma-joined into `manual` (`context.manual.status`). */
  manual?: string[];
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  endUserId?: string;
}

export interface CloserEndUserFilter {
  /** Comma-joined into `botId`. Empty: no filter. */
  botIds?: string[];
  platform?: string;
}

type Query = Record<string, string | number | undefined>;

/** What CLOSER answered to a message write: the mapped message and whose end-user pointers it moved. */
export interface CloserSentMessage {
  message: MessageModel;
  /** The end user whose `lastMessageId` (and maybe `lastConversationId`) the write moved; null if CLOSER left it out. */
  endUserNativeId: string | null;
}

/** The fields of `PUT /openapi/conversation/{id}`; at least one must be set. */
export interface CloserConversationPatch {
  tags?: string[];
  notes?: string;
  params?: Record<string, unknown>;
}

function joined(values: string[] | undefined): string | undefined {
  return values && values.length > 0 ? values.join(',') : undefined;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

function id(value: string): string {
  return encodeURIComponent(value);
}

export class CloserClient {
  readonly http: UpstreamHttp;
  /** See knownBotIds. */
  private lastBotIds: readonly string[] | undefined;

  constructor(options: CloserClientOptions) {
    const apiKey = options.config.apiKey;
    this.http = new UpstreamHttp({ ...clientHttpOptions('CLOSER', options), headers: () => ({ [CLOSER_API_KEY_HEADER]: apiKey }) });
  }

  // ------------------------------------------------------------------------------------------
  // Bots and flows

  /** `GET /openapi/bot/{id}`; null when CLOSER has no such bot. */
  async getBot(botId: string): Promise<BotModel | null> {
    const raw = await nullIfNotFound(this.http.getJson(`/openapi/bot/${id(botId)}`, closerBotSchema));
    return raw ? mapBot(raw) : null;
  }

  /** Every bot, reading `GET /openapi/bot` 100 at a time. */
  async listAllBots(): Promise<BotModel[]> {
    let bots: BotModel[];
    try {
      bots = (await this.readAll('/openapi/bot', closerBotPageSchema, {})).map(mapBot);
    } catch (error) {
      // A failing vendor is not sent per-bot lists on a guess (see knownBotIds).
      this.lastBotIds = undefined;
      throw error;
    }
    this.lastBotIds = bots.map((bot) => bot.nativeId);
    return bots;
  }

  /**
   * The bots the last bot list of this process named, if the last one answered: what a list can
   * start its per-bot reads with while this request's own bot list is out (CloserDatasource.listStreams).
   */
  knownBotIds(): readonly string[] | undefined {
    return this.lastBotIds;
  }

  /** Every flow of a bot; an unknown bot has none. */
  async listAllFlows(botId: string): Promise<FlowModel[]> {
    const raws = await nullIfNotFound(this.readAll(`/openapi/bot/${id(botId)}/flow`, closerFlowPageSchema, {}));
    return (raws ?? []).map((raw) => mapFlow(raw, botId));
  }

  // ------------------------------------------------------------------------------------------
  // Conversations

  /** `GET /openapi/conversation/{id}`; null when CLOSER has no such conversation. */
  async getConversation(conversationId: string): Promise<ConversationModel | null> {
    const raw = await nullIfNotFound(this.http.getJson(`/openapi/conversation/${id(conversationId)}`, closerConversationSchema));
    return raw ? mappedOnce(raw, MODEL, () => mapConversation(raw)) : null;
  }

  /**
   * `GET /openapi/conversation/{id}/manual` (the document: "특정 대화의 상담원 연결 상태 가져오기", a
   * conversation's agent-connection state): the handoff state alone, `{conversationId, status,
   * updatedAt}`; null when CLOSER has no such conversation.
   */
  async getManual(conversationId: string): Promise<HandoffStateName | null> {
    const raw = await nullIfNotFound(this.http.getJson(`/openapi/conversation/${id(conversationId)}/manual`, closerManualSchema));
    return raw ? mapHandoff(raw.status) : null;
  }

  /** One vendor page of `GET /openapi/conversations` (newest `updatedAt` first). */
  async conversationsPage(filter: CloserConversationFilter, page: number, limit: number): Promise<CloserSlice<ConversationModel>> {
    const body = await this.http.getJson('/openapi/conversations', closerConversationPageSchema, {
      query: { ...conversationQuery(filter), page, limit },
    });
    return { items: pageModels(body.data), total: body.total };
  }

  /** `limit` conversations from `offset`, in at most two vendor calls (see `pageWindow`). */
  async listConversations(filter: CloserConversationFilter, offset: number, limit: number): Promise<CloserSlice<ConversationModel>> {
    return this.window(offset, limit, (page, size) => this.conversationsPage(filter, page, size));
  }

  /**
   * One vendor page of `GET /openapi/bot/{botId}/conversation`, the bot's own list (the document:
   * "특정 챗봇의 대화 리스트 가져오기", a given chatbot's conversation list), newest `updatedAt` first,
   * with the filters of `GET /openapi/conversations` but `botId`. A bot CLOSER does not know (deleted
   * since its id was listed) has none.
   */
  async botConversationsPage(botId: string, filter: CloserConversationFilter, page: number, limit: number): Promise<CloserSlice<ConversationModel>> {
    const { botIds: _botIds, ...rest } = filter;
    const body = await nullIfNotFound(
      this.http.getJson(`/openapi/bot/${id(botId)}/conversation`, closerConversationPageSchema, {
        query: { ...conversationQuery(rest), page, limit },
      }),
    );
    return body ? { items: pageModels(body.data), total: body.total } : { items: [], total: 0 };
  }

  /** `limit` of a bot's conversations from `offset`, in at most two vendor calls (see `pageWindow`). */
  async listBotConversations(
    botId: string,
    filter: CloserConversationFilter,
    offset: number,
    limit: number,
  ): Promise<CloserSlice<ConversationModel>> {
    return this.window(offset, limit, (page, size) => this.botConversationsPage(botId, filter, page, size));
  }

  // ------------------------------------------------------------------------------------------
  // Messages

  /** One vendor page of a conversation's messages (oldest first); null when the conversation is unknown. */
  async messagesPage(conversationId: string, page: number, limit: number): Promise<CloserSlice<MessageModel> | null> {
    const body = await nullIfNotFound(
      this.http.getJson(`/openapi/conversation/${id(conversationId)}/message`, closerMessagePageSchema, {
        query: { page, limit },
      }),
    );
    return body ? { items: body.data.map((m) => mapMessage(m)), total: body.total } : null;
  }

  /**
   * `GET /openapi/messages` ("list messages by condition"): `limit` messages from `offset` across
   * conversations, in the vendor's order (oldest first), in at most two vendor calls.
   */
  async searchMessages(filter: CloserMessageSearch, offset: number, limit: number): Promise<CloserSlice<MessageModel>> {
    return this.window(offset, limit, async (page, size) => {
      const body = await this.http.getJson('/openapi/messages', closerMessagePageSchema, {
        query: {
          conversationId: filter.conversationId,
          endUserId: filter.endUserId,
          botId: joined(filter.botIds),
          isUser: filter.isUser === undefined ? undefined : String(filter.isUser),
          from: iso(filter.from),
          to: iso(filter.to),
          page,
          limit: size,
        },
      });
      return { items: body.data.map((m) => mapMessage(m)), total: body.total };
    });
  }

  /** `limit` messages from `offset`, oldest first; an unknown conversation has none. */
  async listMessages(conversationId: string, offset: number, limit: number): Promise<CloserSlice<MessageModel>> {
    let missing = false;
    const slice = await this.window(offset, limit, async (page, size) => {
      const result = await this.messagesPage(conversationId, page, size);
      if (!result) missing = true;
      return result ?? { items: [], total: 0 };
    });
    return missing ? { items: [], total: 0 } : slice;
  }

  /**
   * Reads a conversation's messages 100 at a time until every id in `wanted` is seen (there is no
   * by-id message read). Returns every message read, so the caller can prime them, or null when
   * the conversation is unknown.
   */
  async scanMessages(conversationId: string, wanted: ReadonlySet<string>): Promise<MessageModel[] | null> {
    const seen: MessageModel[] = [];
    const left = new Set(wanted);
    let unknown = false;
    await readAllPages(
      CLOSER_MAX_LIMIT,
      async (page) => {
        const slice = await this.messagesPage(conversationId, page, CLOSER_MAX_LIMIT);
        if (!slice && page === 1) unknown = true;
        return slice ?? { items: [], total: 0 };
      },
      (items) => {
        for (const message of items) {
          seen.push(message);
          left.delete(message.nativeId);
        }
        return unknown || left.size === 0;
      },
    );
    return unknown ? null : seen;
  }

  // ------------------------------------------------------------------------------------------
  // End users

  /** `GET /openapi/enduser/{id}`; null when CLOSER has no such end user. */
  async getEndUser(endUserId: string): Promise<EndUserModel | null> {
    const raw = await nullIfNotFound(this.http.getJson(`/openapi/enduser/${id(endUserId)}`, closerEndUserSchema));
    return raw ? mapEndUser(raw) : null;
  }

  /** `limit` end users from `offset` (newest `updatedAt` first), in at most two vendor calls. */
  async listEndUsers(filter: CloserEndUserFilter, offset: number, limit: number): Promise<CloserSlice<EndUserModel>> {
    return this.window(offset, limit, async (page, size) => {
      const body = await this.http.getJson('/openapi/endusers', closerEndUserPageSchema, {
        query: { botId: joined(filter.botIds), platform: filter.platform, page, limit: size },
      });
      return { items: body.data.map(mapEndUser), total: body.total };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Writes: one attempt each (`UpstreamHttp.send`), because a write that timed out may still have
  // happened at CLOSER and sending it again could post a message twice.

  /**
   * `POST /openapi/conversation/{id}/message`: MESSAGE.DATA (text, media, cards or a location) as an
   * agent. `403` when the conversation is closed.
   */
  async sendMessage(conversationId: string, data: CloserOutgoingData): Promise<CloserSentMessage> {
    const raw = await this.write('POST', `/openapi/conversation/${id(conversationId)}/message`, closerMessageSchema, { data });
    return { message: mapMessage(raw), endUserNativeId: raw.endUserId ?? null };
  }

  /**
   * `POST /openapi/message`: MESSAGE.DATA as an agent into the end user's last conversation, or into
   * a new one CLOSER opens when that is closed (the answer's `conversationId` says which).
   */
  async sendMessageToEndUser(endUserId: string, data: CloserOutgoingData): Promise<CloserSentMessage> {
    const raw = await this.write('POST', '/openapi/message', closerMessageSchema, { endUserId, data });
    return { message: mapMessage(raw), endUserNativeId: raw.endUserId ?? endUserId };
  }

  /** `PUT /openapi/conversation/{id}/manual`; setting the state it already has is a no-op at CLOSER. */
  async setManual(conversationId: string, status: 'HANDOVER' | 'NONE'): Promise<void> {
    await this.write('PUT', `/openapi/conversation/${id(conversationId)}/manual`, closerManualSchema, { status });
  }

  /** `PUT /openapi/conversation/{id}/navigation` to the flow's first node; returns the conversation as it now is. */
  async setNavigation(conversationId: string, flowId: string, nodeId?: string): Promise<ConversationModel> {
    const raw = await this.write('PUT', `/openapi/conversation/${id(conversationId)}/navigation`, closerConversationSchema, {
      flowId,
      ...(nodeId === undefined ? {} : { nodeId }),
    });
    return mapConversation(raw);
  }

  /** `PUT /openapi/conversation/{id}`: tags and notes replace, params merge. Returns the conversation as it now is. */
  async updateConversation(conversationId: string, patch: CloserConversationPatch): Promise<ConversationModel> {
    // Only the fields given: CLOSER's bodies are strict, and an absent field means "leave it".
    const body: CloserConversationPatch = {
      ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
      ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
      ...(patch.params !== undefined ? { params: patch.params } : {}),
    };
    if (Object.keys(body).length === 0) {
      // CLOSER would answer 400 too; refusing here spares a call that cannot succeed.
      throw new BotgraphError(ErrorCode.BAD_USER_INPUT, 'A CLOSER conversation update needs at least one of tags, notes, params.', {
        provider: 'CLOSER',
      });
    }
    const raw = await this.write('PUT', `/openapi/conversation/${id(conversationId)}`, closerConversationSchema, body);
    return mapConversation(raw);
  }

  /** The cheapest authenticated read: one bot. Throws what the vendor's answer means. */
  async ping(): Promise<void> {
    await this.http.getJson('/openapi/bot', closerBotPageSchema, { query: { page: 1, limit: 1 } });
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  // ------------------------------------------------------------------------------------------

  /** A window in at most two vendor calls (see `pageWindow`). */
  private window<T>(offset: number, limit: number, read: (page: number, size: number) => Promise<CloserSlice<T>>): Promise<CloserSlice<T>> {
    return readWindow(offset, limit, CLOSER_PAGING, read);
  }

  /**
   * One write whose answer must match `schema`. `send` validates only a body that is there, so an
   * empty answer where CLOSER documents an object is rejected here, like any other wrong shape.
   */
  private async write<S extends z.ZodType>(method: 'POST' | 'PUT', path: string, schema: S, body: unknown): Promise<z.output<S>> {
    const { data } = await this.http.send(method, path, schema, { body });
    if (data === undefined) {
      throw new BotgraphError(ErrorCode.PROVIDER_BAD_RESPONSE, 'CLOSER answered a write without a body.', { provider: 'CLOSER' });
    }
    return data as z.output<S>;
  }

  private async readAll<T>(path: string, schema: z.ZodType<CloserPage<T>>, query: Query): Promise<T[]> {
    const out: T[] = [];
    await readAllPages(
      CLOSER_MAX_LIMIT,
      async (page) => {
        const body = await this.http.getJson(path, schema, { query: { ...query, page, limit: CLOSER_MAX_LIMIT } });
        return { items: body.data, total: body.total };
      },
      (items) => void out.push(...items),
    );
    return out;
  }
}

/** The conditions of `GET /openapi/messages` (docs/providers/closer.md). */
export interface CloserMessageSearch {
  conversationId?: string;
  endUserId?: string;
  botIds?: string[];
  isUser?: boolean;
  from?: Date;
  to?: Date;
}

function conversationQuery(filter: CloserConversationFilter): Query {
  return {
    botId: joined(filter.botIds),
    status: joined(filter.statuses),
    manual: joined(filter.manual),
    createdFrom: iso(filter.createdFrom),
    createdTo: iso(filter.createdTo),
    updatedFrom: iso(filter.updatedFrom),
    updatedTo: iso(filter.updatedTo),
    endUserId: filter.endUserId,
  };
}

/** The mappedOnce key of a CLOSER model (its mapping depends on the answer alone). */
const MODEL = 'closer';

/**
 * A page's models, mapped once per answer object (src/datasources/mapped.ts): an unchanged page is
 * one lookup, and its models stay the same objects, so their keysets and identity hashes are not
 * made again either.
 */
function pageModels(data: Parameters<typeof mapConversation>[0][]): ConversationModel[] {
  return mappedOnce(data, MODEL, () => data.map((raw) => mappedOnce(raw, MODEL, () => mapConversation(raw))));
}
