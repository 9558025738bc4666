/**
 * An in-process simulator of the Bot.one API (v1, v2 and Vertex). botgraph starts it when no Bot.one
 * account is configured, and every test and benchmark talks to it over real HTTP. Its contract,
 * including every choice the vendor document leaves open, is docs/providers/botone.md.
 */
import { startActivity } from '../../../simulators/common/activity.js';
import type { BaseSimulatorOptions, SimulatorHandle } from '../../../simulators/common/options.js';
import { deriveRng } from '../../../simulators/common/rng.js';
import { startHttpSimulator } from '../../../simulators/common/server.js';
import { BOTONE_DEMO_PASSWORD, BOTONE_DEMO_USERNAME } from '../demo.js';
import { BotoneActivity } from './activity.js';
import { buildRoutes, errorResponse } from './routes.js';
import { seedBotone } from './seed.js';
import { BotoneStore, DEMO_VERTEX_TOKEN } from './store.js';
import { SimClock } from '../../../simulators/common/clock.js';

export { DEMO_VERTEX_TOKEN } from './store.js';
export { DEFAULT_PAGE_COUNT, MAX_PAGE_COUNT, MAX_MESSAGE_LENGTH } from './routes.js';

export interface BotoneSimulatorOptions extends BaseSimulatorOptions {
  /** The account login (e-mail) accepted by HTTP Basic auth. @default {@link BOTONE_DEMO_USERNAME} */
  username?: string;
  /** The account password accepted by HTTP Basic auth. @default {@link BOTONE_DEMO_PASSWORD} */
  password?: string;
}

export interface BotoneSimulator extends SimulatorHandle {
  /** The login (e-mail) for Basic auth. */
  username: string;
  /** The password for Basic auth. */
  password: string;
  /** The seeded bots' ids: [1446, 1447, 1448]. */
  botIds: number[];
  /**
   * The integration tokens of the external custom blocks running right now, for the Vertex endpoints.
   * Always starts with `vertex-demo-token` (bound to a seeded in-process conversation) until that block
   * is completed or its conversation ends.
   */
  vertexTokens(): string[];
  /** Blocks or unblocks the instance: while blocked, every endpoint answers 403 (the vendor's "блокировка инстанса"). */
  setInstanceBlocked(blocked: boolean): void;
  /** The in-memory state, for tests that check botgraph's numbers against it (read it, do not write). */
  store: BotoneStore;
}

export async function startBotoneSimulator(options: BotoneSimulatorOptions = {}): Promise<BotoneSimulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now();
  const username = options.username ?? BOTONE_DEMO_USERNAME;
  const password = options.password ?? BOTONE_DEMO_PASSWORD;

  // Writes after start-up draw from their own generator, so the seed is the same however the API is used.
  const store = new BotoneStore(new SimClock(now), deriveRng(seed, 'runtime'));
  seedBotone(store, seed, now);

  let baseUrl = '';
  const server = await startHttpSimulator({
    name: 'botone',
    routes: buildRoutes({ store, username, password, baseUrl: () => baseUrl }),
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    admin: options.admin ?? false,
    faults: options.faults ?? {},
    errorResponse,
  });
  baseUrl = server.url;

  const stopActivity = options.activity
    ? startActivity(options.activityIntervalMs ?? 1000, new BotoneActivity(store, deriveRng(seed, 'activity')).tick)
    : () => {};

  return {
    url: server.url,
    port: server.port,
    faults: server.faults,
    stats: server.stats,
    username,
    password,
    botIds: store.botIds(),
    store,
    vertexTokens: () => {
      const active = [...store.blocks.values()].filter((b) => b.active).map((b) => b.token);
      // The demo token first, so `vertexTokens()[0]` is the documented one while it lasts.
      return active.sort((a, b) => Number(b === DEMO_VERTEX_TOKEN) - Number(a === DEMO_VERTEX_TOKEN));
    },
    setInstanceBlocked: (blocked) => {
      store.blocked = blocked;
    },
    async close() {
      stopActivity();
      await server.close();
    },
  };
}
