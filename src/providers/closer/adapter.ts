/** CLOSER Bot Builder as a botgraph provider: everything botgraph knows about it starts here. */
import { defineAdapter, implementedWrites } from '../types.js';
import { closerCacheTags } from './entityTags.js';
import { CloserDatasource } from './datasource.js';
import { CLOSER_ENV, parseCloserConfig, type CloserConfig } from './config.js';
import { CLOSER_READS, createCloserRuntime } from './index.js';
import { closerWebhookReceiver } from './webhook.js';

import { closerStats } from './stats.js';

export const closerAdapter = defineAdapter({
  stats: closerStats,
  name: 'CLOSER',
  slug: 'closer',
  label: 'CLOSER',
  config: {
    env: CLOSER_ENV,
    parse: parseCloserConfig,
    baseUrl: (config: CloserConfig) => config.baseUrl,
  },
  reads: CLOSER_READS,
  writes: implementedWrites(CloserDatasource.prototype),
  // docs/providers/closer.md: `text` 1–4,000 characters, tags of 1–50, notes up to 5,000.
  limits: { text: 4000, tag: 50, notes: 5000 },
  events: {
    reportsHandoffRequests: true,
    // `context.manual.updatedAt`: one handoff request keeps one key while the conversation goes on changing.
    handoffSince(conversation) {
      const at = (conversation.raw as { context?: { manual?: { updatedAt?: unknown } | null } | null } | null)?.context?.manual?.updatedAt;
      const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
      return Number.isNaN(ms) ? null : ms;
    },
  },
  endUserFields: {
    userKey: (raw) => {
      const value = (raw as Record<string, unknown> | null)?.userKey;
      return typeof value === 'string' ? value : null;
    },
    params: (raw) => (raw as { params?: unknown } | null)?.params ?? null,
  },
  webhook: closerWebhookReceiver,
  cacheTags: closerCacheTags,
  createRuntime: (options) => createCloserRuntime(options),
  example: `# CLOSER (Korean): bots, their flows, and conversations waiting for an operator.
query Closer {
  bots(providers: [CLOSER]) { id name flows { name } }
  conversations(first: 10, filter: { providers: [CLOSER], statuses: [WITH_OPERATOR] }) {
    nodes { id title status handoff channel tags endUser { name platform } messages(first: 10) { nodes { sender text createdAt } } }
  }
}
`,
  loadSimulator: () => import('./simulator/embed.js'),
});
