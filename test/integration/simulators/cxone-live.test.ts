import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import type { FaultConfig } from '../../../src/simulators/common/faults.js';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const TOKEN = 'cxone-demo-token';
const ROUTE = 'GET /api/public/conversations';

type Json = any;

const exportUrl = (sim: CxoneSimulator, params: Record<string, string> = {}) => {
  const url = new URL('/api/public/conversations', sim.url);
  url.searchParams.set('token', TOKEN);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
};

async function snapshot(sim: CxoneSimulator): Promise<Json[]> {
  const all: Json[] = [];
  for (const token of Object.values(sim.tokens)) {
    const url = new URL('/api/public/conversations', sim.url);
    url.searchParams.set('token', token);
    url.searchParams.set('perPage', '200');
    const body: Json = await (await fetch(url)).json();
    all.push(...body.data);
  }
  return all;
}

/** Checks one fault on a simulator whose faults are already set; shared by the option and admin tests. */
async function expectFault(sim: CxoneSimulator, kind: string): Promise<void> {
  const url = exportUrl(sim, { perPage: '2' });
  switch (kind) {
    case 'latency': {
      const t0 = performance.now();
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
      return;
    }
    case 'error': {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 503, error: 'service_unavailable', message: 'Injected failure' });
      return;
    }
    case 'rateLimit': {
      const res = await fetch(url);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(await res.json()).toEqual({ status: 429, error: 'too_many_requests', message: 'Too Many Requests' });
      return;
    }
    case 'hang': {
      await expect(fetch(url, { signal: AbortSignal.timeout(250) })).rejects.toThrow();
      return;
    }
    case 'malformed': {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text.startsWith('{"data":')).toBe(true);
      expect(() => JSON.parse(text)).toThrow();
      return;
    }
  }
}

const FAULTS: Array<[string, FaultConfig]> = [
  ['latency', { latencyMs: 150 }],
  ['error', { errorRate: 1, errorStatus: 503 }],
  ['rateLimit', { rateLimitRate: 1, retryAfterSeconds: 7 }],
  ['hang', { hangRate: 1 }],
  ['malformed', { malformedRate: 1 }],
];

describe('faults through the in-process options', () => {
  it.each(FAULTS)('%s', async (kind, faults) => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 6, faults });
    try {
      await expectFault(sim, kind);
      // The handle's controller turns it off again.
      sim.faults.clear();
      expect((await fetch(exportUrl(sim), { signal: AbortSignal.timeout(2000) })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('limits faults to the listed routes', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 6, faults: { errorRate: 1, routes: ['GET /elsewhere'] } });
    try {
      expect((await fetch(exportUrl(sim))).status).toBe(200);
      sim.faults.set({ errorRate: 1, routes: [ROUTE] });
      expect((await fetch(exportUrl(sim))).status).toBe(500);
    } finally {
      await sim.close();
    }
  });
});

describe('faults through /__sim/faults', () => {
  let sim: CxoneSimulator;
  beforeAll(async () => {
    sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 6, admin: true });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each(FAULTS)('%s', async (kind, faults) => {
    const put = await fetch(`${sim.url}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(faults);
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual(faults);
    await expectFault(sim, kind);
    expect((await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual({});
    expect((await fetch(exportUrl(sim), { signal: AbortSignal.timeout(2000) })).status).toBe(200);
  });

  it('rejects an invalid fault config with 400', async () => {
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"errorRate": 2}' });
    expect(res.status).toBe(400);
  });

  it('is absent unless admin is on', async () => {
    const plain = await startCxoneSimulator({ now: NOW, conversationsPerBot: 6 });
    try {
      expect((await fetch(`${plain.url}/__sim/faults`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('stats', () => {
  it('counts requests per route, including failed ones, and resets', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 6 });
    try {
      expect(((await (await fetch(`${sim.url}/__sim/stats`)).json()) as Json).routes).toEqual({ [ROUTE]: 0 });
      await fetch(exportUrl(sim));
      await fetch(exportUrl(sim, { perPage: '999' }));
      await fetch(`${sim.url}/api/public/conversations`);
      await fetch(`${sim.url}/nowhere`);
      const stats: Json = await (await fetch(`${sim.url}/__sim/stats`)).json();
      expect(stats.simulator).toBe('cxone');
      expect(stats.routes[ROUTE]).toBe(3);
      expect(stats.routes['GET (unmatched)']).toBe(1);
      expect(stats.total).toBe(4);
      expect(sim.stats.count(ROUTE)).toBe(3);
      expect((await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' })).status).toBe(204);
      expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toEqual({ simulator: 'cxone', total: 0, routes: { [ROUTE]: 0 } });
    } finally {
      await sim.close();
    }
  });
});

describe('scroll lifetime', () => {
  it('expires an unused scroll after scrollTtlMs with 410 scroll_expired', async () => {
    // The scrolls' own clock, stepped by the test: no wait, and exactly at the TTL.
    let t = Date.now();
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 20, scrollTtlMs: 150, scrollClock: () => t });
    try {
      const first: Json = await (await fetch(exportUrl(sim, { perPage: '5' }))).json();
      t += 150;
      const res = await fetch(exportUrl(sim, { scrollId: first.scroll_id }));
      expect(res.status).toBe(410);
      expect(await res.json()).toEqual({ status: 410, error: 'scroll_expired', message: expect.stringContaining('expired') });
    } finally {
      await sim.close();
    }
  });

  it('renews the scroll on every page', async () => {
    // Each page just short of the TTL after the one before, three TTLs in all: only renewal keeps it.
    // The scrolls' clock is the test's, so a slow machine cannot stretch a gap past the TTL.
    let t = Date.now();
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 20, scrollTtlMs: 300, scrollClock: () => t });
    try {
      let body: Json = await (await fetch(exportUrl(sim, { perPage: '5' }))).json();
      for (let i = 0; i < 3; i++) {
        t += 299;
        const res = await fetch(exportUrl(sim, { scrollId: body.scroll_id }));
        expect(res.status).toBe(200);
        body = await res.json();
        expect(body.count).toBe(5);
      }
    } finally {
      await sim.close();
    }
  });

  it('keeps a point-in-time snapshot while live traffic changes the data', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 30 });
    try {
      let body: Json = await (await fetch(exportUrl(sim, { perPage: '4' }))).json();
      const total = body.total;
      const seen: string[] = body.data.map((c: Json) => c.conversationId);
      for (let i = 0; i < 60; i++) sim.tick();
      while (body.next_page_url) {
        const next = new URL(body.next_page_url);
        next.searchParams.set('token', TOKEN);
        body = await (await fetch(next)).json();
        expect(body.total).toBe(total);
        seen.push(...body.data.map((c: Json) => c.conversationId));
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      // A new search sees the traffic.
      const fresh: Json = await (await fetch(exportUrl(sim, { perPage: '200' }))).json();
      expect(JSON.stringify(fresh.data)).not.toBe(JSON.stringify(seen));
    } finally {
      await sim.close();
    }
  });
});

describe('live activity', () => {
  it('produces no traffic when off', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 15, activityIntervalMs: 10 });
    const twin = await startCxoneSimulator({ now: NOW, conversationsPerBot: 15, activity: true, activityIntervalMs: 10 });
    try {
      const before = await snapshot(sim);
      // No fixed wait: the twin with activity on changing proves enough time passed for activity to act.
      await waitFor(async () => JSON.stringify(await snapshot(twin)) !== JSON.stringify(before), 'the twin with activity on to change', 10_000);
      expect(await snapshot(sim)).toEqual(before);
    } finally {
      await Promise.all([sim.close(), twin.close()]);
    }
  });

  it('adds conversations and events that the export then shows, when on', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 15, activity: true, activityIntervalMs: 15 });
    try {
      const before = await snapshot(sim);
      const beforeById = new Map(before.map((c) => [c.conversationId, c]));
      const changes = (after: typeof before) => ({
        added: after.filter((c) => !beforeById.has(c.conversationId)),
        grown: after.filter((c) => beforeById.has(c.conversationId) && c.msgCount > beforeById.get(c.conversationId).msgCount),
      });
      // Waits for the traffic rather than a fixed time: a loaded machine ticks later.
      const after = await waitFor(
        async () => {
          const now = await snapshot(sim);
          const { added, grown } = changes(now);
          return added.length + grown.length > 0 ? now : null;
        },
        'live traffic in the export',
        10_000,
      );
      const { added, grown } = changes(after);
      expect(added.length + grown.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThanOrEqual(before.length);
    } finally {
      await sim.close();
    }
  });

  it('plays every kind of move, each keeping the derived fields right', async () => {
    const sim = await startCxoneSimulator({ now: NOW, conversationsPerBot: 15 });
    try {
      const seen = new Set<string>();
      const byId = async () => new Map((await snapshot(sim)).map((c) => [c.conversationId, c]));
      let state = await byId();
      for (let i = 0; i < 150 && seen.size < 5; i++) {
        const { move, botId, conversationId } = sim.tick();
        seen.add(move);
        const next = await byId();
        const before = state.get(conversationId);
        const after = next.get(conversationId);
        expect(after, move).toBeDefined();
        expect(after.tracker.name).toBe(`${botId}-${conversationId}`);
        expect(after.msgCount).toBe(after.customerMsgCount + after.botMsgCount);
        expect(after.lastMessageAt).toBe(Math.round(after.tracker.events.at(-1).timestamp * 1000));
        expect(after.lastMessageAt).toBeLessThanOrEqual(sim.clock() + 1000);
        expect(sim.clock() - after.lastMessageAt).toBeLessThan(5_000);
        if (move === 'new') {
          expect(before).toBeUndefined();
          const numbers = [...next.values()].filter((c) => c.tracker.name.startsWith(`${botId}-`)).map((c) => c.conversationNumber);
          expect(after.conversationNumber).toBe(Math.max(...numbers));
          expect(after.tracker.events[0].name).toBe('action_session_start');
        } else {
          expect(after.tracker.events.length).toBeGreaterThan(before.tracker.events.length);
          expect(after.tracker.events.slice(0, before.tracker.events.length)).toEqual(before.tracker.events);
          expect(after.lastMessageAt).toBeGreaterThan(before.lastMessageAt);
        }
        if (move === 'turn') expect(after.msgCount).toBeGreaterThan(before.msgCount);
        if (move === 'handover') {
          expect(after.tracker.events.some((e: Json) => e.event === 'action' && e.type === 'handover')).toBe(true);
          expect(after.journey).toMatch(/handover__\d+$/);
          expect(after.tracker.events.at(-1).event).toBe('pause');
        }
        if (move === 'complete') expect(after.journey.endsWith('->end')).toBe(true);
        if (move === 'waiting') expect(after.tracker.events.some((e: Json) => e.event === 'action' && e.type === 'handover')).toBe(true);
        state = next;
      }
      expect([...seen].sort()).toEqual(['complete', 'handover', 'new', 'turn', 'waiting']);
    } finally {
      await sim.close();
    }
  });
});
