/**
 * The 16 CLOSER Open API endpoints, as docs/providers/closer.md defines them: `X-API-Key` auth,
 * `page`/`limit` pages, NestJS-style error bodies. Handlers validate, call the store, and shape
 * the answer; they hold no state of their own.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import type { SimRequest, SimResponse, SimRoute } from '../../../simulators/common/server.js';
import { CloserError, type CloserStore } from './store.js';
import { CONVERSATION_STATUSES, MANUAL_STATUSES, PLATFORMS, type Page } from './types.js';

/** `limit` when none is given, and its bounds. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The error body every failure carries: `{statusCode, error, message}`. */
export function closerError(status: number, message: string, extraHeaders?: Record<string, string>): SimResponse {
  return {
    status,
    json: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message },
    ...(extraHeaders ? { headers: extraHeaders } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Query parameters

/** A parameter given with an empty value is a mistake, not "no filter". */
function raw(q: URLSearchParams, name: string): string | undefined {
  const value = q.get(name);
  if (value === null) return undefined;
  if (value.trim() === '') throw new CloserError(400, `${name} must not be empty`);
  return value;
}

function paging(q: URLSearchParams): { page: number; limit: number } {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(q, name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) throw new CloserError(400, `${name} must be an integer from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new CloserError(400, `${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  return { page: int('page', 1, 1, Number.MAX_SAFE_INTEGER), limit: int('limit', DEFAULT_LIMIT, 1, MAX_LIMIT) };
}

function paged<T>(items: readonly T[], q: URLSearchParams): SimResponse {
  const { page, limit } = paging(q);
  const start = (page - 1) * limit;
  const body: Page<T> = { data: items.slice(start, start + limit), total: items.length, page, limit };
  return { status: 200, json: body };
}

/** ISO 8601 with a time and a zone, as the docs page demands; seconds and fractions optional. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Date.parse rolls `02-30` over into March and takes `24:00`; a real API would refuse them. */
function realCalendarTime(value: string): boolean {
  const [y, mo, d, h, mi, s] = [
    value.slice(0, 4),
    value.slice(5, 7),
    value.slice(8, 10),
    value.slice(11, 13),
    value.slice(14, 16),
    value.slice(17, 19),
  ].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  // Seconds are optional: without them, position 16 starts the zone.
  const secondsOk = value[16] !== ':' || s <= 59;
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h <= 23 && mi <= 59 && secondsOk;
}

function time(q: URLSearchParams, name: string): number | undefined {
  const value = raw(q, name);
  if (value === undefined) return undefined;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const ms = ISO_WITH_ZONE.test(value) && realCalendarTime(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new CloserError(400, `${name} must be an ISO 8601 date-time with a zone or epoch milliseconds`);
  return ms;
}

function range(q: URLSearchParams, fromName: string, toName: string): { from?: number; to?: number } {
  const from = time(q, fromName);
  const to = time(q, toName);
  if (from !== undefined && to !== undefined && from > to) throw new CloserError(400, `${fromName} is after ${toName}`);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** One value or a comma-separated list. */
function list(q: URLSearchParams, name: string): string[] | undefined {
  const value = raw(q, name);
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CloserError(400, `${name} has an empty item`);
  return items;
}

function enumList<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T[] | undefined {
  const items = list(q, name);
  if (items === undefined) return undefined;
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new CloserError(400, `${name} must be one of ${allowed.join(', ')} (got "${item}")`);
  }
  return items as T[];
}

function bool(q: URLSearchParams, name: string): boolean | undefined {
  const value = raw(q, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new CloserError(400, `${name} must be true or false`);
  return value === 'true';
}

function conversationFilter(q: URLSearchParams) {
  const created = range(q, 'createdFrom', 'createdTo');
  const updated = range(q, 'updatedFrom', 'updatedTo');
  const statuses = enumList(q, 'status', CONVERSATION_STATUSES);
  const manual = enumList(q, 'manual', MANUAL_STATUSES);
  const endUserId = raw(q, 'endUserId');
  return {
    ...(statuses ? { statuses } : {}),
    ...(manual ? { manual } : {}),
    ...(endUserId !== undefined ? { endUserId } : {}),
    ...(created.from !== undefined ? { createdFrom: created.from } : {}),
    ...(created.to !== undefined ? { createdTo: created.to } : {}),
    ...(updated.from !== undefined ? { updatedFrom: updated.from } : {}),
    ...(updated.to !== undefined ? { updatedTo: updated.to } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Bodies

const url = z.url({ protocol: /^https?$/ });
const media = z.object({ contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type'), uri: url }).strict();
const nonBlank = (max: number) => z.string().max(max).regex(/\S/, 'must not be blank');

/** MESSAGE.DATA as a client may send it. */
export const messageDataSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: nonBlank(4000) }).strict(),
  z.object({ type: z.literal('media'), media, text: z.string().max(4000).optional() }).strict(),
  z
    .object({
      type: z.literal('cards'),
      cards: z
        .array(
          z
            .object({
              title: nonBlank(200),
              description: z.string().max(1000).optional(),
              media: media.optional(),
              uri: url.optional(),
              buttons: z
                .array(z.object({ title: nonBlank(100), payload: z.string().max(1000) }).strict())
                .max(10)
                .optional(),
            })
            .strict(),
        )
        .min(1)
        .max(10),
      text: z.string().max(4000).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('location'),
      location: z
        .object({ title: z.string().max(200).optional(), latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
        .strict(),
    })
    .strict(),
]);

const conversationPatchSchema = z
  .object({
    tags: z.array(nonBlank(50)).max(50).optional(),
    notes: z.string().max(5000).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => b.tags !== undefined || b.notes !== undefined || b.params !== undefined, 'give at least one of tags, notes, params');

const manualSchema = z
  .object({
    status: z.enum(['HANDOVER', 'NONE'], { message: 'status must be HANDOVER or NONE (REQUESTED is set by the end user)' }),
  })
  .strict();

const navigationSchema = z.object({ flowId: nonBlank(100), nodeId: nonBlank(100).optional() }).strict();

const conversationMessageSchema = z.object({ data: messageDataSchema }).strict();
const endUserMessageSchema = z.object({ endUserId: nonBlank(100), data: messageDataSchema }).strict();

function body<T>(req: SimRequest, schema: z.ZodType<T>): T {
  if (req.bodyInvalid) throw new CloserError(400, 'request body is not valid JSON');
  if (req.body === undefined) throw new CloserError(400, 'a JSON request body is required');
  const result = schema.safeParse(req.body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new CloserError(400, `invalid body: ${where}${issue?.message ?? 'not accepted'}`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Routes

export function closerRoutes(store: CloserStore, apiKey: string): SimRoute[] {
  /** Wraps a handler with the key check and the error mapping; a stray exception becomes a plain 500. */
  const guarded =
    (handler: (req: SimRequest) => SimResponse) =>
    (req: SimRequest): SimResponse => {
      const key = req.headers['x-api-key'];
      if (key === undefined || key === '') return closerError(401, 'missing X-API-Key header');
      if (key !== apiKey) return closerError(401, 'invalid API key');
      try {
        return handler(req);
      } catch (error) {
        if (error instanceof CloserError) return closerError(error.status, error.message);
        return closerError(500, 'Internal Server Error');
      }
    };
  const route = (method: SimRoute['method'], pattern: string, handler: (req: SimRequest) => SimResponse): SimRoute => ({
    method,
    pattern,
    handler: guarded(handler),
  });
  const ok = (json: unknown, status = 200): SimResponse => ({ status, json });
  const manualView = (c: { id: string; context: { manual: { status: string; updatedAt: string } } }) => ({
    conversationId: c.id,
    status: c.context.manual.status,
    updatedAt: c.context.manual.updatedAt,
  });

  return [
    route('GET', '/openapi/bot', (req) => paged(store.listBots(), req.query)),
    route('GET', '/openapi/bot/:botId', (req) => ok(store.getBot(req.params.botId as string))),
    route('GET', '/openapi/bot/:botId/conversation', (req) => {
      const filter = conversationFilter(req.query);
      const botId = req.params.botId as string;
      store.getBot(botId);
      return paged(store.listConversations({ ...filter, botIds: [botId] }), req.query);
    }),
    route('GET', '/openapi/bot/:botId/flow', (req) => {
      const flows = store.listFlows(req.params.botId as string);
      return paged(flows, req.query);
    }),
    route('GET', '/openapi/conversation/:id', (req) => ok(store.getConversation(req.params.id as string))),
    route('PUT', '/openapi/conversation/:id', (req) => {
      const conv = store.getConversation(req.params.id as string);
      const patch = body(req, conversationPatchSchema);
      return ok(store.updateConversation(conv.id, patch));
    }),
    route('GET', '/openapi/conversation/:id/manual', (req) => ok(manualView(store.getConversation(req.params.id as string)))),
    route('PUT', '/openapi/conversation/:id/manual', (req) => {
      const conv = store.getConversation(req.params.id as string);
      const { status } = body(req, manualSchema);
      return ok(manualView(store.setManual(conv.id, status)));
    }),
    route('GET', '/openapi/conversation/:id/message', (req) => {
      const conv = store.getConversation(req.params.id as string);
      const { from, to } = range(req.query, 'from', 'to');
      return paged(
        store.listMessages({ conversationId: conv.id, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }),
        req.query,
      );
    }),
    route('POST', '/openapi/conversation/:id/message', (req) => {
      const conv = store.getConversation(req.params.id as string);
      const { data } = body(req, conversationMessageSchema);
      return ok(store.addMessage(conv.id, 'agent', data), 201);
    }),
    route('PUT', '/openapi/conversation/:id/navigation', (req) => {
      const conv = store.getConversation(req.params.id as string);
      const { flowId, nodeId } = body(req, navigationSchema);
      return ok(store.setNavigation(conv.id, flowId, nodeId));
    }),
    route('GET', '/openapi/conversations', (req) => {
      const filter = conversationFilter(req.query);
      const botIds = list(req.query, 'botId');
      return paged(store.listConversations({ ...filter, ...(botIds ? { botIds } : {}) }), req.query);
    }),
    route('GET', '/openapi/enduser/:id', (req) => ok(store.getEndUser(req.params.id as string))),
    route('GET', '/openapi/endusers', (req) => {
      const botIds = list(req.query, 'botId');
      const platforms = enumList(req.query, 'platform', PLATFORMS);
      const userKey = raw(req.query, 'userKey');
      return paged(
        store.listEndUsers({ ...(botIds ? { botIds } : {}), ...(platforms ? { platforms } : {}), ...(userKey !== undefined ? { userKey } : {}) }),
        req.query,
      );
    }),
    route('POST', '/openapi/message', (req) => {
      const { endUserId, data } = body(req, endUserMessageSchema);
      return ok(store.sendToEndUser(endUserId, data), 201);
    }),
    route('GET', '/openapi/messages', (req) => {
      const q = req.query;
      const { from, to } = range(q, 'from', 'to');
      const conversationId = raw(q, 'conversationId');
      const endUserId = raw(q, 'endUserId');
      const botIds = list(q, 'botId');
      const isUser = bool(q, 'isUser');
      return paged(
        store.listMessages({
          ...(conversationId !== undefined ? { conversationId } : {}),
          ...(endUserId !== undefined ? { endUserId } : {}),
          ...(botIds ? { botIds } : {}),
          ...(isUser !== undefined ? { isUser } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
        }),
        q,
      );
    }),
  ];
}
