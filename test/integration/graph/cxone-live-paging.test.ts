/**
 * CXone under live writes, paged by its export scroll (issue #11, "CXone paging under live writes").
 * The document: `scroll_id` is "단일 검색 요청에서 추가적인 결과 배치를 가져오는 데 사용되는 ID입니다"
 * (the ID used to fetch further batches of results *from a single search request*), so one export is
 * one search, and its later pages come from that search, whatever arrives after it
 * (docs/providers/cxone.md, "Scroll semantics": a point-in-time snapshot). Paging every CXone
 * conversation while the simulator's activity runs, and with more changes played between every two
 * pages, must list each conversation that existed at the first page exactly once.
 *
 * Two runs: the scroll lives (the normal path), and the scroll expires between every two pages, so
 * each continuation is a `410 scroll_expired` and a new export (the restart path).
 *
 * No fixed sleeps: between two pages the test plays changes itself (`tick()`) and waits for the
 * simulator's clock to pass the scroll's life.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { startTestBotgraph } from '../../helpers/botgraph.js';
import { cxoneRemoteEnv } from '../../helpers/remote-env.js';
import { waitFor } from '../../helpers/wait.js';
import { idParts } from './support.js';

const Q = `query($a: String) { conversations(first: 25, after: $a, filter: { providers: [CXONE] }) { pageInfo { hasNextPage endCursor } nodes { id updatedAt } } }`;
const sims: CxoneSimulator[] = [];
afterAll(() => Promise.all(sims.map((s) => s.close())));

async function pageUnderActivity(expireScrolls: boolean) {
  // A second: long enough for the scroll calls within one request (a restart reads up to the offset in pages of 200).
  const scrollTtlMs = expireScrolls ? 1_000 : 300_000;
  const cxone = await startCxoneSimulator({ port: 0, activity: true, activityIntervalMs: 40, scrollTtlMs });
  sims.push(cxone);
  const bg = await startTestBotgraph({
    BOTGRAPH_PROVIDERS: 'cxone',
    BOTGRAPH_AUTH: 'off',
    ...cxoneRemoteEnv(cxone),
    UPSTREAM_TIMEOUT_MS: '15000',
    UPSTREAM_TOTAL_BUDGET_MS: '30000',
  });
  const holding = () => {
    const out = new Map<string, number>();
    for (const bot of cxone.store.botIds()) for (const c of cxone.store.list(bot)) out.set(c.conversationId, c.lastMessageAt ?? 0);
    return out;
  };
  const before = holding();
  const listed: string[] = [];
  let after: string | null = null;
  let pages = 0;
  let played = 0;
  let lastPageAt = cxone.clock();
  for (;;) {
    if (pages > 0) {
      // Changes between every two pages: new conversations and turns that move old ones to the top.
      for (let i = 0; i < 3; i++) cxone.tick();
      played += 3;
      const since = lastPageAt;
      if (expireScrolls) await waitFor(() => cxone.clock() > since + scrollTtlMs, "the scroll's life to pass", 10_000, 5);
    }
    const res: any = await bg.gql(Q, { a: after });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    lastPageAt = cxone.clock();
    pages += 1;
    for (const n of res.data.conversations.nodes) listed.push(idParts(n.id).nativeId);
    if (!res.data.conversations.pageInfo.hasNextPage) break;
    after = res.data.conversations.pageInfo.endCursor;
    if (pages > 100) throw new Error('paging did not end');
  }
  const now = holding();
  const unique = new Set(listed);
  const figures = {
    pages,
    listed: listed.length,
    atFirstPage: before.size,
    movedWhilePaging: [...before].filter(([id, t]) => (now.get(id) ?? t) > t).length,
    newWhilePaging: now.size - before.size,
    playedBetweenPages: played,
    duplicates: listed.length - unique.size,
    missing: [...before.keys()].filter((id) => !unique.has(id)).length,
    upstreamCalls: cxone.stats.snapshot().total,
  };
  return figures;
}

describe('CXone paging under live writes', () => {
  it('the scroll lives: every conversation of the first page comes once, none twice', async () => {
    const f = await pageUnderActivity(false);
    console.info(`[measure] CXone live paging, scroll alive: ${JSON.stringify(f)}`);
    expect(f.movedWhilePaging).toBeGreaterThan(0);
    expect(f.duplicates).toBe(0);
    expect(f.missing).toBe(0);
  }, 120_000);

  it('the scroll expires between every two pages (410, then a new export): still once each, none twice', async () => {
    const f = await pageUnderActivity(true);
    console.info(`[measure] CXone live paging, scroll expired between pages: ${JSON.stringify(f)}`);
    expect(f.movedWhilePaging).toBeGreaterThan(0);
    expect(f.duplicates).toBe(0);
    expect(f.missing).toBe(0);
  }, 120_000);
});
