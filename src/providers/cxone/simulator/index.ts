/**
 * The NICE CXone Bot Builder conversation export, simulated in process: one read-only endpoint,
 * `GET /api/public/conversations`, authenticated by a per-bot export token in the query string, with
 * the `query` filter language, `perPage`, `timezone` and Elasticsearch-style scrolling.
 * Every choice the vendor leaves open is recorded in docs/providers/cxone.md.
 */
import { startActivity } from '../../../simulators/common/activity.js';
import type { BaseSimulatorOptions, SimulatorHandle } from '../../../simulators/common/options.js';
import { SimClock } from '../../../simulators/common/clock.js';
import { deriveRng } from '../../../simulators/common/rng.js';
import { startHttpSimulator } from '../../../simulators/common/server.js';
import { CXONE_DEMO_TOKENS } from '../demo.js';
import { CxoneActivity } from './activity.js';
import { exportRoutes, errorResponse } from './routes.js';
import { seedCxone } from './seed.js';
import { ConversationStore, ScrollRegistry } from './store.js';

/** The demo tokens, when none are given. */
export const DEFAULT_TOKENS = CXONE_DEMO_TOKENS;

export interface CxoneSimulatorOptions extends BaseSimulatorOptions {
  /**
   * Bot id → export token. A CXone export token belongs to exactly one bot, and the export only ever
   * returns that bot's conversations. The bots seeded are the keys of this map: the first is an IT
   * helpdesk, the second a bank, the third a travel agency (then the domains repeat). Bot `1327`
   * also holds the vendor document's example conversation. Tokens must be distinct.
   * @default {@link CXONE_DEMO_TOKENS}
   */
  tokens?: Record<string, string>;
  /** How long an unused scroll stays valid, in ms; each page fetched renews it. @default 300000 */
  scrollTtlMs?: number;
  /**
   * The time (epoch ms) scrolls expire by. A test passes its own to step past a TTL, or just short
   * of it, without waiting. @default Date.now
   */
  scrollClock?: () => number;
  /** How many conversations each bot's seeded history holds (besides the vendor example). @default 130 */
  conversationsPerBot?: number;
}

export interface CxoneSimulator extends SimulatorHandle {
  /** Bot id → export token, as in force. */
  tokens: Record<string, string>;
  /**
   * Plays one piece of live traffic right now (what `activity: true` does on a timer), for tests and
   * demos that need a change at a known moment.
   */
  tick(): { move: string; botId: string; conversationId: string };
  /** The simulated "now" (epoch ms): `now` at start plus the real time elapsed since. */
  clock(): number;
  /** The in-memory state, for tests that check botgraph's numbers against it (read it, do not write). */
  store: ConversationStore;
}

export async function startCxoneSimulator(options: CxoneSimulatorOptions = {}): Promise<CxoneSimulator> {
  const tokens = { ...(options.tokens ?? DEFAULT_TOKENS) };
  const tokenToBot = new Map<string, string>();
  for (const [botId, token] of Object.entries(tokens)) {
    if (!token) throw new Error(`cxone simulator: bot ${botId} has an empty token`);
    if (tokenToBot.has(token)) throw new Error(`cxone simulator: token of bot ${botId} is also used by bot ${tokenToBot.get(token)}`);
    tokenToBot.set(token, botId);
  }
  const seedValue = options.seed ?? 1;
  const startNow = options.now ?? Date.now();
  const simClock = new SimClock(startNow);
  const clock = () => simClock.now();

  const seeded = seedCxone({
    seed: seedValue,
    now: startNow,
    botIds: Object.keys(tokens),
    conversationsPerBot: options.conversationsPerBot ?? 130,
  });
  const store = new ConversationStore(seeded.bots);
  for (const { botId, conversation, progress } of seeded.conversations) store.put(botId, conversation, progress);
  const scrolls = new ScrollRegistry(options.scrollTtlMs ?? 300_000, options.scrollClock);

  let url = '';
  const server = await startHttpSimulator({
    name: 'cxone',
    routes: exportRoutes({ store, scrolls, tokenToBot, clock, baseUrl: () => url }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    admin: options.admin ?? false,
    faults: options.faults ?? {},
    errorResponse: (status, message, extraHeaders) => errorResponse(status, message, extraHeaders),
  });
  url = server.url;

  // Activity draws from its own stream so that turning it on never changes the seeded data.
  const live = new CxoneActivity(deriveRng(seedValue, 'activity'), store, clock);
  const stopActivity = options.activity ? startActivity(options.activityIntervalMs ?? 1000, () => void live.tick()) : () => {};

  return {
    url: server.url,
    port: server.port,
    faults: server.faults,
    stats: server.stats,
    tokens,
    tick: () => live.tick(),
    clock,
    store,
    async close() {
      stopActivity();
      await server.close();
    },
  };
}
