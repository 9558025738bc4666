/**
 * Bot.one's raw payloads as zod schemas (the TS types are `z.infer`red from them). They check what
 * the mapper relies on, let unknown fields through, and absorb the documented quirks: lists are
 * objects keyed "0", "1", … beside `meta`; `updated` may be `""`; v2's `data` is a JSON-encoded
 * string while v1's is an array; v1 ids are integers, v2 ids UUIDs.
 */
import { z } from 'zod';

/** Ids are integers in v1 and UUIDs in v2; both become strings so the rest of botgraph sees one type. */
const idSchema = z.union([z.string().min(1), z.number().int()]).transform((id) => String(id));

/** Text fields the vendor may omit or null; numbers are tolerated because PHP back ends emit them. */
const looseText = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((value) => (value === null || value === undefined ? null : String(value)));

/** `updated` is ISO 8601, or `""` for a conversation that has no activity yet (the v2 list example). */
const updatedSchema = z
  .union([z.string(), z.null()])
  .optional()
  .refine((value) => value === null || value === undefined || value.trim() === '' || !Number.isNaN(Date.parse(value)), {
    message: 'not an ISO 8601 date',
  })
  .transform((value) => (value === null || value === undefined || value.trim() === '' ? null : value));

export const botoneDataItemSchema = z.looseObject({
  question: looseText,
  type: looseText,
  answer: looseText,
  variable: looseText,
  /** Only some items carry it in the vendor examples; absent means not deleted. */
  deleted: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
});
export type BotoneDataItem = z.infer<typeof botoneDataItemSchema>;

const dataArraySchema = z.array(botoneDataItemSchema);

/**
 * v2 sends `data` as a JSON-encoded string (`"[]"`), v1 as an array; either is accepted in either
 * version because nothing is lost by tolerating the other. A string that is not JSON, or JSON that
 * is not an array of items, fails the parse (PROVIDER_BAD_RESPONSE), never a crash.
 */
export const botoneDataSchema = z.union([
  dataArraySchema,
  z
    .string()
    .transform((text, ctx) => {
      if (text.trim() === '') return [];
      try {
        const parsed: unknown = JSON.parse(text);
        return parsed === null ? [] : parsed;
      } catch {
        ctx.issues.push({ code: 'custom', message: 'data is a string that is not JSON', input: text });
        return z.NEVER;
      }
    })
    .pipe(dataArraySchema),
  z.null().transform(() => [] as BotoneDataItem[]),
]);

export const botoneConversationSchema = z.looseObject({
  id: idSchema,
  /** Display number plus city (`"#337 Perm"`), not an id. */
  name: looseText,
  status: looseText,
  ip: looseText,
  location: looseText,
  updated: updatedSchema,
  /** Seconds. */
  duration: z
    .number()
    .nullish()
    .transform((value) => value ?? null),
  /** v2 only. */
  source: looseText,
});
export type BotoneConversation = z.infer<typeof botoneConversationSchema>;

export const botoneConversationDetailSchema = botoneConversationSchema.extend({
  /** Absent is read as "nothing collected" rather than an error: the list fields are still usable. */
  data: botoneDataSchema.optional().transform((value) => value ?? []),
});
export type BotoneConversationDetail = z.infer<typeof botoneConversationDetailSchema>;

/** A normalised payload beside the vendor's untouched object, so that models keep `raw` as sent. */
export interface WithRaw<T> {
  value: T;
  raw: unknown;
}

/** Validates with `schema` but also hands back the input as it came, before any normalising transform. */
export function keepRaw<S extends z.ZodType>(schema: S): z.ZodType<WithRaw<z.output<S>>> {
  return z.unknown().transform((input, ctx): WithRaw<z.output<S>> => {
    const result = schema.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input });
      }
      return z.NEVER;
    }
    return { value: result.data, raw: input };
  });
}

export const botoneConversationDetailResponseSchema = keepRaw(botoneConversationDetailSchema);

export const botonePaginationSchema = z.looseObject({
  total: z.number().int().min(0),
  count: z.number().int().min(0).optional(),
  per_page: z.number().int().min(0).optional(),
  current_page: z.number().int().min(0).optional(),
  total_pages: z.number().int().min(0).optional(),
});
export type BotonePagination = z.infer<typeof botonePaginationSchema>;

const listShape = z.object({
  items: z.array(keepRaw(botoneConversationSchema)),
  meta: z.looseObject({ pagination: botonePaginationSchema }),
});

const DIGITS = /^\d+$/;

/**
 * The list answer: `{"0": {...}, "1": {...}, "meta": {"pagination": {...}}}`. Digit keys become the
 * items in numeric order (not key order: JSON objects promise none); `meta` is kept apart; any other
 * key is ignored.
 */
export const botoneConversationListSchema = z
  .record(z.string(), z.unknown())
  .transform((object) => ({
    items: Object.keys(object)
      .filter((key) => DIGITS.test(key))
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => object[key]),
    meta: object.meta,
  }))
  .pipe(listShape);
export type BotoneConversationList = z.infer<typeof botoneConversationListSchema>;

// ---------------------------------------------------------------- write answers

/** `GET …/dialog/{BotID}/create` (v1 and v2): the new conversation's UUID only, even on v1. */
export const botoneCreatedSchema = z.looseObject({ dialogId: z.string().min(1) });

/**
 * `POST /api/v2/dialog/{BotID}/create` with `response: true`: the integer id and the UUID. The
 * integer is tolerated as a digit string, as PHP back ends sometimes send ids.
 */
export const botoneCreatedStartedSchema = z.looseObject({
  dialogId: z.union([z.number().int(), z.string().regex(/^\d{1,15}$/)]).transform((id) => Number(id)),
  dialogUUID: z.string().min(1),
});

/** `POST …/command`: `{"message": "Goto command complete"}`; a missing message is no reason to fail a write that happened. */
export const botoneCommandSchema = z.looseObject({ message: looseText });

/** Vertex `send_message`: `{"message_id": 123, "created_at": 1669947527}` (epoch seconds). */
export const botoneVertexSentSchema = z.looseObject({
  message_id: z.union([z.number().int(), z.string().min(1)]).transform((id) => String(id)),
  created_at: z
    .number()
    .nullish()
    .transform((value) => value ?? null),
});
