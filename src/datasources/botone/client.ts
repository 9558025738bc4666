/**
 * The process-wide Bot.one client: one keep-alive `UpstreamHttp` with Basic auth, the vendor's paths
 * for v1 or v2, and mapped models out. Per-request caching and batching live in `datasource.ts`.
 */
import type { Logger } from 'pino';
import type { BotoneConfig, UpstreamConfig } from '../../config.js';
import { BotgraphError, ErrorCode } from '../../errors.js';
import type { BotModel, ConversationModel } from '../../models.js';
import { UpstreamHttp, type UpstreamStream } from '../http.js';
import { mapBot, mapConversation, PROVIDER, type Attribution } from './mapper.js';
import { botoneConversationDetailResponseSchema, botoneConversationListSchema } from './types.js';

/** The largest `PageCount` the simulator accepts (documented in docs/providers/botone.md); real instances are assumed alike. */
export const MAX_PAGE_SIZE = 100;

/** Upstream filters Bot.one applies itself. */
export interface BotoneListFilter {
  /** `BotID`. */
  botId?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
}

export interface BotonePageRequest extends BotoneListFilter {
  /** 1-based `PageNumber`. */
  page: number;
  /** `PageCount`, 1 to {@link MAX_PAGE_SIZE}. */
  pageSize: number;
}

/** One vendor page, mapped. */
export interface BotonePage {
  items: ConversationModel[];
  /** `meta.pagination.total`: every conversation matching the filter. */
  total: number;
  page: number;
  pageSize: number;
}

export interface BotoneClientOptions {
  /** Scheme, host and optional prefix, without a trailing slash. */
  baseUrl: string;
  username: string;
  password: string;
  /** Which API the paths and ids follow. @default 'v2' */
  apiVersion?: 'v1' | 'v2';
  /** The bots botgraph knows (Bot.one cannot list them). @default [] */
  botIds?: string[];
  /** Timeouts, budget and attempts for every call. @default the UpstreamHttp defaults */
  upstream?: Partial<UpstreamConfig>;
  /** First retry delay in ms, doubling. @default 100 */
  baseDelayMs?: number;
  /** @default undefined (silent) */
  logger?: Logger;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT_RE = /^\d{1,15}$/;

export class BotoneClient {
  readonly apiVersion: 'v1' | 'v2';
  readonly botIds: readonly string[];
  private readonly http: UpstreamHttp;
  private readonly prefix: string;

  constructor(options: BotoneClientOptions) {
    this.apiVersion = options.apiVersion ?? 'v2';
    this.botIds = [...new Set(options.botIds ?? [])];
    this.prefix = `/api/${this.apiVersion}`;
    const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
    this.http = new UpstreamHttp({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      headers: () => ({ authorization }),
      ...(options.upstream?.timeoutMs !== undefined ? { timeoutMs: options.upstream.timeoutMs } : {}),
      ...(options.upstream?.totalBudgetMs !== undefined ? { totalBudgetMs: options.upstream.totalBudgetMs } : {}),
      ...(options.upstream?.maxAttempts !== undefined ? { maxAttempts: options.upstream.maxAttempts } : {}),
      ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  static fromConfig(config: BotoneConfig & { baseUrl: string }, upstream: UpstreamConfig, logger?: Logger): BotoneClient {
    return new BotoneClient({
      baseUrl: config.baseUrl,
      username: config.username,
      password: config.password,
      apiVersion: config.apiVersion,
      botIds: config.botIds,
      upstream,
      ...(logger ? { logger } : {}),
    });
  }

  /** Configured bots only; no upstream call (Bot.one has no bot endpoint). Null for an unknown id. */
  getBots(ids: readonly string[]): Array<BotModel | null> {
    return ids.map((id) => (this.botIds.includes(id) ? mapBot(id) : null));
  }

  listBots(): BotModel[] {
    return this.botIds.map(mapBot);
  }

  /** Whether `id` can be a conversation id of this API version; anything else cannot exist upstream. */
  isConversationId(id: string): boolean {
    return this.apiVersion === 'v1' ? INT_RE.test(id) : UUID_RE.test(id);
  }

  /** One page of `GET /api/v{1,2}/conversations`; items attributed to `attribution` (payloads never name the bot). */
  async listConversations(request: BotonePageRequest, attribution: Attribution): Promise<BotonePage> {
    const pageSize = Math.min(Math.max(1, Math.floor(request.pageSize)), MAX_PAGE_SIZE);
    const page = Math.max(1, Math.floor(request.page));
    const result = await this.http.getJson(`${this.prefix}/conversations`, botoneConversationListSchema, {
      query: {
        BotID: request.botId,
        PageNumber: page,
        PageCount: pageSize,
        CreatedFrom: isoFrom(request.createdFrom),
        CreatedTo: isoTo(request.createdTo),
        UpdatedFrom: isoFrom(request.updatedFrom),
        UpdatedTo: isoTo(request.updatedTo),
      },
    });
    return {
      items: result.items.map((entry) => mapConversation(entry, attribution)),
      total: result.meta.pagination.total,
      page,
      pageSize,
    };
  }

  /** `GET /api/v{1,2}/conversation/{id}` with its collected data; null on 404 or an id this version cannot have. */
  async getConversation(nativeId: string, attribution: Attribution): Promise<ConversationModel | null> {
    if (!this.isConversationId(nativeId)) return null;
    try {
      const entry = await this.http.getJson(
        `${this.prefix}/conversation/${encodeURIComponent(nativeId)}`,
        botoneConversationDetailResponseSchema,
      );
      return mapConversation(entry, attribution);
    } catch (error) {
      if (error instanceof BotgraphError && error.code === ErrorCode.NOT_FOUND) return null;
      throw error;
    }
  }

  /** The bytes of an uploaded file (`GET /api/v{1,2}/file/{id}`), streamed; NOT_FOUND for an id that is not an integer. */
  async fileStream(fileId: string): Promise<UpstreamStream> {
    if (!INT_RE.test(fileId)) {
      throw new BotgraphError(ErrorCode.NOT_FOUND, `${PROVIDER} has no such object.`, { provider: PROVIDER });
    }
    return this.http.stream(`${this.prefix}/file/${fileId}`);
  }

  /** The cheapest authenticated read: one conversation of page 1. */
  async ping(): Promise<void> {
    await this.http.getJson(`${this.prefix}/conversations`, botoneConversationListSchema, {
      query: { PageNumber: 1, PageCount: 1 },
    });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/*
 * Bot.one times are whole seconds, so rounding a bound to the second in the inclusive direction
 * (From up, To down) selects exactly the conversations a millisecond bound would. The vendor's own
 * format is used (`2023-05-22T08:11:54+00:00`), since fractions are not in its examples.
 */
function isoFrom(date: Date | undefined): string | undefined {
  return date === undefined ? undefined : formatSeconds(Math.ceil(date.getTime() / 1000));
}

function isoTo(date: Date | undefined): string | undefined {
  return date === undefined ? undefined : formatSeconds(Math.floor(date.getTime() / 1000));
}

function formatSeconds(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}+00:00`;
}
