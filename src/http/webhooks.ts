import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WebhookReceiver } from '../providers/types.js';
import { readBody, sendJson } from './body.js';

/**
 * `POST /webhooks/<provider>`: the HTTP side of every provider's webhook, the same for all. What a
 * batch means (and whether its sender may deliver) is the provider's receiver, in its own folder.
 */
export function webhookRoute(receiver: WebhookReceiver, logger: Logger) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    if (!receiver.authorize({ headers: req.headers, query: url.searchParams })) {
      return sendJson(res, 401, { error: 'missing or wrong webhook secret' });
    }
    const raw = await readBody(req, res, receiver.maxBodyBytes);
    if (raw === null) return sendJson(res, 413, { error: 'body too large' });
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const reply = receiver.receive(body);
    // Answered before publishing: a vendor that waits too long may disable the webhook.
    sendJson(res, reply.status, reply.body);
    await reply.after?.().catch((error) => logger.warn({ err: { message: (error as Error).message } }, 'webhook publishing failed'));
  };
}
