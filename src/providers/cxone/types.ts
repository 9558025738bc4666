/**
 * The CXone Bot Builder export's payloads as zod schemas, shaped after the vendor document's example
 * response. Only what the mapper relies on is required; every object is loose so that fields CXone
 * adds later pass through into `raw`. Tracker events are deliberately one tolerant schema rather than
 * a closed union: Rasa has many event types, and one odd event must never fail a whole page.
 */
import { z } from 'zod';

/** The document types ids as "숫자?" (number?) but its example sends strings: accept both, keep a string. */
const idLike = z.union([z.string(), z.number()]).transform((v) => String(v));

/** A number, or a string of one: CXone's example mixes them, and `""` means "none". */
const loosenNumber = z.union([z.number(), z.string()]);

export const cxIntentSchema = z.looseObject({
  name: z.string(),
  confidence: z.number().nullable().optional(),
});
export type CxIntent = z.infer<typeof cxIntentSchema>;

export const cxQuickReplySchema = z.looseObject({
  title: z.string(),
  payload: z.string().nullable().optional(),
});

const cxPayloadSchema = z.looseObject({
  text: z.string().nullable().optional(),
  buttons: z.array(cxQuickReplySchema).nullable().optional(),
  quick_replies: z.array(cxQuickReplySchema).nullable().optional(),
});

export const cxParseDataSchema = z.looseObject({
  intent: cxIntentSchema.nullable().optional(),
  intent_ranking: z.array(cxIntentSchema).nullable().optional(),
  entities: z.unknown().optional(),
  text: z.string().nullable().optional(),
  message_id: z.string().nullable().optional(),
});

/**
 * Any tracker event. `event` and `timestamp` (float epoch seconds; the example's `slot` events carry
 * whole seconds) are all every event shares; the rest are the fields of the kinds botgraph maps,
 * optional so that an event of another kind with a same-named field still parses.
 */
export const cxEventSchema = z.looseObject({
  event: z.string(),
  timestamp: z.number(),
  metadata: z.unknown().optional(),
  // action, slot
  name: z.string().nullable().optional(),
  policy: z.string().nullable().optional(),
  confidence: z.number().nullable().optional(),
  type: z.string().nullable().optional(),
  value: z.unknown().optional(),
  // user, bot
  text: z.string().nullable().optional(),
  message_id: z.string().nullable().optional(),
  parse_data: cxParseDataSchema.nullable().optional(),
  data: z
    .looseObject({
      buttons: z.array(cxQuickReplySchema).nullable().optional(),
      quick_replies: z.array(cxQuickReplySchema).nullable().optional(),
      custom: z
        .looseObject({
          payload: cxPayloadSchema.nullable().optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});
export type CxEvent = z.infer<typeof cxEventSchema>;

export const cxConversationSchema = z.looseObject({
  /** When the conversation started, epoch ms. */
  timestamp: z.number(),
  conversationId: z.string().min(1),
  customer: z.looseObject({
    id: idLike,
    name: z.string().nullable().optional(),
  }),
  channel: z
    .looseObject({
      id: loosenNumber.nullable().optional(),
      name: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  isReviewed: z.boolean().nullable().optional(),
  conversationNumber: loosenNumber.nullable().optional(),
  /** Strings in the example; objects with a name are tolerated in case another tenant has them. */
  tags: z
    .array(z.union([z.string(), z.looseObject({ name: z.string() })]))
    .nullable()
    .optional(),
  notes: z.string().nullable().optional(),
  msgCount: z.number().nullable().optional(),
  customerMsgCount: z.number().nullable().optional(),
  botMsgCount: z.number().nullable().optional(),
  /** The time of the last message, epoch ms. Not in the document's field table, but in its example. */
  lastMessageAt: z.number().nullable().optional(),
  journey: z.string().nullable().optional(),
  transitions: z
    .array(z.looseObject({ name: z.string() }))
    .nullable()
    .optional(),
  tracker: z.looseObject({
    /** `<botId>-<conversationId>`: the only place a conversation names its bot. */
    name: z.string().nullable().optional(),
    events: z.array(cxEventSchema),
  }),
});
export type CxConversation = z.infer<typeof cxConversationSchema>;

/** One page of the export. An empty `data` ends the export. */
export const cxPageSchema = z.looseObject({
  data: z.array(cxConversationSchema),
  per_page: loosenNumber.nullable().optional(),
  total: z.number().nullable().optional(),
  count: z.number().nullable().optional(),
  path: z.string().nullable().optional(),
  next_page_url: z.string().nullable().optional(),
  scroll_id: z.string().nullable().optional(),
});
export type CxPage = z.infer<typeof cxPageSchema>;
