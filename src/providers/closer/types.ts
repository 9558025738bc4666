/**
 * CLOSER's payloads as zod schemas. The vendor document gives no response detail, so the shapes are
 * the webhook objects CLOSER publishes plus the choices in docs/providers/closer.md. The schemas
 * require only what the mappers rely on and keep every other field (`z.looseObject`), so a vendor
 * that adds fields never breaks botgraph, while one that drops an id or a list is a
 * PROVIDER_BAD_RESPONSE instead of a crash further down.
 */
import { z } from 'zod';

/**
 * Times are ISO strings in our contract and epoch ms in the webhook payloads; accepting both costs
 * nothing and spares a PROVIDER_BAD_RESPONSE if the Open API turns out to send numbers.
 */
const time = z.union([z.string(), z.number()]).nullish();

/** `params` are free-form variables; anything but an object is treated as "none". */
const params = z.record(z.string(), z.unknown()).nullish().catch(null);

export const closerBotSchema = z.looseObject({
  id: z.string().min(1),
  title: z.string().nullish(),
  description: z.string().nullish(),
  createdAt: time,
  updatedAt: time,
  deletedAt: time,
});
export type CloserBot = z.infer<typeof closerBotSchema>;

export const closerFlowSchema = z.looseObject({
  id: z.string().min(1),
  botId: z.string().nullish(),
  title: z.string().nullish(),
  isDefault: z.boolean().nullish(),
  // The flow's nodes (a transfer may target one); an item without an id is dropped, not an error.
  nodes: z
    .array(z.unknown())
    .nullish()
    .transform((items) =>
      (items ?? []).flatMap((item) => {
        const parsed = z.looseObject({ id: z.string().min(1), title: z.string().nullish() }).safeParse(item);
        return parsed.success ? [parsed.data] : [];
      }),
    ),
});
export type CloserFlow = z.infer<typeof closerFlowSchema>;

export const closerEndUserSchema = z.looseObject({
  id: z.string().min(1),
  botId: z.string().nullish(),
  platform: z.string().nullish(),
  userKey: z.string().nullish(),
  params,
  lastMessageId: z.string().nullish(),
  lastConversationId: z.string().nullish(),
  createdAt: time,
  updatedAt: time,
});
export type CloserEndUser = z.infer<typeof closerEndUserSchema>;

const navigationPoint = z.looseObject({ flowId: z.string().nullish(), nodeId: z.string().nullish(), visitCount: z.number().nullish() }).nullish();

export const closerConversationSchema = z.looseObject({
  id: z.string().min(1),
  botId: z.string().nullish(),
  endUserId: z.string().nullish(),
  platform: z.string().nullish(),
  userKey: z.string().nullish(),
  params,
  // Status values stay plain strings: an unknown one maps to UNKNOWN, never to a validation error.
  context: z
    .looseObject({
      status: z.string().nullish(),
      manual: z.looseObject({ status: z.string().nullish(), updatedAt: time }).nullish(),
    })
    .nullish(),
  navigation: z.looseObject({ current: navigationPoint, prev: navigationPoint }).nullish(),
  tags: z.array(z.string()).nullish(),
  notes: z.string().nullish(),
  createdAt: time,
  updatedAt: time,
});
export type CloserConversation = z.infer<typeof closerConversationSchema>;

/** The answer of `GET`/`PUT /openapi/conversation/{id}/manual`. */
export const closerManualSchema = z.looseObject({
  conversationId: z.string().min(1),
  // A plain string, as in `context.manual`: a new state must not fail a write that went through.
  status: z.string(),
  updatedAt: time,
});
export type CloserManual = z.infer<typeof closerManualSchema>;

const closerMedia = z.looseObject({ contentType: z.string().nullish(), uri: z.string().nullish() });

export const closerCardSchema = z.looseObject({
  title: z.string().nullish(),
  description: z.string().nullish(),
  media: closerMedia.nullish(),
  uri: z.string().nullish(),
  buttons: z.array(z.looseObject({ title: z.string().nullish(), payload: z.string().nullish() })).nullish(),
});
export type CloserCard = z.infer<typeof closerCardSchema>;

export const closerMessageDataSchema = z.looseObject({
  // Kept a string so that a fifth message type is shown as text-less rather than rejected.
  type: z.string().nullish(),
  text: z.string().nullish(),
  media: closerMedia.nullish(),
  cards: z.array(closerCardSchema).nullish(),
  location: z.looseObject({ title: z.string().nullish(), latitude: z.number().nullish(), longitude: z.number().nullish() }).nullish(),
});
export type CloserMessageData = z.infer<typeof closerMessageDataSchema>;

export const closerMessageSchema = z.looseObject({
  id: z.string().min(1),
  botId: z.string().nullish(),
  endUserId: z.string().nullish(),
  conversationId: z.string().min(1),
  isUser: z.boolean(),
  meta: z.looseObject({ sender: z.looseObject({ userKey: z.string().nullish(), platform: z.string().nullish() }).nullish() }).nullish(),
  data: closerMessageDataSchema.nullish(),
  /** Epoch ms per the webhook docs; an ISO string is accepted too. */
  timestamp: time,
});
export type CloserMessage = z.infer<typeof closerMessageSchema>;

/** Every list answers `{data, total, page, limit}` (docs/providers/closer.md); page and limit are informative. */
export function closerPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    data: z.array(item),
    total: z.number().int().min(0),
    page: z.number().nullish(),
    limit: z.number().nullish(),
  });
}
export interface CloserPage<T> {
  data: T[];
  total: number;
}

export const closerBotPageSchema = closerPageSchema(closerBotSchema);
export const closerFlowPageSchema = closerPageSchema(closerFlowSchema);
export const closerEndUserPageSchema = closerPageSchema(closerEndUserSchema);
export const closerConversationPageSchema = closerPageSchema(closerConversationSchema);
export const closerMessagePageSchema = closerPageSchema(closerMessageSchema);

/** The vendor's largest page (docs/providers/closer.md: `limit` 1–100, else 400). */
export const CLOSER_MAX_LIMIT = 100;
