import { setBounded } from '../../bounded.js';
/**
 * The process-wide Bot.one client: one keep-alive `UpstreamHttp` with Basic auth, the vendor's paths
 * for v1 or v2, and mapped models out; a second one without auth for Vertex, whose credential is the
 * token in the body. Per-request caching and batching live in `datasource.ts`.
 */
import { BOTONE_DEFAULTS, type BotoneConfig } from './config.js';
import { BotgraphError, ErrorCode, nullIfNotFound } from '../../errors.js';
import type { BotModel, ConversationModel } from '../../models.js';
import { mappedOnce } from '../../datasources/mapped.js';
import { clientHttpOptions, UpstreamHttp, type ClientOptions, type UpstreamStream } from '../../datasources/http.js';
import type { CreatedConversation } from '../../datasources/types.js';
import { mapBot, mapConversation, PROVIDER, type Attribution } from './mapper.js';
import {
  botoneCommandSchema,
  botoneConversationDetailResponseSchema,
  botoneConversationListSchema,
  botoneCreatedSchema,
  botoneCreatedStartedSchema,
  botoneVertexSentSchema,
} from './types.js';

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

/** The account (`username`, `password`), `apiVersion` and `botIds` (Bot.one cannot list bots), plus what every client takes. */
export type BotoneClientOptions = ClientOptions<BotoneConfig>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT_RE = /^\d{1,15}$/;

/**
 * How many list pages the v1 create may read to find the integer id of the conversation it made
 * (see `findCreatedV1`). Past that the id is reported unknown rather than guessed.
 */
export const MAX_CREATE_LOOKUP_PAGES = 5;
/** How far before the create the v1 lookup's `CreatedFrom` starts, for clock differences. */
export const CREATE_LOOKUP_MARGIN_MS = 5 * 60_000;
/** How far either side of a dialog's creation (`updated − duration`) the v2 lookup of a Vertex dialog reads. */
export const DIALOG_LOOKUP_MARGIN_MS = 60_000;
/** How many dialog id → UUID pairings a client remembers. */
export const MAX_KNOWN_DIALOGS = 1_000;

export class BotoneClient {
  readonly apiVersion: 'v1' | 'v2';
  readonly botIds: readonly string[];
  /** The most list pages one listing reads per bot (`BotoneConfig.maxListPages`, src/providers/botone/stream.ts). */
  readonly maxListPages: number;
  private readonly http: UpstreamHttp;
  /**
   * Vertex takes no Basic auth: the integration token in the body is the credential. A separate
   * client without the header keeps the account password off requests that do not need it (and off
   * whatever external service a misconfigured Vertex URL would point at).
   */
  private readonly vertexHttp: UpstreamHttp;
  private readonly prefix: string;
  /** v2: integer dialog id → conversation UUID, as learned (see `conversationOfDialog`). */
  private readonly dialogUuids = new Map<number, string>();

  constructor(options: BotoneClientOptions) {
    const { config } = options;
    this.apiVersion = config.apiVersion;
    this.botIds = [...new Set(config.botIds)];
    this.maxListPages = config.maxListPages ?? BOTONE_DEFAULTS.maxListPages;
    this.prefix = `/api/${this.apiVersion}`;
    const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`, 'utf8').toString('base64')}`;
    const common = clientHttpOptions(PROVIDER, options);
    this.http = new UpstreamHttp({ ...common, headers: () => ({ authorization }) });
    this.vertexHttp = new UpstreamHttp(common);
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
    const key = attributionKey(attribution);
    return {
      // Once per list item (the same object while the page's bytes are unchanged) and attribution;
      // the page's array too, so an unchanged page costs one lookup, not one per item.
      items: mappedOnce(result, `page ${key}`, () => result.items.map((entry) => mappedOnce(entry, key, () => mapConversation(entry, attribution)))),
      total: result.meta.pagination.total,
      page,
      pageSize,
    };
  }

  /** `GET /api/v{1,2}/conversation/{id}` with its collected data; null on 404 or an id this version cannot have. */
  async getConversation(nativeId: string, attribution: Attribution): Promise<ConversationModel | null> {
    if (!this.isConversationId(nativeId)) return null;
    const entry = await nullIfNotFound(
      this.http.getJson(`${this.prefix}/conversation/${encodeURIComponent(nativeId)}`, botoneConversationDetailResponseSchema),
    );
    return entry ? mappedOnce(entry, attributionKey(attribution), () => mapConversation(entry, attribution)) : null;
  }

  /** The bytes of an uploaded file (`GET /api/v{1,2}/file/{id}`), streamed; NOT_FOUND for an id that is not an integer. */
  async fileStream(fileId: string): Promise<UpstreamStream> {
    if (!INT_RE.test(fileId)) {
      throw new BotgraphError(ErrorCode.NOT_FOUND, `${PROVIDER} has no such object.`, { provider: PROVIDER });
    }
    return this.http.stream(`${this.prefix}/file/${fileId}`);
  }

  // ---------------------------------------------------------------- writes
  //
  // Every write goes through `UpstreamHttp.send`: one attempt, never retried, because a vendor that
  // timed out may still have acted on it. That includes the GET create: it is a GET, but not safe.

  /** `POST /api/v2/conversation/{uuid}/send` `{body}` → 204: `text` as the operator. */
  async sendMessage(nativeId: string, text: string): Promise<void> {
    this.requireV2('send operator messages');
    await this.http.send('POST', this.conversationPath(nativeId, 'send'), null, { body: { body: text } });
  }

  /** `POST …/stop` (the bot stops, an operator takes over) or `POST …/start` (the bot takes it back) → 204. */
  async setHandoff(nativeId: string, toOperator: boolean): Promise<void> {
    this.requireV2(toOperator ? 'stop conversations' : 'start conversations');
    await this.http.send('POST', this.conversationPath(nativeId, toOperator ? 'stop' : 'start'), null);
  }

  /** `POST …/command` `{body: "goto <botId>"}` → `{message}`: moves the conversation to another bot. */
  async transferToBot(nativeId: string, botId: string): Promise<string | null> {
    this.requireV2('transfer conversations');
    // Checked before the path too: the id goes into a command string, where `1446 2` would mean something else.
    const bot = this.botIdParam(botId);
    const path = this.conversationPath(nativeId, 'command');
    const { data } = await this.http.send('POST', path, botoneCommandSchema, { body: { body: `goto ${bot}` } });
    return data?.message ?? null;
  }

  /**
   * Creates a conversation of `botId`. Not started: `GET …/dialog/{BotID}/create` (v1 or v2), which
   * answers the UUID only. Started: `POST /api/v2/dialog/{BotID}/create` with `response: true`, which
   * answers both ids; v1 has no such endpoint, so that is refused before any call.
   *
   * `idScope` is `[botId]` when the bot is configured, else `[]`: the same scope a list of the bot's
   * stream or a by-id read would give, so the new conversation has one global ID however it is found.
   */
  async createConversation(botId: string, variables: Record<string, unknown> | null, start: boolean): Promise<CreatedConversation> {
    if (start) this.requireV2('create and start a conversation in one call');
    const bot = this.botIdParam(botId);
    const idScope = this.botIds.includes(bot) ? [bot] : [];
    // The vendor takes variables as a JSON-encoded string, both in the query and in the POST body.
    const encoded = variables === null ? undefined : JSON.stringify(variables);
    const path = `${this.prefix}/dialog/${bot}/create`;
    if (start) {
      const body: Record<string, unknown> = { response: true };
      if (encoded !== undefined) body.variables = encoded;
      const { data } = await this.http.send('POST', path, botoneCreatedStartedSchema, { body });
      if (data === undefined) throw this.emptyAnswer();
      this.learnDialog(data.dialogId, data.dialogUUID);
      return { nativeId: data.dialogUUID, idScope, numericId: data.dialogId, uuid: data.dialogUUID };
    }
    // Clocks differ between botgraph and the vendor: the lookup's CreatedFrom allows five minutes.
    const createdSince = new Date(Date.now() - CREATE_LOOKUP_MARGIN_MS);
    const { data } = await this.http.send('GET', path, botoneCreatedSchema, { query: { variables: encoded } });
    if (data === undefined) throw this.emptyAnswer();
    const uuid = data.dialogId;
    if (this.apiVersion === 'v2') return { nativeId: uuid, idScope, numericId: null, uuid };
    // v1 answers a UUID that no v1 endpoint accepts; its reads need the integer id.
    const numericId = await this.findCreatedV1(bot, createdSince);
    return { nativeId: numericId === null ? uuid : String(numericId), idScope, numericId, uuid };
  }

  /**
   * The native id of the conversation a Vertex token's `diulog_id` names, for the configured API
   * (docs/providers/botone.md, "Custom blocks"). v1: the dialog id is the conversation id, no call.
   * v2: ids are UUIDs and no v2 endpoint takes the integer, so (a choice, the document is silent):
   * a pairing learned from `POST …/create` (which answers both ids) or an earlier lookup costs no
   * call; otherwise `GET /api/v1/conversation/{id}`, the one documented read by the integer id (the
   * instance serves v1 beside v2), gives its `name` (display number and city, "#108 Perm" on both
   * versions), `ip`, `updated` and `duration`, and the v2 list is searched for the one item with the
   * same `name` and `ip`: first around its creation (`updated − duration`, ± a minute, via
   * `CreatedFrom`/`CreatedTo`), then the whole list, at most MAX_CREATE_LOOKUP_PAGES pages each.
   * Null when the dialog is unknown, or no item (or more than one) matches.
   */
  async conversationOfDialog(dialogId: number): Promise<string | null> {
    if (this.apiVersion === 'v1') return String(dialogId);
    const known = this.dialogUuids.get(dialogId);
    if (known) return known;
    const v1 = await nullIfNotFound(this.http.getJson(`/api/v1/conversation/${dialogId}`, botoneConversationDetailResponseSchema));
    if (!v1 || v1.value.name === null) return null;
    const { name, ip, updated, duration } = v1.value;
    const created = updated !== null && duration !== null ? Date.parse(updated) - duration * 1000 : null;
    const windows: Array<{ CreatedFrom?: string; CreatedTo?: string }> = [];
    if (created !== null && Number.isFinite(created)) {
      const from = isoFrom(new Date(created - DIALOG_LOOKUP_MARGIN_MS));
      const to = isoTo(new Date(created + DIALOG_LOOKUP_MARGIN_MS));
      if (from !== undefined && to !== undefined) windows.push({ CreatedFrom: from, CreatedTo: to });
    }
    windows.push({});
    for (const window of windows) {
      const found = new Set<string>();
      for (let page = 1; page <= MAX_CREATE_LOOKUP_PAGES; page++) {
        const result = await this.http.getJson('/api/v2/conversations', botoneConversationListSchema, {
          query: { PageNumber: page, PageCount: MAX_PAGE_SIZE, ...window },
        });
        for (const { value } of result.items) {
          if (value.name === name && (ip === null || value.ip === null || value.ip === ip)) found.add(value.id.toLowerCase());
        }
        if (found.size > 0 || page * MAX_PAGE_SIZE >= result.meta.pagination.total) break;
      }
      if (found.size > 1) return null;
      const [uuid] = [...found];
      if (uuid !== undefined) {
        this.learnDialog(dialogId, uuid);
        return uuid;
      }
    }
    return null;
  }

  /** Remembers that dialog `dialogId` is the v2 conversation `uuid` (bounded: the oldest pairing goes first). */
  private learnDialog(dialogId: number, uuid: string): void {
    setBounded(this.dialogUuids, dialogId, uuid.toLowerCase(), MAX_KNOWN_DIALOGS);
  }

  /** Vertex `POST /api/vertex/v1/complete` `{token, data}` → 204: ends the external custom block. */
  async completeCustomBlock(token: string, data: unknown): Promise<void> {
    // `data: null` rather than an absent key, as in the vendor's example.
    await this.vertexHttp.send('POST', '/api/vertex/v1/complete', null, { body: { token, data: data ?? null } });
  }

  /** Vertex `POST /api/vertex/v1/dialog/send_message` `{token, text, typing}` → `{message_id, created_at}`. */
  async sendCustomBlockMessage(token: string, text: string, typing: boolean): Promise<{ messageId: string; createdAt: Date | null }> {
    const { data } = await this.vertexHttp.send('POST', '/api/vertex/v1/dialog/send_message', botoneVertexSentSchema, {
      body: { token, text, typing },
    });
    if (data === undefined) throw this.emptyAnswer();
    return { messageId: data.message_id, createdAt: data.created_at === null ? null : new Date(data.created_at * 1000) };
  }

  /**
   * The integer id of the conversation a v1 create just made, or null when it cannot be told. No v1
   * endpoint accepts the UUID the create answers, so the bot's list is searched, **assuming no
   * order**: `CreatedFrom` (exact, "по дате создания диалога") a few minutes before the create keeps
   * the list to what was made since, and of those the conversation is one with `updated: ""` (no
   * message yet) **and no IP**. `updated: ""` alone is not enough: the document's `""` item is a web
   * visitor (`"ip": "92.255.128.210"`, `"source": "web"`), and a visitor who opened the chat after the
   * create would have a higher id. A conversation made through the API has no respondent, so no IP
   * (the simulator's contract, docs/providers/botone.md). Of several candidates (concurrent creates
   * for the same bot) the highest id is taken: documented, not solvable on v1.
   */
  private async findCreatedV1(bot: string, since: Date): Promise<number | null> {
    // A vendor whose clock is far behind botgraph's lists nothing since then: search the whole list.
    return (await this.scanCreatedV1(bot, since)) ?? (await this.scanCreatedV1(bot, undefined));
  }

  private async scanCreatedV1(bot: string, since: Date | undefined): Promise<number | null> {
    let best: number | null = null;
    for (let page = 1; page <= MAX_CREATE_LOOKUP_PAGES; page++) {
      // No dedupe: an identical list already in flight may have been sent before the create.
      const result = await this.http.getJson(`${this.prefix}/conversations`, botoneConversationListSchema, {
        query: { BotID: bot, PageNumber: page, PageCount: MAX_PAGE_SIZE, CreatedFrom: isoFrom(since) },
        dedupe: false,
      });
      for (const item of result.items) {
        if (item.value.updated !== null || (item.value.ip ?? '') !== '' || !INT_RE.test(item.value.id)) continue;
        best = Math.max(best ?? 0, Number(item.value.id));
      }
      if (page * MAX_PAGE_SIZE >= result.meta.pagination.total) return best;
    }
    return best;
  }

  private requireV2(operation: string): void {
    if (this.apiVersion !== 'v2') {
      throw new BotgraphError(ErrorCode.UNSUPPORTED_BY_PROVIDER, `${PROVIDER} API v1 cannot ${operation}; it needs API v2.`, {
        provider: PROVIDER,
      });
    }
  }

  /** A v2 control path; an id that cannot be a v2 id cannot exist upstream, so no call is made for it. */
  private conversationPath(nativeId: string, action: 'send' | 'stop' | 'start' | 'command'): string {
    if (!UUID_RE.test(nativeId)) throw new BotgraphError(ErrorCode.NOT_FOUND, `${PROVIDER} has no such object.`, { provider: PROVIDER });
    return `/api/v2/conversation/${encodeURIComponent(nativeId)}/${action}`;
  }

  private botIdParam(botId: string): string {
    if (!INT_RE.test(botId)) {
      throw new BotgraphError(ErrorCode.BAD_USER_INPUT, `${PROVIDER} bot ids are integers.`, { provider: PROVIDER });
    }
    return botId;
  }

  private emptyAnswer(): BotgraphError {
    return new BotgraphError(ErrorCode.PROVIDER_BAD_RESPONSE, `${PROVIDER} answered with an unexpected shape.`, { provider: PROVIDER });
  }

  /** The cheapest authenticated read: one conversation of page 1. */
  async ping(): Promise<void> {
    await this.http.getJson(`${this.prefix}/conversations`, botoneConversationListSchema, {
      query: { PageNumber: 1, PageCount: 1 },
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.vertexHttp.close()]);
  }
}

/** What a mapped Bot.one conversation depends on besides its payload. */
function attributionKey(attribution: Attribution): string {
  return `${attribution.botNativeId ?? ''}|${attribution.idScope.join(',')}`;
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
