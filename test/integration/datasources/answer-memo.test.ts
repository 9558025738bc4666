/**
 * An unchanged vendor answer is not parsed, validated or mapped again (src/datasources/mapped.ts):
 * UpstreamHttp gives a URL's last value again when the bytes are the same (or differ only in fields
 * the vendor declares volatile, CXone's scroll id), models are mapped once
 * per answer object, and a Bot.one listing made of the same models is not sorted again. The vendor
 * is still called every time, and a changed answer (after a write) maps afresh.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UpstreamHttp } from '../../../src/datasources/http.js';
import { mappedOnce } from '../../../src/datasources/mapped.js';
import type { ConversationModel } from '../../../src/models.js';
import { createBotoneRuntime, type BotoneRuntime } from '../../../src/providers/botone/index.js';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { ACTIVE_WINDOW_MS, deriveStatus, statusHoldsUntil } from '../../../src/providers/cxone/mapper.js';
import type { CxConversation } from '../../../src/providers/cxone/types.js';

describe('UpstreamHttp: the same bytes give the same value', () => {
  let server: Server;
  let body = '{"n":1}';
  let requests = 0;
  let http: UpstreamHttp;
  let validations = 0;
  const schema = z.object({ n: z.number() }).transform((v) => {
    validations += 1;
    return v;
  });

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    http = new UpstreamHttp({ provider: 'CLOSER', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await http.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('validates once for unchanged bytes, again when they change; every read goes out', async () => {
    const a = await http.getJson('/x', schema);
    const b = await http.getJson('/x', schema);
    expect(b).toBe(a);
    expect(validations).toBe(1);
    body = '{"n":2}';
    const c = await http.getJson('/x', schema);
    expect(c).toEqual({ n: 2 });
    expect(c).not.toBe(a);
    expect(validations).toBe(2);
    // Another URL has its own last answer.
    expect(await http.getJson('/y', schema)).toEqual({ n: 2 });
    expect(validations).toBe(3);
    expect(requests).toBe(4);
  });
});

describe('UpstreamHttp: an answer that differs only in its volatile fields', () => {
  let server: Server;
  let scroll = 0;
  let items = [{ id: 'a', text: 'He said "scroll_id":"x" once' }];
  let http: UpstreamHttp;
  let validations = 0;
  const schema = z
    .looseObject({ data: z.array(z.looseObject({ id: z.string() })), scroll_id: z.string().nullable(), next_page_url: z.string().nullable() })
    .transform((v) => {
      validations += 1;
      return v;
    });
  // As CXone answers: a new scroll every time, the same conversations.
  const answer = () =>
    JSON.stringify({ data: items, total: items.length, scroll_id: `s${++scroll}`, next_page_url: scroll % 2 ? `/x?scrollId=s${scroll}` : null });

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    http = new UpstreamHttp({
      provider: 'CXONE',
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      volatileFields: ['scroll_id', 'next_page_url'],
    });
  });
  afterAll(async () => {
    await http.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the same objects under the new values, and parses a real change afresh', async () => {
    const a = await http.getJson('/x', schema);
    const b = await http.getJson('/x', schema);
    expect(validations).toBe(1);
    expect(b).not.toBe(a);
    expect(b.data).toBe(a.data);
    expect([a.scroll_id, b.scroll_id]).toEqual(['s1', 's2']);
    expect([a.next_page_url, b.next_page_url]).toEqual(['/x?scrollId=s1', null]);

    items = [...items, { id: 'b', text: 'new' }];
    const c = await http.getJson('/x', schema);
    expect(validations).toBe(2);
    expect(c.data.map((d) => d.id)).toEqual(['a', 'b']);
    expect(c.scroll_id).toBe('s3');
  });

  it('finds the new values where the last answer had them, whatever their lengths', async () => {
    const first = await http.getJson('/z', schema);
    const before = validations;
    // s4 … s14: the scroll id grows a digit at s10, and next_page_url is a string, then null, …
    for (let i = 0; i < 11; i++) {
      const next = await http.getJson('/z', schema);
      expect(next.data).toBe(first.data);
      expect(next.scroll_id).toBe(`s${scroll}`);
      expect(next.next_page_url).toBe(scroll % 2 ? `/x?scrollId=s${scroll}` : null);
    }
    expect(validations).toBe(before);
  });
});

describe('mappedOnce', () => {
  it('maps once per object and key, again for another key or once its time has passed', () => {
    const raw = {};
    let maps = 0;
    const map = () => ({ n: ++maps });
    const first = mappedOnce(raw, 'a', map, 0, () => 100);
    expect(mappedOnce(raw, 'a', map, 99, () => 100)).toBe(first);
    expect(mappedOnce(raw, 'b', map, 99)).toEqual({ n: 2 });
    expect(mappedOnce(raw, 'b', map, 1e15)).toEqual({ n: 2 });
    expect(mappedOnce(raw, 'a', map, 100, () => 200)).toEqual({ n: 3 });
    expect(mappedOnce({}, 'a', map)).toEqual({ n: 4 });
  });

  it('CXone: a status is remembered exactly as long as deriveStatus would give it', () => {
    const last = Date.parse('2026-02-01T12:00:00Z');
    const raw = { journey: null, lastMessageAt: last, timestamp: last - 60_000, tracker: { events: [] } } as unknown as CxConversation;
    expect(deriveStatus(raw, last)).toBe('ACTIVE');
    const until = statusHoldsUntil(raw, 'ACTIVE');
    expect(until).toBe(last + ACTIVE_WINDOW_MS + 1);
    expect(deriveStatus(raw, until - 1)).toBe('ACTIVE');
    expect(deriveStatus(raw, until)).toBe('INTERRUPTED');
    expect(statusHoldsUntil(raw, 'INTERRUPTED')).toBe(Number.POSITIVE_INFINITY);
    expect(statusHoldsUntil(raw, 'COMPLETED')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Bot.one: an unchanged listing is not mapped or sorted again', () => {
  const NOW = Date.parse('2026-02-01T12:00:00Z');
  const LIST = 'GET /api/v2/conversations';
  let sim: BotoneSimulator;
  let runtime: BotoneRuntime;
  const listCalls = async () => ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { routes: Record<string, number> }).routes[LIST];

  beforeAll(async () => {
    sim = await startBotoneSimulator({ port: 0, seed: 3, now: NOW, activity: false });
    runtime = createBotoneRuntime({
      config: { baseUrl: sim.url, username: sim.username, password: sim.password, apiVersion: 'v2', botIds: sim.botIds.map(String) },
      upstream: { timeoutMs: 2_000, totalBudgetMs: 5_000, maxAttempts: 3 },
      mode: 'SIMULATOR',
    });
  });
  afterAll(async () => {
    await runtime.close();
    await sim.close();
  });

  const firstPage = async (): Promise<ConversationModel[]> => {
    const stream = runtime.forRequest().conversationStreams({}, [String(sim.botIds[0])])[0]!;
    return (await stream.fetch(0, 20, null)).items;
  };

  it('gives the same models for the same answers, still reading the vendor; a write maps afresh', async () => {
    const before = (await listCalls()) ?? 0;
    const a = await firstPage();
    const calls = ((await listCalls()) ?? 0) - before;
    expect(calls).toBeGreaterThan(0);
    const b = await firstPage();
    // Each listing read the whole list again (cache off: no vendor read is skipped)...
    expect(((await listCalls()) ?? 0) - before).toBe(2 * calls);
    // ...and got the very same models, in the same order.
    expect(b).toHaveLength(a.length);
    b.forEach((c, i) => expect(c).toBe(a[i]));

    // A write changes the conversation's answer: it is mapped again, and moves to the top.
    const target = a.find((c) => c.status === 'ACTIVE' || c.status === 'WITH_OPERATOR') ?? a[0]!;
    await runtime.forRequest().sendMessage!(target, 'memo check');
    const c = await firstPage();
    const fresh = c.find((x) => x.nativeId === target.nativeId)!;
    expect(fresh).not.toBe(target);
    expect(fresh.updatedAt!.getTime()).toBeGreaterThanOrEqual(target.updatedAt?.getTime() ?? 0);
    expect(c[0]!.nativeId).toBe(target.nativeId);
  });
});
