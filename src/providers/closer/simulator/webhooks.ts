/**
 * Webhook delivery as CLOSER does it: events gathered for a short window go out together in one
 * batch `{id, webhookId, webhookUrl, messages: [EVENT]}`, POSTed with `user-agent: CLOSER/webhook`
 * and no signature. A batch that does not get a 2xx is retried (3 times by default); when the last
 * retry fails too the webhook is disabled and further events are dropped, until a new URL is set.
 *
 * Batches go out one at a time and in order, so a receiver never sees a later change before an
 * earlier one, even while a batch is being retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { Rng } from '../../../simulators/common/rng.js';
import { objectId } from './ids.js';
import type { WebhookBatch, WebhookEvent } from './types.js';

export interface WebhookDispatcherOptions {
  url?: string;
  webhookId: string;
  batchMs: number;
  retryDelaysMs: readonly number[];
  /** Gives up on one attempt after this long without an answer. */
  timeoutMs: number;
  rng: Rng;
  /** The simulator's clock, so that batch ids sort with the event ids. */
  now: () => number;
}

export interface WebhookStatus {
  url?: string;
  disabled: boolean;
  /** Batches a receiver accepted with a 2xx. */
  delivered: number;
  /** Delivery attempts that got no 2xx (every retry counts). */
  failed: number;
}

export class WebhookDispatcher {
  private url: string | undefined;
  /** Extra request headers (botgraph's shared secret); never part of the URL, so never in a proxy log. */
  private headers: Record<string, string> = {};
  private disabled = false;
  private delivered = 0;
  private failed = 0;
  private pending: WebhookEvent[] = [];
  private readonly outbox: WebhookBatch[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private sending = false;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.url = options.url;
  }

  /** Points delivery at a new URL (or none). A new URL also re-enables a disabled webhook. */
  setUrl(url: string | undefined, headers: Record<string, string> = {}): void {
    this.url = url;
    this.headers = { ...headers };
    this.disabled = false;
    if (url === undefined) {
      this.pending = [];
      this.outbox.length = 0;
    }
  }

  status(): WebhookStatus {
    return {
      ...(this.url !== undefined ? { url: this.url } : {}),
      disabled: this.disabled,
      delivered: this.delivered,
      failed: this.failed,
    };
  }

  /** Queues one event; nothing is kept while no URL is set or the webhook is disabled. */
  enqueue(event: WebhookEvent): void {
    if (this.closed || this.url === undefined || this.disabled) return;
    this.pending.push(event);
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.cutBatch(), this.options.batchMs);
      this.batchTimer.unref();
    }
  }

  private cutBatch(): void {
    this.batchTimer = undefined;
    if (this.pending.length === 0 || this.url === undefined || this.disabled) return;
    const messages = this.pending;
    this.pending = [];
    this.outbox.push({
      id: objectId(this.options.now(), this.options.rng),
      webhookId: this.options.webhookId,
      webhookUrl: this.url,
      messages,
    });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.closed && !this.disabled && this.outbox.length > 0) {
        const batch = this.outbox[0] as WebhookBatch;
        const ok = await this.deliver(batch);
        if (this.outbox[0] === batch) this.outbox.shift();
        // A failure only disables the webhook it was meant for, not a URL set in the meantime.
        if (!ok && !this.closed && this.url === batch.webhookUrl) {
          // As CLOSER does: after the last retry fails the webhook is switched off.
          this.disabled = true;
          this.outbox.length = 0;
          this.pending = [];
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** One batch: the first attempt plus one retry per configured delay. */
  private async deliver(batch: WebhookBatch): Promise<boolean> {
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) {
        try {
          await sleep(delays[attempt - 1] as number, undefined, { signal: this.abort.signal, ref: false });
        } catch {
          return false; // closed while waiting
        }
      }
      if (this.closed) return false;
      if (await this.attempt(batch)) {
        this.delivered++;
        return true;
      }
      this.failed++;
    }
    return false;
  }

  private async attempt(batch: WebhookBatch): Promise<boolean> {
    try {
      const response = await request(batch.webhookUrl, {
        method: 'POST',
        headers: { ...this.headers, 'user-agent': 'CLOSER/webhook', 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      // The body is not used, but it must be read for the connection to be reused.
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch {
      return false; // refused, reset, timed out or aborted: all count as a failed attempt
    }
  }

  /** Stops batching, waiting and sending; events still queued are dropped. */
  close(): void {
    this.closed = true;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.pending = [];
    this.outbox.length = 0;
    this.abort.abort();
  }
}
