/**
 * The one endpoint of the export API, `GET /api/public/conversations`, and the error body.
 * Order of checks: token (401), then either the scroll (400 / 410) or the search parameters (400).
 */
import { STATUS_CODES } from 'node:http';
import type { SimRequest, SimResponse, SimRoute } from '../../../simulators/common/server.js';
import { isTimeZone, offsetAt } from '../../../stats/time.js';
import { compileQuery, parseQuery, QueryError, type Predicate } from './query.js';
import { ScrollRegistry, type ConversationStore } from './store.js';
import type { CxConversation, CxErrorBody, CxPage } from './types.js';

export const EXPORT_PATH = '/api/public/conversations';
export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 200;

/** The error body the vendor does not document: `{status, error, message}`, `error` a stable snake_case code. */
export function errorResponse(status: number, message: string, extraHeaders?: Record<string, string>, code?: string): SimResponse {
  const body: CxErrorBody = {
    status,
    error:
      code ??
      (STATUS_CODES[status] ?? 'error')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_|_$/g, ''),
    message,
  };
  return { status, json: body, headers: { 'cache-control': 'no-cache, private', ...extraHeaders } };
}

export interface RouteContext {
  store: ConversationStore;
  scrolls: ScrollRegistry;
  /** Export token → bot id. */
  tokenToBot: ReadonlyMap<string, string>;
  /** The simulated "now" (epoch ms) the data and relative times are measured against. */
  clock: () => number;
  /** The simulator's own base URL, used when a request carries no Host header. */
  baseUrl: () => string;
}

function pathFor(req: SimRequest, ctx: RouteContext): string {
  // Laravel builds `path` from the request's own host, so a client behind a proxy sees its own URL.
  const host = req.headers.host;
  return `${host ? `http://${host}` : ctx.baseUrl()}${EXPORT_PATH}`;
}

/**
 * The document, `timezone`: "응답에서 타임스탬프의 기본 시간대는 UTC입니다. 타임스탬프를 다른 시간대로 변환하려면
 * 이 매개변수를 사용하여 새로운 시간대를 지정합니다." (the response's timestamps are in UTC by default; to
 * convert them to another zone, name it here). The timestamps are epoch numbers, so converting one
 * means shifting it by the zone's offset at that instant: the wall time in the zone, written as if
 * it were UTC (our reading; the document does not show a converted value). This applies to
 * `timestamp`, `lastMessageAt` (ms) and every tracker event's `timestamp` (s).
 */
export function inZone(c: CxConversation, zone: string): CxConversation {
  if (zone === 'UTC') return c;
  const ms = (t: number) => t + offsetAt(t, zone);
  return {
    ...c,
    timestamp: ms(c.timestamp),
    lastMessageAt: ms(c.lastMessageAt),
    tracker: {
      ...c.tracker,
      events: c.tracker.events.map((e) =>
        typeof e.timestamp === 'number' ? { ...e, timestamp: e.timestamp + offsetAt(e.timestamp * 1000, zone) / 1000 } : e,
      ),
    },
  };
}

function page(path: string, items: readonly CxConversation[], offset: number, perPage: number, key: string, zone: string): CxPage {
  const data = items.slice(offset, offset + perPage).map((c) => inZone(c, zone));
  const nextId = ScrollRegistry.id(key, offset + data.length);
  return {
    data,
    per_page: perPage,
    total: items.length,
    count: data.length,
    path,
    // The document: next_page_url is "다음 데이터 페이지가 있는 경우 해당 페이지의 URL입니다" (the URL of
    // the next page, if there is one), so the last page has none. scroll_id is always given (an
    // Elasticsearch scroll): fetching it after the last page gives the empty page that ends the export.
    next_page_url: offset + data.length < items.length ? `${path}?scrollId=${encodeURIComponent(nextId)}` : null,
    scroll_id: nextId,
  };
}

const ok = (body: CxPage): SimResponse => ({ status: 200, json: body, headers: { 'cache-control': 'no-cache, private' } });

export function exportRoutes(ctx: RouteContext): SimRoute[] {
  const handler = (req: SimRequest): SimResponse => {
    const token = req.query.get('token');
    if (!token) return errorResponse(401, 'Missing token: pass the bot\'s export token as the "token" query parameter.', undefined, 'unauthorized');
    const botId = ctx.tokenToBot.get(token);
    if (botId === undefined) return errorResponse(401, 'Invalid token.', undefined, 'unauthorized');
    const path = pathFor(req, ctx);

    const camel = req.query.get('scrollId') || undefined;
    const snake = req.query.get('scroll_id') || undefined;
    if (camel && snake && camel !== snake) {
      return errorResponse(400, 'scrollId and scroll_id were both given with different values; send one.', undefined, 'invalid_parameter');
    }
    const scrollId = camel ?? snake;
    if (scrollId) {
      // A scroll continues its original search: query, perPage and timezone sent with it are ignored.
      const found = ctx.scrolls.lookup(scrollId, ctx.scrolls.now());
      if (found.kind === 'ok' && found.context.botId === botId) {
        const key = (ScrollRegistry.parse(scrollId) as { key: string }).key;
        return ok(page(path, found.context.items, found.offset, found.context.perPage, key, found.context.zone));
      }
      if (found.kind === 'expired') {
        return errorResponse(410, 'The scroll has expired; start the export again without scrollId.', undefined, 'scroll_expired');
      }
      return errorResponse(410, 'Unknown scroll id for this token; start the export again without scrollId.', undefined, 'scroll_unknown');
    }

    const perPageRaw = req.query.get('perPage');
    let perPage = DEFAULT_PER_PAGE;
    if (perPageRaw !== null && perPageRaw !== '') {
      if (!/^\d{1,6}$/.test(perPageRaw) || Number(perPageRaw) < 1 || Number(perPageRaw) > MAX_PER_PAGE) {
        return errorResponse(400, `perPage must be an integer from 1 to ${MAX_PER_PAGE}; got '${perPageRaw}'.`, undefined, 'invalid_parameter');
      }
      perPage = Number(perPageRaw);
    }
    const zone = req.query.get('timezone') || 'UTC';
    if (!isTimeZone(zone)) {
      return errorResponse(400, `Unknown timezone '${zone}'; use an IANA zone name such as UTC or Europe/Prague.`, undefined, 'invalid_parameter');
    }
    let predicate: Predicate | undefined;
    try {
      const ast = parseQuery(req.query.get('query') ?? '');
      predicate = ast && compileQuery(ast, ctx.clock(), zone);
    } catch (error) {
      if (error instanceof QueryError) return errorResponse(400, `Invalid query: ${error.message}`, undefined, 'invalid_query');
      throw error;
    }
    const all = ctx.store.list(botId);
    const items = predicate ? all.filter(predicate) : all.slice();
    const key = ctx.scrolls.open(botId, items, perPage, ctx.scrolls.now(), zone);
    return ok(page(path, items, 0, perPage, key, zone));
  };
  return [{ method: 'GET', pattern: EXPORT_PATH, handler }];
}
