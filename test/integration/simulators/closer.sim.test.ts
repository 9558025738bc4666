/**
 * CLOSER simulator, the simulator knobs: fault injection (in-process and through `/__sim/faults`),
 * request stats, determinism of the seed, and live activity on and off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { Conversation, EndUser, Flow, Message, Page } from '../../../src/providers/closer/simulator/types.js';

const NOW = Date.parse('2026-03-01T00:00:00.000Z');
const KEY = { 'X-API-Key': 'closer-demo-key' };

const started: CloserSimulator[] = [];
async function start(options: Parameters<typeof startCloserSimulator>[0] = {}): Promise<CloserSimulator> {
  const sim = await startCloserSimulator({ now: NOW, ...options });
  started.push(sim);
  return sim;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

const get = (sim: CloserSimulator, path: string, signal?: AbortSignal) => fetch(sim.url + path, { headers: KEY, ...(signal ? { signal } : {}) });
const admin = (sim: CloserSimulator, method: string, body?: unknown) =>
  fetch(`${sim.url}/__sim/faults`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });

async function total(sim: CloserSimulator, path: string): Promise<number> {
  return ((await (await get(sim, path)).json()) as Page<unknown>).total;
}

async function dump(sim: CloserSimulator): Promise<unknown> {
  const all = async <T>(path: string): Promise<T[]> => {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const body = (await (await get(sim, `${path}${path.includes('?') ? '&' : '?'}page=${page}&limit=100`)).json()) as Page<T>;
      if (body.data.length === 0) return out;
      out.push(...body.data);
    }
  };
  const bots = await all<{ id: string }>('/openapi/bot');
  const flows = (await Promise.all(bots.map((b) => all<Flow>(`/openapi/bot/${b.id}/flow`)))).flat();
  return {
    bots,
    flows,
    conversations: await all<Conversation>('/openapi/conversations'),
    endUsers: await all<EndUser>('/openapi/endusers'),
    messages: await all<Message>('/openapi/messages'),
  };
}

describe('faults set in-process', () => {
  it('adds latency', async () => {
    const sim = await start({ faults: { latencyMs: 150 } });
    const t0 = Date.now();
    expect((await get(sim, '/openapi/bot')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    sim.faults.clear();
    const t1 = Date.now();
    await get(sim, '/openapi/bot');
    expect(Date.now() - t1).toBeLessThan(140);
  });

  it('answers injected errors with the chosen status and the CLOSER error body', async () => {
    const sim = await start({ faults: { errorRate: 1, errorStatus: 503 } });
    const res = await get(sim, '/openapi/bot');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Injected failure' });
    sim.faults.set({ errorRate: 1 });
    expect((await get(sim, '/openapi/bot')).status).toBe(500);
  });

  it('rate limits with 429 and Retry-After', async () => {
    const sim = await start({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } });
    const res = await get(sim, '/openapi/conversations');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Too Many Requests' });
  });

  it('hangs until the client gives up', async () => {
    const sim = await start({ faults: { hangRate: 1 } });
    const t0 = Date.now();
    await expect(get(sim, '/openapi/bot', AbortSignal.timeout(200))).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('cuts JSON bodies short', async () => {
    const sim = await start({ faults: { malformedRate: 1 } });
    const res = await get(sim, '/openapi/bot');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('limits faults to the listed routes', async () => {
    const sim = await start({ faults: { errorRate: 1, routes: ['GET /openapi/bot/:botId'] } });
    expect((await get(sim, '/openapi/bot')).status).toBe(200);
    expect((await get(sim, `/openapi/bot/${sim.botIds[0]}`)).status).toBe(500);
  });
});

describe('faults through /__sim/faults', () => {
  let sim: CloserSimulator;
  beforeAll(async () => {
    sim = await start({ admin: true });
  });

  it('sets, reads and clears faults', async () => {
    const put = await admin(sim, 'PUT', { errorRate: 1, errorStatus: 502 });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ errorRate: 1, errorStatus: 502 });
    expect(await (await admin(sim, 'GET')).json()).toEqual({ errorRate: 1, errorStatus: 502 });
    const res = await get(sim, '/openapi/endusers');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { statusCode: number }).statusCode).toBe(502);
    expect((await admin(sim, 'DELETE')).status).toBe(204);
    expect(await (await admin(sim, 'GET')).json()).toEqual({});
    expect((await get(sim, '/openapi/endusers')).status).toBe(200);
  });

  it('drives latency, 429, hang and malformed JSON', async () => {
    await admin(sim, 'PUT', { latencyMs: 120 });
    const t0 = Date.now();
    expect((await get(sim, '/openapi/bot')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);

    await admin(sim, 'PUT', { rateLimitRate: 1, retryAfterSeconds: 3 });
    const limited = await get(sim, '/openapi/bot');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');

    await admin(sim, 'PUT', { hangRate: 1 });
    await expect(get(sim, '/openapi/bot', AbortSignal.timeout(150))).rejects.toThrow();

    await admin(sim, 'PUT', { malformedRate: 1 });
    const broken = await (await get(sim, '/openapi/bot')).text();
    expect(() => JSON.parse(broken)).toThrow();
    await admin(sim, 'DELETE');
    expect((await (await get(sim, '/openapi/bot')).json()) as Page<unknown>).toMatchObject({ total: 3 });
  });

  it('rejects a bad fault config with 400 and keeps the old one', async () => {
    await admin(sim, 'PUT', { latencyMs: 1 });
    expect((await admin(sim, 'PUT', { errorRate: 2 })).status).toBe(400);
    expect((await admin(sim, 'PUT', { nonsense: true })).status).toBe(400);
    expect(await (await admin(sim, 'GET')).json()).toEqual({ latencyMs: 1 });
    await admin(sim, 'DELETE');
  });

  it('is not served without admin: true', async () => {
    const plain = await start();
    expect((await admin(plain, 'GET')).status).toBe(404);
    expect((await admin(plain, 'PUT', { errorRate: 1 })).status).toBe(404);
    expect((await get(plain, '/openapi/bot')).status).toBe(200);
  });
});

describe('stats', () => {
  it('counts requests per route, lists every route, and resets', async () => {
    const sim = await start();
    await get(sim, '/openapi/bot');
    await get(sim, '/openapi/bot');
    await get(sim, `/openapi/bot/${sim.botIds[1]}/flow`);
    await get(sim, '/openapi/bot?limit=0'); // a 400 still counts
    await fetch(`${sim.url}/openapi/bot`); // so does a 401
    await get(sim, '/openapi/unknown');
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { simulator: string; total: number; routes: Record<string, number> };
    expect(stats.simulator).toBe('closer');
    expect(stats.routes['GET /openapi/bot']).toBe(4);
    expect(stats.routes['GET /openapi/bot/:botId/flow']).toBe(1);
    expect(stats.routes['GET (unmatched)']).toBe(1);
    expect(stats.routes['POST /openapi/message']).toBe(0);
    expect(Object.keys(stats.routes).filter((k) => k.includes('/openapi/'))).toHaveLength(16);
    expect(stats.total).toBe(6);
    expect(sim.stats.count('GET /openapi/bot')).toBe(4);
    expect((await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' })).status).toBe(204);
    const reset = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number; routes: Record<string, number> };
    expect(reset.total).toBe(0);
    expect(reset.routes['GET /openapi/bot']).toBe(0);
  });
});

describe('determinism', () => {
  it('gives identical data for the same seed and now, different data for another seed', async () => {
    const [a, b, c] = await Promise.all([start({ seed: 5 }), start({ seed: 5 }), start({ seed: 6 })]);
    const [da, db, dc] = await Promise.all([dump(a), dump(b), dump(c)]);
    expect(JSON.stringify(da)).toBe(JSON.stringify(db));
    expect(JSON.stringify(da)).not.toBe(JSON.stringify(dc));
    expect(a.botIds).toEqual(b.botIds);
  });

  it('shifts with now: the same seed at another now gives other timestamps', async () => {
    const [a, b] = await Promise.all([start({ seed: 5 }), start({ seed: 5, now: NOW + 86_400_000 })]);
    const [ca] = ((await (await get(a, '/openapi/conversations?limit=1')).json()) as Page<Conversation>).data;
    const [cb] = ((await (await get(b, '/openapi/conversations?limit=1')).json()) as Page<Conversation>).data;
    expect(ca!.updatedAt).not.toBe(cb!.updatedAt);
  });
});

describe('live activity', () => {
  it('adds messages, conversations and handoff changes that the API shows, when on', async () => {
    const sim = await start({ seed: 9, activity: true, activityIntervalMs: 5 });
    const before = { messages: await total(sim, '/openapi/messages?limit=1'), conversations: await total(sim, '/openapi/conversations?limit=1') };
    const since = NOW; // every seeded time is at or before now
    const look = async () => {
      const fresh = ((await (await get(sim, `/openapi/messages?from=${since + 1}&limit=100`)).json()) as Page<Message>).data;
      const changed = ((await (await get(sim, `/openapi/conversations?updatedFrom=${since + 1}&limit=100`)).json()) as Page<Conversation>).data;
      return {
        messages: await total(sim, '/openapi/messages?limit=1'),
        conversations: await total(sim, '/openapi/conversations?limit=1'),
        fresh,
        touchedStates: new Set(changed.map((c) => `${c.context.status}/${c.context.manual.status}`)),
      };
    };
    const enough = (l: Awaited<ReturnType<typeof look>>) =>
      l.messages > before.messages &&
      l.conversations > before.conversations &&
      l.fresh.some((m) => m.isUser) &&
      l.fresh.some((m) => !m.isUser) &&
      l.touchedStates.size > 1;
    // Waits for the traffic rather than a fixed time: a loaded machine ticks later.
    const seen = await waitFor(
      async () => {
        const l = await look();
        return enough(l) ? l : null;
      },
      'live traffic of every kind',
      10_000,
    );
    expect(seen.messages).toBeGreaterThan(before.messages);
    expect(seen.conversations).toBeGreaterThan(before.conversations);
    expect(seen.fresh.some((m) => m.isUser)).toBe(true);
    expect(seen.fresh.some((m) => !m.isUser)).toBe(true);
    expect(seen.touchedStates.size).toBeGreaterThan(1);
  });

  it('changes nothing when off', async () => {
    const sim = await start({ seed: 9, activityIntervalMs: 5 });
    const before = JSON.stringify(await dump(sim));
    // No fixed wait: a twin with activity on (same seed, same interval) changing proves that enough
    // time passed for the activity to have acted, had it been on.
    const twin = await start({ seed: 9, activity: true, activityIntervalMs: 5 });
    await waitFor(async () => JSON.stringify(await dump(twin)) !== before, 'the twin with activity on to change', 10_000);
    expect(JSON.stringify(await dump(sim))).toBe(before);
  });

  it('stops with close()', async () => {
    const sim = await startCloserSimulator({ now: NOW, activity: true, activityIntervalMs: 5 });
    await sim.close();
    await sim.close(); // safe twice
    await expect(fetch(`${sim.url}/openapi/bot`, { headers: KEY })).rejects.toThrow();
  });
});
