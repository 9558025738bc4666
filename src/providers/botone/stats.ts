/**
 * Bot.one's part in analytics (docs/stats.md, vendor document section 5 "Аналитика диалогов"): the
 * list filters by bot and created range; it cannot filter by status, and `meta.pagination.total` also
 * counts conversations that were never started (no time botgraph can place), so counts come from
 * reading the list. Messages are
 * the collected data of a detail read (one per conversation) and carry no times.
 */
import type { ProviderDatasource } from '../../datasources/types.js';
import { baseSummary, conversationRef, messageMeasures } from '../../stats/summary.js';
import type { ConvSummary, ProviderStatsHooks } from '../../stats/types.js';
import { MAX_PAGE_SIZE } from './client.js';

export const botoneStats: ProviderStatsHooks = {
  provider: 'BOTONE',
  summarize: baseSummary,
  // `meta.pagination.total` counts conversations botgraph cannot place (never started: no
  // `updated`, so no derived `createdAt`), so a vendor count would not match the read; and the
  // datasource reads a listing's every page at once anyway (src/providers/botone/stream.ts).
  canCount: () => false,
  // The first fetch of a listing reads every page of it (in parallel); later fetches cost nothing.
  fetchCalls: (offset, total) => (offset === 0 ? Math.max(1, Math.ceil(total / MAX_PAGE_SIZE)) : 0),
  countStatuses: [],
  pageSize: MAX_PAGE_SIZE,
  messages: 'read',
  messageTimes: false,
  async readMessages(ds: ProviderDatasource, s: ConvSummary) {
    // A ref without collected data makes the datasource do its one detail read.
    const page = await ds.listMessages(conversationRef(s), 0, 100_000);
    return { m: messageMeasures(page.items).m, fr: null, calls: 1 };
  },
  notes: [
    {
      provider: 'BOTONE',
      measure: 'count',
      kind: 'exact',
      reason:
        "The list is read (100 per call, a listing's pages at once): Bot.one cannot filter by status, and meta.pagination.total also counts never-started conversations, which have no time to place them by.",
    },
    {
      provider: 'BOTONE',
      measure: 'createdAt',
      kind: 'exact',
      reason:
        'Bot.one gives no creation time: it is `updated − duration`. Conversations never started (empty `updated`) have none and are not counted.',
    },
    {
      provider: 'BOTONE',
      measure: 'messages',
      kind: 'exact',
      reason: 'Derived from collected data: one detail read per conversation, within STATS_MAX_DETAIL_READS per query.',
    },
    { provider: 'BOTONE', measure: 'firstResponse', kind: 'unavailable', reason: 'Collected data carries no times.' },
    { provider: 'BOTONE', measure: 'fallbackRate, intentConfidence, INTENT', kind: 'unavailable', reason: 'Bot.one exposes no NLU data.' },
  ],
};
