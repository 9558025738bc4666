/**
 * Bot.one's part in analytics (docs/stats.md, vendor document section 5 "Аналитика диалогов"): the
 * list filters by bot and created/updated range, and `meta.pagination.total` counts such a cell
 * in one call; it cannot filter by status, so statuses come from reading the list. Messages are
 * the collected data of a detail read (one per conversation) and carry no times.
 */
import type { ProviderDatasource } from '../../datasources/types.js';
import { baseSummary, conversationRef, messageMeasures } from '../../stats/summary.js';
import type { ConvSummary, ProviderStatsHooks } from '../../stats/types.js';
import { MAX_PAGE_SIZE } from './client.js';

export const botoneStats: ProviderStatsHooks = {
  provider: 'BOTONE',
  summarize: baseSummary,
  // A never-started conversation (`updated: ""`) has no time botgraph can place; any Updated
  // filter leaves it out upstream, so the count matches what a read would place.
  countQuery: (query) => ({ ...query, updatedFrom: query.updatedFrom ?? new Date(0) }),
  canCount: (byStatus) => !byStatus,
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
    { provider: 'BOTONE', measure: 'count', kind: 'exact', reason: 'meta.pagination.total of a one-item page counts a bot and created range; by status the list is read (100 per call), since Bot.one cannot filter by status.' },
    { provider: 'BOTONE', measure: 'createdAt', kind: 'exact', reason: 'Bot.one gives no creation time: it is `updated − duration`. Conversations never started (empty `updated`) have none and are not counted.' },
    { provider: 'BOTONE', measure: 'messages', kind: 'exact', reason: 'Derived from collected data: one detail read per conversation, within STATS_MAX_DETAIL_READS per query.' },
    { provider: 'BOTONE', measure: 'firstResponse', kind: 'unavailable', reason: 'Collected data carries no times.' },
    { provider: 'BOTONE', measure: 'fallbackRate, intentConfidence, INTENT', kind: 'unavailable', reason: 'Bot.one exposes no NLU data.' },
  ],
};
