/**
 * The response cache (src/http/responseCache.ts) over real HTTP against the simulators, upstream
 * calls counted at `/__sim/stats`: a repeated query by the same principal is answered with the
 * response sent before (no execution, no upstream call), and never after something that could change
 * it: botgraph's own write, a change a poller saw, a CLOSER webhook. Other principals, other
 * variables, responses with errors and operations that read live state are never answered from it.
 * The TTL is long (./cache-support.ts): what ends a kept response here is invalidation, never the clock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, upstreamCallsOf, type GraphQLResponse, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor } from '../../helpers/live.js';
import { KEYS, gqlAs, sha256Hex, wsAs, wsOnce } from '../security/support.js';
import { SUB_CONVERSATIONS, botoneApi, closerApi, closerSim, conversationsOf, type Conv } from '../subscriptions/support.js';
import { INBOX, NODE, SEND, cachedBotgraph } from './cache-support.js';

const fromResponseCache = (res: GraphQLResponse) => res.extensions?.freshness?.cachedResponse === true;

/**
 * Reads until the answer comes from the response cache. A kept response ends on any event, and an
 * earlier test's write still has one on its way (the CLOSER simulator delivers its webhook a little
 * later): the first repeat may execute again, a later one is kept.
 */
async function untilKept(read: () => Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  let last: GraphQLResponse = {};
  await waitFor(async () => fromResponseCache((last = await read())), 'a response from the response cache', 10_000);
  return last;
}

/** `botgraph_cache_hits_total{cache="responses"}` from `/metrics`, as a scraper reads it. */
async function responseHits(bg: TestBotgraph): Promise<number> {
  const text = await (await fetch(`${bg.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('botgraph_cache_hits_total{cache="responses"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('the response cache, CACHE_TTL_MS on', () => {
  const rig = cachedBotgraph();

  it('answers a repeated inbox without executing: 0 upstream calls, the same data, as old as the first', async () => {
    const first = await rig.bg.gql(INBOX);
    expect(first.errors).toBeUndefined();
    expect(fromResponseCache(first)).toBe(false);
    const hits = await responseHits(rig.bg);

    let again: GraphQLResponse = {};
    const calls = await upstreamCallsOf(rig.bg, async () => (again = await rig.bg.gql(INBOX)));
    expect(calls.total).toBe(0);
    expect(fromResponseCache(again)).toBe(true);
    expect(again.data).toEqual(first.data);
    expect(again.extensions!.freshness.fetchedAt).toBe(first.extensions!.freshness.fetchedAt);
    // Every read the kept response stands for came from a cache.
    expect(again.extensions!.freshness.cachedReads).toBeGreaterThan(0);
    expect(await responseHits(rig.bg)).toBe(hits + 1);
  });

  it('over graphql-ws too: a repeated query is answered from it, and executes again after a write', async () => {
    const [conv] = (await conversationsOf(rig.bg, 'CLOSER', ['ACTIVE'], 5)) as [Conv];
    const overWs = async () => (await wsOnce(rig.client, NODE, { id: conv.id })).results[0] as GraphQLResponse;
    const first = await overWs();
    expect(first.errors).toBeUndefined();
    expect(fromResponseCache(first)).toBe(false);

    await untilKept(overWs);
    let again: GraphQLResponse = {};
    const calls = await upstreamCallsOf(rig.bg, async () => (again = await overWs()));
    expect(calls.total).toBe(0);
    expect(fromResponseCache(again)).toBe(true);
    expect(again.data.node.id).toBe(conv.id);

    const text = `response cache over ws ${Date.now()}`;
    expect((await rig.bg.gql(SEND, { id: conv.id, text })).errors).toBeUndefined();
    const after = await overWs();
    expect(fromResponseCache(after)).toBe(false);
    expect(after.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
  });

  it('keeps one response per set of variables', async () => {
    const [a, b] = (await conversationsOf(rig.bg, 'CLOSER', ['ACTIVE'], 5)) as [Conv, Conv];
    const ra = await rig.bg.gql(NODE, { id: a.id });
    const rb = await rig.bg.gql(NODE, { id: b.id });
    expect(fromResponseCache(rb)).toBe(false);
    expect(rb.data.node.id).toBe(b.id);
    const again = await untilKept(() => rig.bg.gql(NODE, { id: a.id }));
    expect(again.data.node.id).toBe(ra.data.node.id);
  });

  it("after botgraph's own write the next read executes and has it, and is kept again", async () => {
    const [conv] = (await conversationsOf(rig.bg, 'CLOSER', ['ACTIVE'], 5)) as [Conv];
    await untilKept(() => rig.bg.gql(NODE, { id: conv.id }));

    const text = `response cache ${Date.now()}`;
    expect((await rig.bg.gql(SEND, { id: conv.id, text })).errors).toBeUndefined();
    const after = await rig.bg.gql(NODE, { id: conv.id });
    expect(fromResponseCache(after)).toBe(false);
    expect(after.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
    const kept = await untilKept(() => rig.bg.gql(NODE, { id: conv.id }));
    expect(kept.data.node.messages.nodes.map((m: { text: string }) => m.text)).toContain(text);
  });

  it('a change made behind botgraph’s back ends the kept response once a poller has seen it', async () => {
    const conv = (await conversationsOf(rig.bg, 'BOTONE', ['ACTIVE'], 20)).find((c) => c.handoff === 'BOT' && c.bot) as Conv;
    expect(conv).toBeDefined();
    const kept = await untilKept(() => rig.bg.gql(NODE, { id: conv.id }));
    expect(kept.data.node.handoff).toBe('BOT');

    const updates = collect<Conv>(rig.client, SUB_CONVERSATIONS, { f: { providers: ['BOTONE'] } }, 'conversationUpdated');
    await subscribed(rig.bg, 1, `conv:BOTONE:${conv.bot!.nativeId}`);
    await botoneApi(rig.bg, 'POST', `/api/v2/conversation/${conv.nativeId}/stop`);
    await updates.waitFor((events) => events.some((e) => e.id === conv.id && e.handoff !== 'BOT'), 'the poller to see the handoff', 10_000);
    updates.stop();

    const after = await rig.bg.gql(NODE, { id: conv.id });
    expect(fromResponseCache(after)).toBe(false);
    expect(after.data.node.handoff).not.toBe('BOT');
  });

  it('a CLOSER webhook ends the kept response, with no poller running', async () => {
    await waitFor(() => rig.bg.app.live.pollers.snapshot().length === 0, 'the pollers to stop', 10_000);
    const conv = (await conversationsOf(rig.bg, 'CLOSER', ['ACTIVE'], 50)).find((c) => c.handoff === 'BOT') as Conv;
    expect(conv).toBeDefined();
    await rig.bg.gql(NODE, { id: conv.id });
    expect((await rig.bg.gql(NODE, { id: conv.id })).data.node.handoff).toBe('BOT');
    const delivered = closerSim(rig.bg).webhookStatus().delivered;

    // On the vendor directly: only CLOSER's webhook delivery tells botgraph.
    await closerApi(rig.bg, 'PUT', `/openapi/conversation/${conv.nativeId}/manual`, { status: 'HANDOVER' });
    await waitFor(() => closerSim(rig.bg).webhookStatus().delivered > delivered, 'the webhook delivery', 10_000);
    let after: GraphQLResponse = {};
    await waitFor(
      async () => {
        after = await rig.bg.gql(NODE, { id: conv.id });
        return after.data?.node?.handoff === 'OPERATOR';
      },
      'a read after the webhook to see the handover',
      10_000,
    );
    expect(fromResponseCache(after)).toBe(false);
    expect(rig.bg.app.live.pollers.snapshot()).toHaveLength(0);
  });

  it("never answers a GET that Apollo's CSRF prevention blocks, though the same GET with a preflight header was kept", async () => {
    const url = `${rig.bg.url}/graphql?query=${encodeURIComponent('{ bots { id name } }')}`;
    const get = async (headers: Record<string, string>) => {
      const res = await fetch(url, { headers });
      return { status: res.status, body: (await res.json()) as GraphQLResponse };
    };
    const preflight = { 'apollo-require-preflight': 'true', accept: 'application/json' };
    expect((await get(preflight)).body.errors).toBeUndefined();
    await untilKept(async () => (await get(preflight)).body);
    const blocked = await get({ accept: 'application/json' });
    expect(blocked.status).toBe(400);
    expect(blocked.body.data).toBeUndefined();
    expect(JSON.stringify(blocked.body.errors)).toContain('Cross-Site Request Forgery');
  });

  it('never keeps a response with errors, nor one that read live state', async () => {
    const hits = await responseHits(rig.bg);
    for (let i = 0; i < 2; i++) {
      const bad = await rig.bg.gql(NODE, { id: 'not-a-global-id' });
      expect(bad.errors?.length).toBeGreaterThan(0);
      expect(fromResponseCache(bad)).toBe(false);
    }
    // Health is asked of every vendor each time, with or without a list beside it.
    const query = `{ providers { provider healthy circuit } conversations(first: 2) { nodes { id } } }`;
    await rig.bg.gql(query);
    let res: GraphQLResponse = {};
    const calls = await upstreamCallsOf(rig.bg, async () => (res = await rig.bg.gql(query)));
    expect(fromResponseCache(res)).toBe(false);
    expect(calls.CLOSER).toBeGreaterThanOrEqual(1);
    expect(calls.BOTONE).toBeGreaterThanOrEqual(1);
    expect(calls.CXONE).toBeGreaterThanOrEqual(1);
    expect(await responseHits(rig.bg)).toBe(hits);
  });
});

describe('the response cache and principals', () => {
  const SCOPED = 'scoped-closer-viewer-key-0123456789';
  let bg: TestBotgraph;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'botgraph-response-cache-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `closer-only viewer ${sha256Hex(SCOPED)} CLOSER\n`);
    bg = await startTestBotgraph({ CACHE_TTL_MS: '60000', BOTGRAPH_API_KEYS: `admin:${KEYS.admin}`, BOTGRAPH_API_KEYS_FILE: file });
  });

  it("one principal's kept response is never another's", async () => {
    const admin = await gqlAs(bg, KEYS.admin, INBOX);
    expect(admin.errors).toBeUndefined();
    expect(new Set(admin.data.conversations.nodes.map((n: { provider: string }) => n.provider)).size).toBeGreaterThan(1);
    expect(fromResponseCache(await gqlAs(bg, KEYS.admin, INBOX))).toBe(true);

    const scoped = await gqlAs(bg, SCOPED, INBOX);
    expect(scoped.errors).toBeUndefined();
    expect(fromResponseCache(scoped)).toBe(false);
    expect(scoped.data.conversations.nodes.map((n: { provider: string }) => n.provider)).toEqual(scoped.data.conversations.nodes.map(() => 'CLOSER'));
    expect(fromResponseCache(await gqlAs(bg, SCOPED, INBOX))).toBe(true);
    // Nobody's response for a request without credentials: it is refused as before.
    expect((await gqlAs(bg, null, INBOX)).status).toBe(401);
  });

  it('over graphql-ws as well: the scoped viewer never gets the admin’s kept result', async () => {
    const admin = wsAs(bg, KEYS.admin);
    const scoped = wsAs(bg, SCOPED);
    try {
      const once = async (client: typeof admin) => (await wsOnce(client, INBOX)).results[0] as GraphQLResponse;
      expect((await once(admin)).errors).toBeUndefined();
      expect(fromResponseCache(await once(admin))).toBe(true);
      const viewer = await once(scoped);
      expect(fromResponseCache(viewer)).toBe(false);
      expect(viewer.data.conversations.nodes.map((n: { provider: string }) => n.provider)).toEqual(
        viewer.data.conversations.nodes.map(() => 'CLOSER'),
      );
      expect(fromResponseCache(await once(scoped))).toBe(true);
    } finally {
      await Promise.all([admin.dispose(), scoped.dispose()]);
    }
  });
});

describe('RESPONSE_CACHE_ENTRIES=0', () => {
  it('keeps the entity cache alone: a repeated inbox costs 0 calls and is executed', async () => {
    const bg = await startTestBotgraph({ CACHE_TTL_MS: '60000', RESPONSE_CACHE_ENTRIES: '0' });
    await bg.gql(INBOX);
    let again: GraphQLResponse = {};
    const calls = await upstreamCallsOf(bg, async () => (again = await bg.gql(INBOX)));
    expect(calls.total).toBe(0);
    expect(fromResponseCache(again)).toBe(false);
    expect(again.extensions!.freshness.cachedReads).toBeGreaterThan(0);
  });
});
