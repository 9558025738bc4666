/**
 * Stats under a scoped key (CLOSER whole, Bot.one bot 1446): `conversationStats` and
 * `conversationStatsChanged` count only what is in scope, on HTTP and over graphql-ws, equal to a
 * brute-force count over the in-scope part of the simulators' stores; an out-of-scope change never
 * reaches a scoped dashboard, while the same dashboard unscoped sees it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor } from '../../helpers/live.js';
import { KEYS, gqlAs, sha256Hex, wsAs } from '../security/support.js';
import { allTruth, type Truth } from './truth.js';

const SCOPED = 'scoped-stats-viewer-key-0123456789';
const BOTONE_BOT = '1446';
const DAY = 86_400_000;
const inScope = (t: Pick<Truth, 'provider' | 'bot'>) => t.provider === 'CLOSER' || (t.provider === 'BOTONE' && t.bot === BOTONE_BOT);
const botId = (provider: string, nativeId: string) => Buffer.from(`b1|${provider}|Bot|${nativeId}`).toString('base64url');

const STATS = `query($f: ConversationFilter, $g: [StatsDimension!]) {
  conversationStats(filter: $f, groupBy: $g) { total exact groups { key { provider bot { nativeId } status } count exact handoffCount completionRate } } }`;
const SUB = `subscription($g: [StatsDimension!]) {
  conversationStatsChanged(groupBy: $g) { total exact groups { key { provider status } count } } }`;

let bg: TestBotgraph;
const clients: Client[] = [];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-stats-scope-'));
  const file = join(dir, 'keys');
  writeFileSync(file, `dashboard viewer ${sha256Hex(SCOPED)} CLOSER,BOTONE:${BOTONE_BOT}\n`);
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: `admin:${KEYS.admin}`, BOTGRAPH_API_KEYS_FILE: file });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
});

/** Brute-force counts per key over the in-scope truth created in [from, now]. */
function expected(from: number, key: (t: Truth) => string, filter: (t: Truth) => boolean = inScope): Map<string, Truth[]> {
  const now = Date.now();
  const out = new Map<string, Truth[]>();
  for (const t of allTruth(bg)) if (filter(t) && t.created >= from && t.created <= now) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}

async function activeConversation(filter: Record<string, unknown>): Promise<{ id: string }> {
  const res = await gqlAs(bg, KEYS.admin, `query($f: ConversationFilter) { conversations(first: 1, filter: $f) { nodes { id } } }`, {
    f: { statuses: ['ACTIVE'], createdFrom: new Date(Date.now() - 20 * DAY).toISOString(), ...filter },
  });
  expect(res.errors).toBeUndefined();
  const [c] = res.data.conversations.nodes;
  expect(c, JSON.stringify(filter)).toBeDefined();
  return c;
}

describe('conversationStats under a scoped key', () => {
  it('over HTTP: groups and total equal the brute force over the in-scope part of the stores only', async () => {
    const from = Date.now() - 30 * DAY;
    const res = await gqlAs(bg, SCOPED, STATS, { g: ['PROVIDER', 'BOT', 'STATUS'] });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const s = res.data.conversationStats;
    const truth = expected(from, (t) => JSON.stringify([t.provider, t.bot, t.status]));
    const all = expected(
      from,
      (t) => t.provider,
      () => true,
    );
    expect(s.exact).toBe(true);
    expect(s.total).toBe([...truth.values()].reduce((n, list) => n + list.length, 0));
    // The scope hides something real: CXone and Bot.one's other bots.
    expect(s.total).toBeLessThan([...all.values()].reduce((n, list) => n + list.length, 0));
    expect(new Map(s.groups.map((g: any) => [JSON.stringify([g.key.provider, g.key.bot.nativeId, g.key.status]), g.count]))).toEqual(
      new Map([...truth].map(([k, list]) => [k, list.length])),
    );
    for (const g of s.groups) {
      const members = truth.get(JSON.stringify([g.key.provider, g.key.bot.nativeId, g.key.status]))!;
      expect(g.handoffCount).toBe(members.filter((t) => t.handedOff).length);
    }
    // The same query unscoped sees more; one that names only what is outside the scope sees nothing.
    const admin = await gqlAs(bg, KEYS.admin, STATS, { g: ['PROVIDER'] });
    expect(admin.data.conversationStats.total).toBe([...all.values()].reduce((n, list) => n + list.length, 0));
    for (const f of [{ providers: ['CXONE'] }, { botIds: [botId('BOTONE', '1447')] }]) {
      const outside = await gqlAs(bg, SCOPED, STATS, { f, g: ['PROVIDER'] });
      expect(outside.errors, JSON.stringify(f)).toBeUndefined();
      expect(outside.data.conversationStats, JSON.stringify(f)).toMatchObject({ total: 0, groups: [] });
    }
  });

  it('over graphql-ws: the first result counts only the scope; an out-of-scope change is never pushed, an in-scope one is', async () => {
    const from = Date.now() - 30 * DAY;
    const scopedWs = wsAs(bg, SCOPED);
    const adminWs = wsAs(bg, KEYS.admin);
    clients.push(scopedWs, adminWs);
    const variables = { g: ['PROVIDER', 'STATUS'] };
    const scoped = collect<any>(scopedWs, SUB, variables);
    const admin = collect<any>(adminWs, SUB, variables);
    await scoped.waitFor((e) => e.length >= 1, 'the scoped first result');
    await admin.waitFor((e) => e.length >= 1, 'the unscoped first result');
    const truth = expected(from, (t) => JSON.stringify([t.provider, t.status]));
    const first = scoped.events[0];
    expect(first.total).toBe([...truth.values()].reduce((n, list) => n + list.length, 0));
    expect(new Map(first.groups.map((g: any) => [JSON.stringify([g.key.provider, g.key.status]), g.count]))).toEqual(
      new Map([...truth].map(([k, list]) => [k, list.length])),
    );
    expect(admin.events[0].total).toBeGreaterThan(first.total);
    // Two cohorts: the same arguments under different scopes never share a computation.
    const cohorts = bg.app.stats.cohortSnapshot();
    expect(cohorts).toHaveLength(2);
    const scopedCohort = () => bg.app.stats.cohortSnapshot().find((c) => c.key.includes(`BOTONE:${BOTONE_BOT},CLOSER`))!;
    expect(scopedCohort()).toBeDefined();
    await subscribed(bg, 1, 'conv:BOTONE');

    // 1. Outside the scope (Bot.one bot 1447): the unscoped dashboard sees it, the scoped one recomputes and pushes nothing.
    const before = scopedCohort().computations;
    const outside = await activeConversation({ botIds: [botId('BOTONE', '1447')] });
    const m1 = await gqlAs(bg, KEYS.admin, `mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { status } } }`, {
      id: outside.id,
    });
    expect(m1.errors).toBeUndefined();
    await admin.waitFor((e) => e.length >= 2, 'the unscoped dashboard to get the out-of-scope change');
    expect(admin.events[1].groups.map((g: any) => [g.key.provider, g.key.status]).sort()).toEqual([
      ['BOTONE', 'ACTIVE'],
      ['BOTONE', 'WITH_OPERATOR'],
    ]);
    await waitFor(() => scopedCohort().computations > before, 'the scoped cohort to recompute after the event');
    expect(scoped.events).toHaveLength(1);

    // 2. Inside the scope (Bot.one bot 1446): pushed to the scoped dashboard.
    const inside = await activeConversation({ botIds: [botId('BOTONE', BOTONE_BOT)] });
    const m2 = await gqlAs(bg, KEYS.admin, `mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { status } } }`, {
      id: inside.id,
    });
    expect(m2.errors).toBeUndefined();
    const events = await scoped.waitFor((e) => e.length >= 2, 'the scoped dashboard to get the in-scope change');
    const count = (e: any, status: string) => e.groups.find((g: any) => g.key.provider === 'BOTONE' && g.key.status === status)?.count ?? 0;
    expect(count(events[1], 'WITH_OPERATOR')).toBe(count(first, 'WITH_OPERATOR') + 1);
    expect(events[1].total).toBe(first.total);
    scoped.stop();
    admin.stop();
  });
});
