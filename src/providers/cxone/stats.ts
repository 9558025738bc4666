/**
 * CXone's part in analytics (docs/stats.md): the export embeds the whole tracker, so messages,
 * first response, intents and fallbacks come with the list at no extra cost; `total` counts a
 * created range in one call. The status is botgraph's derivation (not queryable), and it depends
 * on the clock: an ACTIVE conversation becomes INTERRUPTED 30 minutes after its last message.
 */
import type { ConversationModel } from '../../models.js';
import { baseSummary, messageMeasures } from '../../stats/summary.js';
import type { ConvSummary, ProviderStatsHooks } from '../../stats/types.js';
import { ACTIVE_WINDOW_MS } from './mapper.js';
import { MAX_PER_PAGE } from './client.js';

/** Rasa's fallback intents and actions (the vendor's example shows `nlu_fallback` on top of the ranking). */
const FALLBACKS = new Set(['nlu_fallback', 'core_fallback', 'action_default_fallback', 'action_core_fallback']);
/**
 * Small talk that opens or closes almost every conversation: counting it would make `greetings`
 * every conversation's intent. Used only when a conversation has nothing else.
 */
const SMALL_TALK = new Set(['greet', 'greetings', 'goodbye', 'bye', 'thanks', 'thankyou', 'agree', 'affirm', 'deny', 'disagree']);

function summarize(c: ConversationModel, stream: string): ConvSummary | null {
  const s = baseSummary(c, stream);
  if (s === null) return null;
  const { m, fr } = messageMeasures(c.embeddedMessages ?? []);
  s.m = m;
  s.fr = fr;
  s.mu = s.u;
  let turns = 0;
  let fallbacks = 0;
  const confidences: number[] = [];
  const intents = new Map<string, number>();
  for (const e of c.trackerEvents) {
    if (e.kind === 'user') {
      turns++;
      const top = e.intent?.name ?? null;
      if (top !== null) intents.set(top, (intents.get(top) ?? 0) + 1);
      if (top !== null && FALLBACKS.has(top)) fallbacks++;
      // The best real guess: below a fallback on top, the ranking keeps what the NLU thought.
      const best = [e.intent, ...e.intentRanking].find((i) => i && !FALLBACKS.has(i.name) && i.confidence !== null);
      if (best?.confidence !== undefined && best.confidence !== null) confidences.push(best.confidence);
    } else if (e.kind === 'action' && (FALLBACKS.has(e.name) || (e.actionType !== null && FALLBACKS.has(e.actionType)))) {
      fallbacks++;
    }
  }
  s.it = topIntent(intents);
  s.ut = turns;
  s.fb = Math.min(fallbacks, turns);
  s.cf = confidences;
  s.hf =
    s.hf ||
    c.trackerEvents.some((e) => e.kind === 'action' && (e.actionType === 'handover' || e.name === 'handover' || e.name === 'action_handover'));
  s.ia = c.status === 'ACTIVE' && s.u !== null ? s.u + ACTIVE_WINDOW_MS : null;
  return s;
}

/**
 * The conversation's intent: its most frequent top intent, leaving out fallbacks and small talk
 * unless there is nothing else; a tie goes to the earlier one (Map order is first occurrence).
 */
export function topIntent(counts: ReadonlyMap<string, number>): string | null {
  for (const skip of [(n: string) => FALLBACKS.has(n) || SMALL_TALK.has(n), (n: string) => FALLBACKS.has(n), () => false]) {
    let best: string | null = null;
    let most = 0;
    for (const [name, n] of counts) if (!skip(name) && n > most) [best, most] = [name, n];
    if (best !== null) return best;
  }
  return null;
}

export const cxoneStats: ProviderStatsHooks = {
  provider: 'CXONE',
  summarize,
  statusNow: (s, now) => (s.st === 'ACTIVE' && s.ia !== null && s.ia !== undefined && now > s.ia ? 'INTERRUPTED' : s.st),
  canCount: (byStatus) => !byStatus,
  countStatuses: [],
  pageSize: MAX_PER_PAGE,
  messages: 'listed',
  messageTimes: true,
  notes: [
    {
      provider: 'CXONE',
      measure: 'count',
      kind: 'exact',
      reason:
        "The export `total` counts a created range (`datetime`) in one call; statuses are botgraph's derivation from journey, handover and the clock, so by status the export is read (200 per call).",
    },
    {
      provider: 'CXONE',
      measure: 'messages, firstResponse, fallbackRate, intentConfidence, INTENT',
      kind: 'exact',
      reason: 'From the tracker the export embeds: no extra call.',
    },
    { provider: 'CXONE', measure: 'LOCATION', kind: 'unavailable', reason: 'The export has no location.' },
  ],
};
