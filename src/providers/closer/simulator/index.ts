/**
 * The CLOSER Bot Builder simulator: the 16 `/openapi` endpoints over seeded Korean customer-service
 * data, live traffic on demand, and webhooks delivered as CLOSER delivers them. The contract it
 * follows is docs/providers/closer.md.
 *
 * ```ts
 * const closer = await startCloserSimulator({ seed: 7, activity: true });
 * await fetch(`${closer.url}/openapi/bot`, { headers: { 'X-API-Key': closer.apiKey } });
 * closer.setWebhook('http://127.0.0.1:4000/webhooks/closer');
 * ```
 */
import { startActivity } from '../../../simulators/common/activity.js';
import type { BaseSimulatorOptions, SimulatorHandle } from '../../../simulators/common/options.js';
import { deriveRng } from '../../../simulators/common/rng.js';
import { startHttpSimulator } from '../../../simulators/common/server.js';
import { CLOSER_DEMO_API_KEY } from '../demo.js';
import { CloserActivity } from './activity.js';
import { closerError, closerRoutes } from './routes.js';
import { seedCloser } from './seed.js';
import { CloserStore } from './store.js';
import { WebhookDispatcher, type WebhookStatus } from './webhooks.js';

export type { WebhookStatus } from './webhooks.js';
export type * from './types.js';

/** The demo key the embedded simulator accepts when none is configured. */
export { CLOSER_DEMO_API_KEY } from '../demo.js';
/** The `webhookId` of every batch when none is configured. */
export const CLOSER_DEFAULT_WEBHOOK_ID = '65a1f0c2e4b0d1c2a3b4c5d6';

export interface CloserSimulatorOptions extends BaseSimulatorOptions {
  /** The key expected in the `X-API-Key` header. @default {@link CLOSER_DEMO_API_KEY} */
  apiKey?: string;
  /** Where webhook batches are POSTed; can be set later with `setWebhook`. @default undefined (no webhooks) */
  webhookUrl?: string;
  /** The `webhookId` carried by every batch. @default '65a1f0c2e4b0d1c2a3b4c5d6' */
  webhookId?: string;
  /** How long events are gathered before they go out as one batch, in ms. @default 100 */
  webhookBatchMs?: number;
  /**
   * The waits before each retry of a batch that got no 2xx; its length is the number of retries.
   * After the last one fails the webhook is disabled. CLOSER spreads 3 retries over 30 minutes;
   * the simulator keeps them short. @default [200, 1000, 5000]
   */
  webhookRetryDelaysMs?: number[];
  /** How long one delivery attempt may wait for an answer, in ms. @default 10000 */
  webhookTimeoutMs?: number;
}

export interface CloserSimulator extends SimulatorHandle {
  /** The key to send in `X-API-Key`. */
  apiKey: string;
  /** The seeded bots' ids, oldest first (the order of `GET /openapi/bot`). */
  botIds: string[];
  /**
   * Points webhook delivery at a URL, or turns it off with `undefined`. Setting a URL re-enables a
   * webhook that was disabled after failed retries. Only events after the call are delivered.
   */
  setWebhook(url: string | undefined, headers?: Record<string, string>): void;
  /** Where webhooks go, whether delivery was disabled, and the delivery counters. */
  webhookStatus(): WebhookStatus;
  /** The in-memory state, for tests that check botgraph's numbers against it (read it, do not write). */
  store: CloserStore;
  /**
   * Console-side changes the Open API cannot make, each emitting its webhook event (`bot.updated`,
   * `bot.deleted`, `bot.end_user.deleted`, `bot.conversation.deleted`); with the API writes and the
   * live activity, the simulator emits all 14 types. Unknown ids throw.
   */
  console: {
    updateBot(id: string, patch: { title?: string; description?: string }): void;
    deleteBot(id: string): void;
    deleteEndUser(id: string): void;
    deleteConversation(id: string): void;
  };
}

export async function startCloserSimulator(options: CloserSimulatorOptions = {}): Promise<CloserSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now();
  const apiKey = options.apiKey ?? CLOSER_DEMO_API_KEY;
  // Run-time randomness (new ids, live traffic) has its own generator so that it never shifts the seeded data.
  const runtimeRng = deriveRng(seed, 'runtime');

  const store = new CloserStore(seedCloser(seed, now), now, runtimeRng);
  const webhooks = new WebhookDispatcher({
    ...(options.webhookUrl !== undefined ? { url: options.webhookUrl } : {}),
    webhookId: options.webhookId ?? CLOSER_DEFAULT_WEBHOOK_ID,
    batchMs: options.webhookBatchMs ?? 100,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [200, 1000, 5000],
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    rng: runtimeRng,
    now: () => store.clock.now(),
  });
  store.onEvent((event) => webhooks.enqueue(event));

  const server = await startHttpSimulator({
    name: 'closer',
    routes: closerRoutes(store, apiKey),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.admin !== undefined ? { admin: options.admin } : {}),
    ...(options.faults !== undefined ? { faults: options.faults } : {}),
    errorResponse: closerError,
  });

  const activity = new CloserActivity(store, runtimeRng);
  const stopActivity = options.activity ? startActivity(options.activityIntervalMs ?? 1000, () => activity.tick()) : () => {};

  let closed = false;
  return {
    url: server.url,
    port: server.port,
    faults: server.faults,
    stats: server.stats,
    apiKey,
    botIds: store.listBots().map((b) => b.id),
    store,
    setWebhook: (url, headers) => webhooks.setUrl(url, headers),
    webhookStatus: () => webhooks.status(),
    console: {
      updateBot: (id, patch) => void store.updateBot(id, patch),
      deleteBot: (id) => void store.deleteBot(id),
      deleteEndUser: (id) => void store.deleteEndUser(id),
      deleteConversation: (id) => void store.deleteConversation(id),
    },
    async close() {
      if (closed) return;
      closed = true;
      stopActivity();
      webhooks.close();
      store.onEvent(undefined);
      await server.close();
    },
  };
}
