/**
 * Paging the whole merged list while every simulator's live activity runs (issue #11, "Paging under
 * live writes"): every conversation that existed when the first page was asked for comes at least
 * once, and none twice. CLOSER's per-bot streams page by keyset on (`updatedAt`, id) with
 * `updatedTo` and catch up at their end with `updatedFrom`/`createdTo` (docs/providers/closer.md:
 * "every `…From`/`…To` … bound is **inclusive**"); Bot.one's streams page by keyset over their
 * sorted snapshot; CXone's follow their export's scroll (a point-in-time export) and restart after
 * their keyset when it is gone (test/integration/graph/cxone-live-paging.test.ts).
 *
 * No fixed sleeps: between two pages the test waits until the activity has written something.
 */
import { describe, expect, it } from 'vitest';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { startTestBotgraph } from '../../helpers/botgraph.js';
import { waitFor } from '../../helpers/wait.js';
import { idParts, PROVIDERS } from './support.js';

const Q = `query($a: String) { conversations(first: 100, after: $a) { pageInfo { hasNextPage endCursor } nodes { id updatedAt } } }`;

describe('paging the merged list under live activity', () => {
  it('lists every conversation that existed at the first page at least once and none twice', async () => {
    const bg = await startTestBotgraph({ SIMULATOR_ACTIVITY: 'true', SIMULATOR_ACTIVITY_INTERVAL_MS: '40' });
    const closer = bg.sim('CLOSER') as CloserSimulator;
    const botone = bg.sim('BOTONE') as BotoneSimulator;
    const cxone = bg.sim('CXONE') as CxoneSimulator;
    /** What each simulator holds right now, as provider:nativeId (Bot.one on API v2: the UUID). */
    const holding = () => {
      const out = new Map<string, number>();
      for (const c of closer.store.listConversations({})) out.set(`CLOSER:${c.id}`, Date.parse(c.updatedAt));
      for (const c of botone.store.list({})) out.set(`BOTONE:${c.uuid}`, c.updatedAt ?? 0);
      for (const bot of cxone.store.botIds()) for (const c of cxone.store.list(bot)) out.set(`CXONE:${c.conversationId}`, c.lastMessageAt ?? 0);
      return out;
    };
    const writes = () => closer.store.counts().messages;

    const before = holding();
    const listed: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let jumped = 0;
    for (;;) {
      if (pages > 0) {
        // Something changed upstream since the last page (CLOSER's activity writes messages).
        const seen = writes();
        await waitFor(() => writes() > seen, 'CLOSER activity between two pages', 20_000);
        // And one CLOSER conversation the list has not reached yet moves to the top: the oldest, edited
        // (docs/providers/closer.md: "Every write moves the object's `updatedAt` forward").
        const listedNow = new Set(listed);
        const oldest = closer.store
          .listConversations({})
          .reverse()
          .find((c) => before.has(`CLOSER:${c.id}`) && !listedNow.has(`CLOSER:${c.id}`));
        if (oldest) {
          const res = await fetch(`${closer.url}/openapi/conversation/${oldest.id}`, {
            method: 'PUT',
            headers: { 'x-api-key': closer.apiKey, 'content-type': 'application/json' },
            body: JSON.stringify({ notes: `moved while paged (${pages})` }),
          });
          expect(res.status).toBe(200);
          jumped += 1;
        }
      }
      const res: any = await bg.gql(Q, { a: after });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const c = res.data.conversations;
      pages += 1;
      for (const n of c.nodes) {
        const { provider, nativeId } = idParts(n.id);
        listed.push(`${provider}:${nativeId}`);
      }
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
      if (pages > 100) throw new Error('paging did not end');
    }
    const now = holding();
    const unique = new Set(listed);
    const duplicates = listed.length - unique.size;
    const missing = [...before.keys()].filter((id) => !unique.has(id));
    // Conversations that existed at the first page and were written to while the list was paged.
    const moved = [...before].filter(([id, t]) => (now.get(id) ?? t) > t).length;
    const byProvider = (ids: string[]) => Object.fromEntries(PROVIDERS.map((p) => [p, ids.filter((id) => id.startsWith(`${p}:`)).length]));
    console.info(
      `live paging: ${pages} pages, ${listed.length} listed, ${before.size} at the first page, ${moved} of them moved while paging ` +
        `(${jumped} not yet listed CLOSER ones moved to the top); ` +
        `duplicates ${duplicates}, missing ${missing.length} ${JSON.stringify(byProvider(missing))}`,
    );
    // The test exercised moves: the activity touched conversations while the list was paged.
    expect(moved).toBeGreaterThan(0);
    expect(jumped).toBeGreaterThan(5);
    expect(duplicates).toBe(0);
    expect(missing).toEqual([]);
    // Nothing listed that no simulator holds (the identities match the stores').
    expect(listed.filter((id) => !now.has(id))).toEqual([]);
  }, 120_000);
});
