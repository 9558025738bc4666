/**
 * The Bot.one HTTP API: v1, v2 and Vertex, with the vendor's paths, status codes and quirks (keyed
 * lists, `updated: ""`, v2 `data` as a JSON string). Every choice the vendor document leaves open is
 * recorded in docs/providers/botone.md; change it there first.
 */
import type { SimHandler, SimRequest, SimResponse, SimRoute } from '../../../simulators/common/server.js';
import { botScript } from './scripts.js';
import { isUuid, type BotoneStore, type Conversation, type DataItem, type ListFilter } from './store.js';

export interface RouteContext {
  store: BotoneStore;
  username: string;
  password: string;
  /** The simulator's base URL; known only once the server listens, hence a function. */
  baseUrl: () => string;
}

/** Page size when `PageCount` is absent (the vendor examples show `per_page: 40`). */
export const DEFAULT_PAGE_COUNT = 40;
/** The largest accepted `PageCount`; above it the list answers 400. */
export const MAX_PAGE_COUNT = 100;
/** The longest operator message `/send` accepts. */
export const MAX_MESSAGE_LENGTH = 4096;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The vendor documents no error body; ours is `{code, error, message}` on every error. */
export function errorResponse(status: number, message: string, extraHeaders?: Record<string, string>): SimResponse {
  const headers: Record<string, string> = { ...extraHeaders };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="Bot.one API", charset="UTF-8"';
  return { status, json: { code: status, error: REASONS[status] ?? 'Error', message }, headers };
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `2023-05-22T08:11:54+00:00`, the vendor's format: UTC, whole seconds, numeric zone. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

// Extended ISO 8601: a date, optionally a time (seconds and fraction optional) and a zone. A `+` left
// unencoded in a query string arrives as a space, so a space is accepted where the `+` of a zone was.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+\- ]\d{2}(?::?\d{2})?)?)?$/i;

/** Parses a date filter; a date without time means the whole UTC day (its start for From, its end for To). */
export function parseDateParam(name: string, value: string, endOfDay: boolean): number {
  const m = ISO_RE.exec(value);
  const bad = () => new ApiError(400, `${name} must be an ISO 8601 date or date-time, e.g. 2023-05-01 or 2023-05-01T10:00:00+03:00`);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw bad();
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(t).getUTCDate() !== day) throw bad(); // 2023-02-30
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zh > 14 || zm > 59) throw bad();
    t -= sign * (zh * 60 + zm) * 60_000;
  }
  if (h === undefined && endOfDay) t += 86_400_000 - 1;
  return t;
}

function queryParam(req: SimRequest, name: string): string | undefined {
  const value = req.query.get(name);
  // An empty parameter (`BotID=`) is treated as absent, as a form-built URL sends it.
  return value === null || value === '' ? undefined : value;
}

function intParam(req: SimRequest, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = queryParam(req, name);
  if (raw === undefined) return undefined;
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new ApiError(400, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

function renderData(c: Conversation, base: string): Array<Record<string, unknown>> {
  return c.data.map((item: DataItem) => {
    const out: Record<string, unknown> = {
      question: item.question,
      type: item.type,
      answer: item.fileId !== undefined ? `${base}/web/file/${item.fileId}` : item.answer,
      variable: item.variable,
    };
    if (item.deleted !== undefined) out.deleted = item.deleted;
    return out;
  });
}

function summary(ctx: RouteContext, c: Conversation, version: 1 | 2): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: version === 1 ? c.id : c.uuid,
    name: `#${c.number} ${c.location}`,
    status: c.status,
    ip: c.ip,
    location: c.location,
    updated: c.updatedAt === null ? '' : formatTime(c.updatedAt),
    duration: ctx.store.durationSeconds(c),
  };
  if (version === 2) out.source = c.source;
  return out;
}

function detail(ctx: RouteContext, c: Conversation, version: 1 | 2): Record<string, unknown> {
  const data = renderData(c, ctx.baseUrl());
  // v1 sends the collected data as an array; v2 as a JSON-encoded string, as the vendor's example shows ("[]").
  return { ...summary(ctx, c, version), data: version === 1 ? data : JSON.stringify(data) };
}

function list(ctx: RouteContext, req: SimRequest, version: 1 | 2): SimResponse {
  const filter: ListFilter = {};
  const botId = intParam(req, 'BotID', 0);
  if (botId !== undefined) filter.botId = botId;
  const page = intParam(req, 'PageNumber', 1) ?? 1;
  const perPage = intParam(req, 'PageCount', 1, MAX_PAGE_COUNT) ?? DEFAULT_PAGE_COUNT;
  const dates: Array<[keyof ListFilter, string, boolean]> = [
    ['createdFrom', 'CreatedFrom', false],
    ['createdTo', 'CreatedTo', true],
    ['updatedFrom', 'UpdatedFrom', false],
    ['updatedTo', 'UpdatedTo', true],
  ];
  for (const [key, name, end] of dates) {
    const raw = queryParam(req, name);
    if (raw !== undefined) filter[key] = parseDateParam(name, raw, end);
  }

  const all = ctx.store.list(filter);
  const totalPages = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const body: Record<string, unknown> = {};
  items.forEach((c, i) => {
    body[String(i)] = summary(ctx, c, version);
  });
  const link = (n: number) => {
    const url = new URL(`${ctx.baseUrl()}${req.path}`);
    for (const [k, v] of req.query) url.searchParams.append(k, v);
    url.searchParams.set('PageNumber', String(n));
    return url.toString();
  };
  const links: Record<string, string> = {};
  if (page > 1) links.previous = link(Math.min(page - 1, totalPages));
  if (page < totalPages) links.next = link(page + 1);
  body.meta = {
    pagination: { total: all.length, count: items.length, per_page: perPage, current_page: page, total_pages: totalPages, links },
  };
  return { status: 200, json: body };
}

function findV1(ctx: RouteContext, raw: string): Conversation {
  const c = /^\d{1,15}$/.test(raw) ? ctx.store.get(Number(raw)) : undefined;
  if (!c) throw new ApiError(404, `Conversation ${raw} not found`);
  return c;
}

function findV2(ctx: RouteContext, raw: string): Conversation {
  const c = isUuid(raw) ? ctx.store.getByUuid(raw) : undefined;
  if (!c) throw new ApiError(404, `Conversation ${raw} not found`);
  return c;
}

function findBot(raw: string): number {
  const bot = /^\d{1,15}$/.test(raw) ? botScript(Number(raw)) : undefined;
  if (!bot) throw new ApiError(404, `Bot ${raw} not found`);
  return bot.id;
}

/** Stop, start, send and command need a conversation that is still running. */
function assertOpen(c: Conversation): void {
  if (c.status === 'completed' || c.status === 'interrupted') {
    throw new ApiError(403, `Conversation ${c.uuid} is ${c.status}`);
  }
}

function parseVariables(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ApiError(400, 'variables must be a JSON object, e.g. {"name":"Dasha"}');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'variables must be a JSON object, e.g. {"name":"Dasha"}');
  }
  return parsed as Record<string, unknown>;
}

function parseBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ApiError(400, `${name} must be true or false`);
}

function jsonBody(req: SimRequest, required: boolean): Record<string, unknown> {
  if (req.bodyInvalid) throw new ApiError(400, 'The request body is not valid JSON');
  if (req.body === undefined && !required) return {};
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new ApiError(400, 'The request body must be a JSON object');
  }
  return req.body as Record<string, unknown>;
}

function fileResponse(ctx: RouteContext, raw: string): SimResponse {
  const file = /^\d{1,15}$/.test(raw) ? ctx.store.files.get(Number(raw)) : undefined;
  if (!file || file.deleted) throw new ApiError(404, `File ${raw} not found`);
  return {
    status: 200,
    body: file.bytes,
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.bytes.length),
      'content-disposition': `attachment; filename="${file.fileName}"`,
    },
  };
}

function guard(run: () => SimResponse): SimResponse {
  try {
    return run();
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.message);
    throw error;
  }
}

function checkBasicAuth(ctx: RouteContext, req: SimRequest): void {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) throw new ApiError(401, 'Basic authorization with the account e-mail and password is required');
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== ctx.username || decoded.slice(colon + 1) !== ctx.password) {
    throw new ApiError(401, 'Invalid login or password');
  }
}

function assertInstanceOpen(ctx: RouteContext): void {
  if (ctx.store.blocked) throw new ApiError(403, 'The instance is blocked');
}

export function buildRoutes(ctx: RouteContext): SimRoute[] {
  const { store } = ctx;
  /** Basic auth (401), then the instance (403), then the handler. */
  const basic =
    (handler: (req: SimRequest) => SimResponse): SimHandler =>
    (req) =>
      guard(() => {
        checkBasicAuth(ctx, req);
        assertInstanceOpen(ctx);
        return handler(req);
      });
  /** Vertex: no Basic auth; the integration token in the body is the credential. */
  const vertex =
    (handler: (req: SimRequest) => SimResponse): SimHandler =>
    (req) =>
      guard(() => {
        assertInstanceOpen(ctx);
        return handler(req);
      });

  const createNotStarted = (req: SimRequest) => {
    const botId = findBot(req.params.botId as string);
    const variables = parseVariables(queryParam(req, 'variables'));
    const c = store.create(botId, variables, false);
    return { status: 200, json: { dialogId: c.uuid } };
  };

  const vertexBlock = (body: Record<string, unknown>) => {
    const token = body.token;
    if (typeof token !== 'string' || token === '') throw new ApiError(400, 'token is required');
    const block = store.blocks.get(token);
    if (!block || !block.active) throw new ApiError(403, 'The token is invalid or the custom block has finished');
    return block;
  };

  const sendMessage = (req: SimRequest): SimResponse => {
    const body = jsonBody(req, true);
    if (typeof body.text !== 'string' || body.text.trim() === '') throw new ApiError(400, 'text is required');
    if (body.typing !== undefined && typeof body.typing !== 'boolean') throw new ApiError(400, 'typing must be true or false');
    const block = vertexBlock(body);
    const sent = store.vertexSend(block, body.text);
    return { status: 200, json: { message_id: sent.messageId, created_at: sent.createdAt } };
  };

  return [
    { method: 'GET', pattern: '/api/v1/conversations', handler: basic((req) => list(ctx, req, 1)) },
    {
      method: 'GET',
      pattern: '/api/v1/conversation/:id',
      handler: basic((req) => ({ status: 200, json: detail(ctx, findV1(ctx, req.params.id as string), 1) })),
    },
    { method: 'GET', pattern: '/api/v1/dialog/:botId/create', handler: basic(createNotStarted) },
    { method: 'GET', pattern: '/api/v1/file/:fileId', handler: basic((req) => fileResponse(ctx, req.params.fileId as string)) },

    { method: 'GET', pattern: '/api/v2/conversations', handler: basic((req) => list(ctx, req, 2)) },
    {
      method: 'GET',
      pattern: '/api/v2/conversation/:uuid',
      handler: basic((req) => ({ status: 200, json: detail(ctx, findV2(ctx, req.params.uuid as string), 2) })),
    },
    { method: 'GET', pattern: '/api/v2/dialog/:botId/create', handler: basic(createNotStarted) },
    {
      method: 'POST',
      pattern: '/api/v2/dialog/:botId/create',
      handler: basic((req) => {
        const botId = findBot(req.params.botId as string);
        const body = jsonBody(req, false);
        // The vendor's example sends both query and body; the body wins where both are given.
        const response = parseBoolean('response', body.response ?? queryParam(req, 'response')) ?? false;
        const variables = parseVariables(body.variables !== undefined ? body.variables : queryParam(req, 'variables'));
        const c = store.create(botId, variables, true);
        return { status: 200, json: response ? { dialogId: c.id, dialogUUID: c.uuid } : {} };
      }),
    },
    {
      method: 'POST',
      pattern: '/api/v2/conversation/:uuid/stop',
      handler: basic((req) => {
        const c = findV2(ctx, req.params.uuid as string);
        assertOpen(c);
        store.stop(c);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: '/api/v2/conversation/:uuid/start',
      handler: basic((req) => {
        const c = findV2(ctx, req.params.uuid as string);
        assertOpen(c);
        store.start(c);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: '/api/v2/conversation/:uuid/send',
      handler: basic((req) => {
        const c = findV2(ctx, req.params.uuid as string);
        const text = jsonBody(req, true).body;
        if (typeof text !== 'string' || text.trim() === '') throw new ApiError(400, 'body is required: the text of the message');
        if (text.length > MAX_MESSAGE_LENGTH) throw new ApiError(400, `body is longer than ${MAX_MESSAGE_LENGTH} characters`);
        assertOpen(c);
        store.sendOperator(c, text);
        return { status: 204 };
      }),
    },
    {
      method: 'POST',
      pattern: '/api/v2/conversation/:uuid/command',
      handler: basic((req) => {
        const c = findV2(ctx, req.params.uuid as string);
        const command = jsonBody(req, true).body;
        const m = typeof command === 'string' ? /^\s*goto\s+(\d{1,15})\s*$/i.exec(command) : null;
        const target = m ? botScript(Number(m[1])) : undefined;
        if (!target) throw new ApiError(400, 'body must be "goto <botId>" with the id of an existing bot');
        assertOpen(c);
        store.goto(c, target.id);
        return { status: 200, json: { message: 'Goto command complete' } };
      }),
    },
    { method: 'GET', pattern: '/api/v2/file/:fileId', handler: basic((req) => fileResponse(ctx, req.params.fileId as string)) },

    {
      method: 'POST',
      pattern: '/api/vertex/v1/complete',
      handler: vertex((req) => {
        // The document lists one error for complete: "403 Bad Request — Проблема с подключением к
        // инстансу или диалогу… невалидным токеном…" (no 400, unlike send_message), so a body it
        // cannot use is that 403 too.
        try {
          const body = jsonBody(req, true);
          store.vertexComplete(vertexBlock(body), body.data);
        } catch (error) {
          if (error instanceof ApiError && error.status === 400) throw new ApiError(403, error.message);
          throw error;
        }
        return { status: 204 };
      }),
    },
    { method: 'POST', pattern: '/api/vertex/v1/dialog/send_message', handler: vertex(sendMessage) },
    // The vendor's overview table names this shorter path for the same method.
    { method: 'POST', pattern: '/api/vertex/v1/send_message', handler: vertex(sendMessage) },

    // Our addition: the file URLs found in `data` answers (`…/web/file/{id}`) download too.
    { method: 'GET', pattern: '/web/file/:fileId', handler: basic((req) => fileResponse(ctx, req.params.fileId as string)) },
  ];
}
