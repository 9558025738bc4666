/**
 * CLOSER's webhook batches (`POST /webhooks/closer`), as a receiver behind botgraph's generic webhook
 * route (`src/http/webhooks.ts`), which does the HTTP: method, size limit, JSON. CLOSER disables a
 * webhook after a few failed deliveries, so a valid batch is answered 200 at once and published
 * afterwards. CLOSER signs nothing; when `CLOSER_WEBHOOK_SECRET` is set the sender must present it
 * (header `x-botgraph-webhook-secret` only; required when CLOSER is REMOTE), which only proves the
 * sender knows the secret, not that it is CLOSER.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChangedEntity } from '../../events/bus.js';
import type { LiveEventSink, WebhookReceiver } from '../types.js';
import type { CloserConfig } from './config.js';
import { mapConversation, mapMessage } from './mapper.js';
import { closerConversationSchema, closerMessageSchema } from './types.js';

/** Which object each event about a bot, end user or deleted conversation names, and under which `data` key. */
const ENTITY_OF: Readonly<Record<string, readonly [ChangedEntity, string]>> = {
  'bot.conversation.deleted': ['conversation', 'conversation'],
  'bot.end_user.created': ['endUser', 'endUser'],
  'bot.end_user.updated': ['endUser', 'endUser'],
  'bot.end_user.deleted': ['endUser', 'endUser'],
  'bot.updated': ['bot', 'bot'],
  'bot.deleted': ['bot', 'bot'],
};

/** The largest webhook batch botgraph reads. */
const MAX_BODY_BYTES = 1_048_576;

/** CLOSER's documented batch: `{id, webhookId, webhookUrl, messages: [EVENT]}`. */
const batchSchema = z.looseObject({
  id: z.string().min(1),
  webhookId: z.string().optional(),
  webhookUrl: z.string().optional(),
  messages: z
    .array(
      z.looseObject({
        id: z.string().min(1),
        event: z.string().min(1),
        sourceType: z.string().optional(),
        sourceId: z.string().optional(),
        timestamp: z.number(),
        data: z.record(z.string(), z.unknown()),
      }),
    )
    .max(1000),
});
type WebhookEvent = z.infer<typeof batchSchema>['messages'][number];

/** Constant time over the hashes, so neither the length nor a prefix of the secret leaks through timing. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function closerWebhookReceiver(options: { config: CloserConfig; events: LiveEventSink; logger: Logger }): WebhookReceiver {
  const { events, logger } = options;
  const secret = options.config.webhookSecret;

  const publish = async (event: WebhookEvent) => {
    const data = event.data;
    switch (event.event) {
      case 'bot.conversation.created':
      case 'bot.conversation.updated':
      case 'bot.conversation.agent_call_requested':
      case 'bot.conversation.agent_call_connected':
      case 'bot.conversation.agent_call_cancelled':
      case 'bot.conversation.agent_call_disconnected': {
        const parsed = closerConversationSchema.safeParse(data.conversation);
        if (!parsed.success) {
          logger.warn({ event: event.event, id: event.id }, 'CLOSER webhook conversation did not match its schema; skipped');
          return;
        }
        const conversation = mapConversation(parsed.data);
        const reason = event.event === 'bot.conversation.created' ? 'created' : event.event === 'bot.conversation.updated' ? 'updated' : 'handoff';
        await events.conversation(conversation, reason);
        if (event.event === 'bot.conversation.agent_call_requested') await events.handoffRequested(conversation);
        return;
      }
      case 'bot.message.sent':
      case 'bot.message.received': {
        const parsed = closerMessageSchema.safeParse(data.message);
        if (!parsed.success) {
          logger.warn({ event: event.event, id: event.id }, 'CLOSER webhook message did not match its schema; skipped');
          return;
        }
        await events.message(mapMessage(parsed.data));
        return;
      }
      case 'bot.conversation.deleted':
      case 'bot.end_user.created':
      case 'bot.end_user.updated':
      case 'bot.end_user.deleted':
      case 'bot.updated':
      case 'bot.deleted': {
        // What botgraph caches of the object is stale (the entity cache drops it); a deleted
        // conversation also ends its live views. The object's id is all that is needed, and all
        // that is read: `data.{conversation | endUser | bot}.id`, else the bot events' `sourceId`.
        const [entity, key] = ENTITY_OF[event.event] as [ChangedEntity, string];
        const object = data[key] as { id?: unknown } | undefined;
        const nativeId = typeof object?.id === 'string' && object.id !== '' ? object.id : entity === 'bot' ? (event.sourceId ?? null) : null;
        if (nativeId === null) {
          logger.warn({ event: event.event, id: event.id }, 'CLOSER webhook event names no object; skipped');
          return;
        }
        const change = event.event.endsWith('.created') ? 'created' : event.event.endsWith('.deleted') ? 'deleted' : 'updated';
        await events.changed({ provider: 'CLOSER', entity, nativeId, change, at: event.timestamp });
        return;
      }
      default:
        logger.debug({ event: event.event }, 'CLOSER webhook event of an unknown type ignored');
    }
  };

  return {
    maxBodyBytes: MAX_BODY_BYTES,
    authorize({ headers }) {
      if (secret === null) return true;
      // The header only: a `?secret=` query parameter lands in proxy and access logs.
      const header = headers['x-botgraph-webhook-secret'];
      const given = Array.isArray(header) ? header[0] : header;
      return sameSecret(given, secret);
    },
    receive(body) {
      const batch = batchSchema.safeParse(body);
      if (!batch.success) {
        const issue = batch.error.issues[0];
        return { status: 400, body: { error: 'not a CLOSER webhook batch', at: issue?.path.join('.') ?? '' } };
      }
      return {
        status: 200,
        body: { received: batch.data.messages.length },
        async after() {
          for (const event of batch.data.messages) {
            await publish(event).catch((error) =>
              logger.warn({ err: { message: (error as Error).message }, event: event.event }, 'could not publish a CLOSER webhook event'),
            );
          }
        },
      };
    },
  };
}
