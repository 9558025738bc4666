/**
 * Scopes: a key limited to CLOSER (the whole provider) and Bot.one bot 1446. Outside its scope a conversation,
 * bot or end user does not exist for it: lists leave it out (and `totalCount` does not count it),
 * by-id reads and `node` are null, mutations NOT_FOUND with no vendor write, subscriptions and
 * `since` replays never deliver it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed } from '../../helpers/live.js';
import { KEYS, gqlAs, sha256Hex, upstreamCalls, waitFor, wsAs, wsOnce } from './support.js';

const SCOPED_VIEWER = 'scoped-viewer-key-0123456789';
const SCOPED_OPERATOR = 'scoped-operator-key-0123456789';
const CLOSER_ONLY = 'closer-only-viewer-key-0123456789';
const BOTONE_BOT = '1446';

interface Conv {
  id: string;
  provider: string;
  nativeId: string;
  bot: { nativeId: string } | null;
}
const LIST = `query($f: ConversationFilter) { conversations(first: 100, filter: $f) { totalCount nodes { id provider nativeId bot { nativeId } } } }`;

let bg: TestBotgraph;
let all: Conv[];
let inScope: (c: Conv) => boolean;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'botgraph-scoped-'));
  const file = join(dir, 'keys');
  const scope = `CLOSER,BOTONE:${BOTONE_BOT}`;
  writeFileSync(
    file,
    [
      `console viewer ${sha256Hex(SCOPED_VIEWER)} ${scope}`,
      `agent operator ${sha256Hex(SCOPED_OPERATOR)} ${scope}`,
      `closer-desk viewer ${sha256Hex(CLOSER_ONLY)} CLOSER`,
      '',
    ].join('\n'),
  );
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: `admin:${KEYS.admin}`, BOTGRAPH_API_KEYS_FILE: file });
  inScope = (c) => c.provider === 'CLOSER' || (c.provider === 'BOTONE' && c.bot?.nativeId === BOTONE_BOT);
  all = (await gqlAs(bg, KEYS.admin, LIST)).data.conversations.nodes;
  expect(all.some(inScope)).toBe(true);
  expect(all.some((c) => !inScope(c) && c.provider === 'BOTONE')).toBe(true);
  expect(all.some((c) => c.provider === 'CXONE')).toBe(true);
});

describe('a scoped key', () => {
  it('lists only what is in scope, and totalCount counts only that', async () => {
    const scoped = await gqlAs(bg, SCOPED_VIEWER, LIST);
    expect(scoped.errors).toBeUndefined();
    const nodes = scoped.data.conversations.nodes as Conv[];
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every(inScope)).toBe(true);
    // The vendors counted only what is in scope: all of CLOSER plus Bot.one bot 1446.
    const closer = await gqlAs(bg, KEYS.admin, LIST, { f: { providers: ['CLOSER'] } });
    const bot = await gqlAs(bg, KEYS.admin, LIST, { f: { botIds: [Buffer.from(`b1|BOTONE|Bot|${BOTONE_BOT}`).toString('base64url')] } });
    expect(scoped.data.conversations.totalCount).toBe(closer.data.conversations.totalCount + bot.data.conversations.totalCount);
    expect(scoped.data.conversations.totalCount).toBeLessThan((await gqlAs(bg, KEYS.admin, LIST)).data.conversations.totalCount);
    // Asking for what is outside is an empty list, not an error that would confirm it exists.
    const outside = await gqlAs(bg, SCOPED_VIEWER, LIST, { f: { providers: ['CXONE'] } });
    expect(outside.data.conversations).toEqual({ totalCount: 0, nodes: [] });
    const bots = (await gqlAs(bg, SCOPED_VIEWER, '{ bots { provider nativeId } }')).data.bots as Array<{ provider: string; nativeId: string }>;
    expect(bots.filter((b) => b.provider === 'BOTONE')).toEqual([{ provider: 'BOTONE', nativeId: BOTONE_BOT }]);
    expect(bots.some((b) => b.provider === 'CLOSER')).toBe(true);
    expect(bots.some((b) => b.provider === 'CXONE')).toBe(false);
  });

  it('Query.providers lists only the providers the scope names, on HTTP and WebSocket, and probes no other', async () => {
    const PROVIDERS = '{ providers { provider enabled mode healthy } }';
    const names = (r: { data?: any }) => (r.data.providers as Array<{ provider: string }>).map((p) => p.provider);
    expect(names(await gqlAs(bg, KEYS.admin, PROVIDERS))).toEqual(['CLOSER', 'BOTONE', 'CXONE']);
    // A bot of a provider is part of it: the provider is listed (ProviderInfo carries nothing per bot).
    expect(names(await gqlAs(bg, SCOPED_VIEWER, PROVIDERS))).toEqual(['CLOSER', 'BOTONE']);
    await bg.resetStats();
    const closerOnly = await gqlAs(bg, CLOSER_ONLY, PROVIDERS);
    expect(closerOnly.errors).toBeUndefined();
    expect(closerOnly.data.providers).toEqual([{ provider: 'CLOSER', enabled: true, mode: 'SIMULATOR', healthy: true }]);
    const client = wsAs(bg, CLOSER_ONLY);
    const ws = await wsOnce(client, PROVIDERS);
    await client.dispose();
    expect(ws.results[0]?.data).toEqual(closerOnly.data);
    // `healthy` asked only CLOSER: the providers outside the scope were not probed for this principal.
    expect((await bg.stats('CLOSER')).total).toBeGreaterThan(0);
    expect((await bg.stats('BOTONE')).total).toBe(0);
    expect((await bg.stats('CXONE')).total).toBe(0);
  });

  it('by id, node and nodes are null outside the scope, without an error', async () => {
    const out = all.filter((c) => !inScope(c));
    const inside = all.find(inScope)!;
    for (const c of [out.find((c) => c.provider === 'CXONE')!, out.find((c) => c.provider === 'BOTONE')!]) {
      const r = await gqlAs(bg, SCOPED_VIEWER, 'query($id: ID!) { conversation(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id } }', {
        id: c.id,
      });
      expect(r.errors, c.provider).toBeUndefined();
      expect(r.data, c.provider).toEqual({ conversation: null, node: null, nodes: [null] });
    }
    const ok = await gqlAs(bg, SCOPED_VIEWER, 'query($id: ID!) { conversation(id: $id) { id } node(id: $id) { id } }', { id: inside.id });
    expect(ok.data).toEqual({ conversation: { id: inside.id }, node: { id: inside.id } });
    const otherBot = Buffer.from('b1|BOTONE|Bot|1447').toString('base64url');
    expect((await gqlAs(bg, SCOPED_VIEWER, 'query($id: ID!) { bot(id: $id) { id } node(id: $id) { id } }', { id: otherBot })).data).toEqual({
      bot: null,
      node: null,
    });
  });

  it('a scoped operator mutating outside its scope gets NOT_FOUND, with no vendor write', async () => {
    const out = all.find((c) => c.provider === 'CXONE')!;
    await bg.resetStats();
    const UPDATE = 'mutation($id: ID!) { updateConversation(input: { conversationId: $id, tags: ["x"] }) { conversation { id } } }';
    // Not UNSUPPORTED_BY_PROVIDER: for this principal the conversation does not exist at all.
    const r = await gqlAs(bg, SCOPED_OPERATOR, UPDATE, { id: out.id });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await bg.stats('CXONE')).total).toBe(0);
    const outBotone = all.find((c) => !inScope(c) && c.provider === 'BOTONE')!;
    const handoff = await gqlAs(bg, SCOPED_OPERATOR, 'mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { id } } }', {
      id: outBotone.id,
    });
    expect(handoff.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(Object.entries((await bg.stats('BOTONE')).routes).filter(([route, n]) => !route.startsWith('GET') && n > 0)).toEqual([]);
    const inside = all.find((c) => inScope(c) && c.provider === 'CLOSER')!;
    const ok = await gqlAs(bg, SCOPED_OPERATOR, UPDATE, { id: inside.id });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.updateConversation.conversation.id).toBe(inside.id);
  });

  it('subscriptions and `since` replays never deliver what is outside the scope', async () => {
    const SUB = 'subscription($since: String) { conversationUpdated(since: $since) { id provider bot { nativeId } eventCursor } }';
    const UPDATE = 'mutation($id: ID!, $t: [String!]) { updateConversation(input: { conversationId: $id, tags: $t }) { conversation { id } } }';
    const insideConvs = all.filter((c) => inScope(c) && c.provider === 'CLOSER');
    const active = (await gqlAs(bg, KEYS.admin, LIST, { f: { providers: ['BOTONE'], statuses: ['ACTIVE'] } })).data.conversations.nodes as Conv[];
    const outside = active.find((c) => !inScope(c))!;
    expect(outside).toBeDefined();
    const HANDOFF = 'mutation($id: ID!) { startHandoff(input: { conversationId: $id }) { conversation { id } } }';
    const adminWs = wsAs(bg, KEYS.admin);
    const scopedWs = wsAs(bg, SCOPED_VIEWER);
    try {
      const seenByAdmin = collect<any>(adminWs, SUB, {}, 'conversationUpdated');
      const live = collect<any>(scopedWs, SUB, {}, 'conversationUpdated');
      await subscribed(bg, 2, 'conv:CLOSER');
      // E0 in scope, E1 outside, E2 in scope: the scoped subscriber must get E0 and E2 only.
      const mark = `t${Date.now()}`;
      await waitFor(async () => (await gqlAs(bg, KEYS.admin, UPDATE, { id: insideConvs[0]!.id, t: [`${mark}-0`] })).data?.updateConversation, 'E0');
      await waitFor(async () => (await gqlAs(bg, KEYS.admin, HANDOFF, { id: outside.id })).data?.startHandoff, 'E1');
      await waitFor(
        async () => (await gqlAs(bg, KEYS.admin, UPDATE, { id: (insideConvs[1] ?? insideConvs[0])!.id, t: [`${mark}-2`] })).data?.updateConversation,
        'E2',
      );
      await seenByAdmin.waitFor((es) => es.some((e) => e.id === outside.id), 'the admin to see the outside change');
      await live.waitFor(
        (es) =>
          es.filter((e) => e.provider === 'CLOSER').length >= 2 || es.some((e) => e.id === (insideConvs[1] ?? insideConvs[0])!.id && es.length >= 2),
        'the scoped subscriber to see the in-scope changes',
      );
      expect(live.events.length).toBeGreaterThan(0);
      expect(live.events.every((e) => e.provider === 'CLOSER' || e.bot?.nativeId === BOTONE_BOT)).toBe(true);
      expect(live.events.some((e) => e.id === outside.id)).toBe(false);
      // Replay from before everything: still nothing outside.
      const first = seenByAdmin.events[0]!;
      const since = `${Number(first.eventCursor.split('-')[0]) - 1}-0`;
      const replay = collect<any>(scopedWs, SUB, { since }, 'conversationUpdated');
      await replay.waitFor((es) => es.length >= 1, 'the replay');
      const adminReplay = collect<any>(adminWs, SUB, { since }, 'conversationUpdated');
      await adminReplay.waitFor((es) => es.some((e) => e.id === outside.id), 'the admin replay to hold the outside change');
      expect(replay.events.some((e) => e.id === outside.id)).toBe(false);
      expect(replay.events.every((e) => e.provider === 'CLOSER' || e.bot?.nativeId === BOTONE_BOT)).toBe(true);
      // messageAdded on a conversation outside the scope: it does not exist.
      const msg = await wsOnce(scopedWs, 'subscription($id: ID!) { messageAdded(conversationId: $id) { id } }', { id: outside.id });
      expect(msg.results[0]?.errors?.[0]?.extensions?.code ?? msg.error?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      await adminWs.dispose();
      await scopedWs.dispose();
    }
  });

  it('costs no upstream call for what it cannot see', async () => {
    await bg.resetStats();
    await gqlAs(bg, SCOPED_VIEWER, '{ conversations(first: 5, filter: { providers: [CXONE] }) { totalCount nodes { id } } }');
    expect((await bg.stats('CXONE')).total).toBe(0);
    expect(await upstreamCalls(bg)).toBe(0);
  });
});
