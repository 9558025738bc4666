import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { mapConversation, mapMessage } from '../providers/closer/mapper.js';
import { closerConversationSchema, closerMessageSchema } from '../providers/closer/types.js';
import type { EventBus } from '../events/bus.js';
import { readBody, sendJson } from './body.js';
import { dedupeKeys } from '../subscriptions/version.js';

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

/**
 * `POST /webhooks/closer`. CLOSER disables a webhook after a few failed deliveries, so this answers
 * 200 as soon as the batch is valid and publishes afterwards. CLOSER signs nothing; when
 * `CLOSER_WEBHOOK_SECRET` is set (config requires it when CLOSER is REMOTE) the sender must present
 * it in the header `x-botgraph-webhook-secret`, which proves the sender knows the secret, not that
 * it is CLOSER. A `?secret=` query parameter is not accepted: URLs land in proxy and access logs.
 */
export function closerWebhookHandler(options: { bus: EventBus; secret: string | null; logger: Logger }) {
  const { bus, secret, logger } = options;

  const publish = async (event: WebhookEvent) => {
    const at = Date.now();
    const data = event.data as Record<string, unknown>;
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
        await bus.publish({ kind: 'conversation', provider: 'CLOSER', conversation, reason, at }, dedupeKeys.conversation(conversation));
        if (event.event === 'bot.conversation.agent_call_requested') {
          await bus.publish({ kind: 'handoffRequested', provider: 'CLOSER', conversation, at }, dedupeKeys.handoffRequested(conversation));
        }
        return;
      }
      case 'bot.message.sent':
      case 'bot.message.received': {
        const parsed = closerMessageSchema.safeParse(data.message);
        if (!parsed.success) {
          logger.warn({ event: event.event, id: event.id }, 'CLOSER webhook message did not match its schema; skipped');
          return;
        }
        const message = mapMessage(parsed.data);
        await bus.publish({ kind: 'message', provider: 'CLOSER', message, at }, dedupeKeys.message(message));
        return;
      }
      default:
        // Bot and end-user events change nothing a subscription shows.
        logger.debug({ event: event.event }, 'CLOSER webhook event ignored');
    }
  };

  return async (req: IncomingMessage, res: ServerResponse, _url: URL): Promise<void> => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    if (secret !== null) {
      const header = req.headers['x-botgraph-webhook-secret'];
      const given = Array.isArray(header) ? header[0] : header;
      if (!sameSecret(given, secret)) return sendJson(res, 401, { error: 'missing or wrong webhook secret' });
    }
    const raw = await readBody(req, res, MAX_BODY_BYTES);
    if (raw === null) return sendJson(res, 413, { error: 'body too large' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const batch = batchSchema.safeParse(body);
    if (!batch.success) {
      const issue = batch.error.issues[0];
      return sendJson(res, 400, { error: 'not a CLOSER webhook batch', at: issue?.path.join('.') ?? '' });
    }
    sendJson(res, 200, { received: batch.data.messages.length });
    for (const event of batch.data.messages) {
      await publish(event).catch((error) => logger.warn({ err: { message: (error as Error).message }, event: event.event }, 'could not publish a CLOSER webhook event'));
    }
  };
}
