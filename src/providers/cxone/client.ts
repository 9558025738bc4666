/**
 * The process-wide CXone client: one `UpstreamHttp` per export token (the token is the `token`
 * query parameter, passed as a secret so that it never reaches a log line or an error), all sharing
 * one keep-alive agent. It knows the export's one path, its paging by scroll and its `query`
 * language (docs/providers/cxone.md), and hands back mapped models. No DataLoaders here: those are
 * per request, in `datasource.ts`.
 */
import type { Agent } from 'undici';
import type { CxoneConfig } from './config.js';
import { BotgraphError } from '../../errors.js';
import type { ConversationModel } from '../../models.js';
import { clientHttpOptions, keepAliveAgent, UpstreamHttp, type ClientOptions } from '../../datasources/http.js';
import { BatchCache, type BatchCacheOptions } from './cache.js';
import { botIdFromTracker, mapConversation, statusHoldsUntil } from './mapper.js';
import { mappedOnce } from '../../datasources/mapped.js';
import { cxPageSchema, type CxPage } from './types.js';

/**
 * Every export answer names a new scroll (`scroll_id`, and `next_page_url`, which carries it), even
 * when its conversations are the same as the last time: UpstreamHttp reuses the last parsed page
 * when only these differ (`UpstreamOptions.volatileFields`).
 */
const EXPORT_VOLATILE_FIELDS = ['scroll_id', 'next_page_url'] as const;

export const EXPORT_PATH = '/api/public/conversations';
/** The vendor's documented maximum. */
export const MAX_PER_PAGE = 200;

/** The key of the bare token in `CxoneConfig.tokens`: a token whose bot is unknown. */
export const BARE_TOKEN = '';

/** The export's base URL and `tokens` (bot id → export token; `{'': token}` for one bare token), plus what every client takes. */
export interface CxoneClientOptions extends ClientOptions<CxoneConfig> {
  /** The clock statuses are derived against. @default Date.now */
  now?: () => number;
  /** The batch cache of the streams. @default BatchCache's defaults */
  cache?: BatchCacheOptions;
}

/** One page of the export, mapped. */
export interface ExportPage {
  items: ConversationModel[];
  /** The export's total for the query (point in time: the same for every page of one scroll). */
  total: number | null;
  /** The scroll id of the next page; null when the vendor gave none. */
  nextScrollId: string | null;
  /**
   * False when the page says no next page exists: `next_page_url` is null ("다음 데이터 페이지가 있는
   * 경우 해당 페이지의 URL입니다", the URL of the next page if there is one). Null when it says nothing.
   */
  hasNext: boolean | null;
}

/** True when the vendor says a scroll id is no longer valid (docs/providers/cxone.md: 410). */
export function isScrollGone(error: unknown): boolean {
  return error instanceof BotgraphError && (error.status === 410 || error.status === 404);
}

/** Quotes a value for the `query` language: double quotes, with `\` escaping `"` and `\`. */
export function quoteQueryValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The scroll id of the next page: `scroll_id`, else the `scrollId` (or `scroll_id`) of `next_page_url`. */
export function nextScrollId(page: CxPage): string | null {
  if (page.scroll_id) return page.scroll_id;
  if (!page.next_page_url) return null;
  try {
    const url = new URL(page.next_page_url);
    return url.searchParams.get('scrollId') || url.searchParams.get('scroll_id') || null;
  } catch {
    return null;
  }
}

export class CxoneClient {
  /** Process-wide: see BatchCache for why. */
  readonly batches: BatchCache;
  /** The agent this client made (closed with it); null when the caller passed its own. */
  private readonly agent: Agent | null;
  private readonly http = new Map<string, UpstreamHttp>();
  private readonly now: () => number;
  private bareBot: Promise<string | null> | undefined;

  constructor(options: CxoneClientOptions) {
    this.now = options.now ?? Date.now;
    const observer = options.upstream?.observer;
    this.batches = new BatchCache({
      ...options.cache,
      ...(observer ? { onLookup: (hit: boolean) => observer.cacheLookup('cxone_batches', hit) } : {}),
    });
    // One keep-alive agent under every token's UpstreamHttp: the tokens share the host.
    const dispatcher = options.dispatcher ?? keepAliveAgent();
    this.agent = options.dispatcher ? null : (dispatcher as Agent);
    const common = clientHttpOptions('CXONE', { ...options, dispatcher });
    for (const [key, token] of Object.entries(options.config.tokens)) {
      this.http.set(key, new UpstreamHttp({ ...common, secretQuery: () => ({ token }), volatileFields: EXPORT_VOLATILE_FIELDS }));
    }
  }

  /** The configured token keys: bot ids, or {@link BARE_TOKEN}. */
  tokenKeys(): string[] {
    return [...this.http.keys()];
  }

  /** The bot ids known without a call (the configured ones). */
  configuredBotIds(): string[] {
    return this.tokenKeys().filter((k) => k !== BARE_TOKEN);
  }

  /**
   * The bot of a token. For the bare token, one cheap read (`perPage=1`) learns it from the tracker
   * name `<botId>-<conversationId>`, once per process; null when its export is empty.
   */
  async botIdOf(tokenKey: string): Promise<string | null> {
    if (tokenKey !== BARE_TOKEN) return tokenKey;
    if (!this.bareBot) {
      const learning = this.get(BARE_TOKEN, { perPage: 1 }).then((page) => {
        const first = page.data[0];
        return first ? botIdFromTracker(first) : null;
      });
      this.bareBot = learning;
      // A failure (or an empty export, which may fill later) is not remembered.
      learning.then(
        (id) => {
          if (id === null) this.bareBot = undefined;
        },
        () => {
          this.bareBot = undefined;
        },
      );
    }
    return this.bareBot;
  }

  /** The token key that reads a bot's export: its own, or the bare token once that is known to be this bot. */
  async tokenKeyFor(botId: string): Promise<string | null> {
    if (botId !== BARE_TOKEN && this.http.has(botId)) return botId;
    if (this.http.has(BARE_TOKEN) && (await this.botIdOf(BARE_TOKEN)) === botId) return BARE_TOKEN;
    return null;
  }

  /** Starts an export: a new scroll over the conversations matching `query`. */
  async search(tokenKey: string, query: string, perPage: number): Promise<ExportPage> {
    const page = await this.get(tokenKey, {
      perPage: Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(perPage))),
      ...(query === '' ? {} : { query }),
    });
    return this.mapPage(tokenKey, page);
  }

  /** The next page of a scroll. An expired scroll throws (see {@link isScrollGone}). */
  async scroll(tokenKey: string, scrollId: string): Promise<ExportPage> {
    // The vendor's own next_page_url sends `scrollId`; the token is added back by UpstreamHttp.
    // Two concurrent reads of one scroll id share one call: on a vendor whose scroll only moves
    // forward, a second call would otherwise return the page after.
    const page = await this.get(tokenKey, { scrollId });
    return this.mapPage(tokenKey, page);
  }

  /**
   * The conversations of one bot with these ids, in one call: NICE's query page lists
   * `conversation` as "the ID of a conversation" (docs/providers/cxone.md, "Query").
   */
  async findByIds(tokenKey: string, ids: string[]): Promise<ConversationModel[]> {
    const distinct = [...new Set(ids)];
    if (distinct.length === 0) return [];
    const query = distinct.map((id) => `conversation = ${quoteQueryValue(id)}`).join(' OR ');
    const page = await this.search(tokenKey, query, MAX_PER_PAGE);
    return page.items;
  }

  async close(): Promise<void> {
    await Promise.all([...this.http.values()].map((h) => h.close()));
    await this.agent?.close();
  }

  private async get(tokenKey: string, query: Record<string, string | number>): Promise<CxPage> {
    const http = this.http.get(tokenKey);
    if (!http) throw new Error(`no CXone token for ${tokenKey === BARE_TOKEN ? 'the bare token' : `bot ${tokenKey}`}`);
    return http.getJson(EXPORT_PATH, cxPageSchema, { query });
  }

  private async mapPage(tokenKey: string, page: CxPage): Promise<ExportPage> {
    const botId = tokenKey === BARE_TOKEN ? null : tokenKey;
    const now = this.now();
    return {
      // Once per export record (the same object while its page's bytes are unchanged), until its status would change.
      items: page.data.map((raw) =>
        mappedOnce(
          raw,
          botId ?? '',
          () => mapConversation(raw, { botId, now }),
          now,
          (model) => statusHoldsUntil(raw, model.status),
        ),
      ),
      total: page.total ?? null,
      nextScrollId: nextScrollId(page),
      hasNext: page.next_page_url === undefined ? null : page.next_page_url !== null && page.next_page_url !== '',
    };
  }
}
