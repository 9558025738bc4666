/**
 * CLOSER's part in analytics (docs/stats.md): every filter of a stats query runs upstream, so one
 * `GET /openapi/conversations?limit=1` counts any (bot, status, created range) cell; messages
 * carry times but are one read per conversation (`GET …/message`), done only when asked for.
 */
import type { ProviderDatasource } from '../../datasources/types.js';
import { baseSummary, conversationRef, messageMeasures } from '../../stats/summary.js';
import type { ConvSummary, ProviderStatsHooks } from '../../stats/types.js';

/** Messages per read: CLOSER's largest page. */
const PAGE = 100;

export const closerStats: ProviderStatsHooks = {
  provider: 'CLOSER',
  summarize: baseSummary,
  // `status` and `manual` filters tell the four known statuses apart upstream; UNKNOWN is the rest.
  canCount: () => true,
  countStatuses: ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED'],
  pageSize: PAGE,
  messages: 'read',
  messageTimes: true,
  async readMessages(ds: ProviderDatasource, s: ConvSummary) {
    const ref = conversationRef(s);
    const all = [];
    let calls = 0;
    for (let offset = 0; ; offset += PAGE) {
      const page = await ds.listMessages(ref, offset, PAGE);
      calls++;
      all.push(...page.items);
      if (page.items.length < PAGE || all.length >= page.total) break;
    }
    return { ...messageMeasures(all), calls };
  },
  notes: [
    {
      provider: 'CLOSER',
      measure: 'count',
      kind: 'exact',
      reason: 'CLOSER filters by bot, status, manual state and created range upstream: one call per cell when counting is cheaper than reading.',
    },
    {
      provider: 'CLOSER',
      measure: 'messages, firstResponse',
      kind: 'exact',
      reason:
        'One message read per conversation (GET /openapi/conversation/{id}/message), within STATS_MAX_DETAIL_READS per query; cached until the conversation changes. Past the budget they cover `messages.conversations` conversations only.',
    },
    { provider: 'CLOSER', measure: 'fallbackRate, intentConfidence, INTENT', kind: 'unavailable', reason: 'CLOSER has no NLU data.' },
  ],
};
