import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { waitFor } from '../../helpers/wait.js';

const NOW = Date.parse('2023-05-29T12:00:00Z');
const LIST = 'GET /api/v2/conversations';

const authFor = (sim: BotoneSimulator) => ({
  authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
});
const list = (sim: BotoneSimulator, query = '', signal?: AbortSignal) =>
  fetch(`${sim.url}/api/v2/conversations${query}`, { headers: authFor(sim), ...(signal ? { signal } : {}) });

type Page = Record<string, { id: string; updated: string; status: string }> & { meta: { pagination: { total: number } } };

/** Every conversation with its whole data, the base URL (in file links) taken out so two simulators compare. */
async function dump(sim: BotoneSimulator): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let n = 1; ; n++) {
    const page = (await (await list(sim, `?PageCount=100&PageNumber=${n}`)).json()) as Page;
    const ids = Object.keys(page)
      .filter((k) => k !== 'meta')
      .map((k) => page[k]!.id);
    for (const id of ids) {
      const text = await (await fetch(`${sim.url}/api/v2/conversation/${id}`, { headers: authFor(sim) })).text();
      // A conversation with no message yet (`updated: ""`) has a duration that counts on with the
      // simulator's clock, which runs with the wall clock from start-up: two simulators started a
      // moment apart read a second apart. Everything else must be identical.
      out.push(
        text
          .split(sim.url)
          .join('<base>')
          .replace(/("updated":"","duration":)\d+/, '$1"live"'),
      );
    }
    if (ids.length < 100) return out;
  }
}

async function snapshot(sim: BotoneSimulator): Promise<string> {
  const page = (await (await list(sim, '?PageCount=100')).json()) as Page;
  return JSON.stringify(page);
}

describe('fault injection through options', () => {
  const sims: BotoneSimulator[] = [];
  const start = async (faults: NonNullable<Parameters<typeof startBotoneSimulator>[0]>['faults']) => {
    const sim = await startBotoneSimulator({ now: NOW, faults });
    sims.push(sim);
    return sim;
  };
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  it('latency delays only the chosen route', async () => {
    const sim = await start({ latencyMs: 250, routes: [LIST] });
    let t = Date.now();
    expect((await list(sim)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(240);
    t = Date.now();
    expect((await fetch(`${sim.url}/api/v1/conversations`, { headers: authFor(sim) })).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(200);
  });

  it('errorRate + errorStatus answers that status in the error format', async () => {
    const sim = await start({ errorRate: 1, errorStatus: 503 });
    const res = await list(sim);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 503, error: 'Service Unavailable', message: 'Injected failure' });
  });

  it('rateLimitRate answers 429 with Retry-After', async () => {
    const sim = await start({ rateLimitRate: 1, retryAfterSeconds: 7 });
    const res = await list(sim);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { code: number }).code).toBe(429);
  });

  it('hangRate leaves the request unanswered until the client gives up', async () => {
    const sim = await start({ hangRate: 1, routes: [LIST] });
    await expect(list(sim, '', AbortSignal.timeout(300))).rejects.toThrow(/timeout|abort/i);
    // Other routes still answer.
    expect((await fetch(`${sim.url}/api/v1/conversations`, { headers: authFor(sim) })).status).toBe(200);
  });

  it('malformedRate cuts successful JSON bodies short', async () => {
    const sim = await start({ malformedRate: 1 });
    const res = await list(sim);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"0":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('the handle’s FaultController changes faults in process', async () => {
    const sim = await start({});
    sim.faults.set({ errorRate: 1, errorStatus: 502 });
    expect((await list(sim)).status).toBe(502);
    sim.faults.clear();
    expect((await list(sim)).status).toBe(200);
  });
});

describe('fault injection through /__sim/faults', () => {
  let sim: BotoneSimulator;
  const put = (body: unknown) =>
    fetch(`${sim.url}/__sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    sim = await startBotoneSimulator({ now: NOW, admin: true });
  });
  afterEach(async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('GET shows, PUT replaces and DELETE clears the faults', async () => {
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual({});
    const res = await put({ errorRate: 1, errorStatus: 500, routes: [LIST] });
    expect(res.status).toBe(200);
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual({ errorRate: 1, errorStatus: 500, routes: [LIST] });
    expect((await list(sim)).status).toBe(500);
    expect((await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await list(sim)).status).toBe(200);
  });

  it('rejects an invalid configuration with 400', async () => {
    expect((await put({ errorRate: 2 })).status).toBe(400);
    expect((await put({ nonsense: true })).status).toBe(400);
  });

  it('latency', async () => {
    await put({ latencyMs: 200 });
    const t = Date.now();
    await list(sim);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });

  it('error rate and status', async () => {
    await put({ errorRate: 1, errorStatus: 504 });
    const res = await list(sim);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { code: number }).code).toBe(504);
  });

  it('429 with Retry-After', async () => {
    await put({ rateLimitRate: 1, retryAfterSeconds: 3 });
    const res = await list(sim);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('hang', async () => {
    await put({ hangRate: 1 });
    await expect(list(sim, '', AbortSignal.timeout(300))).rejects.toThrow(/timeout|abort/i);
  });

  it('malformed JSON', async () => {
    await put({ malformedRate: 1 });
    const res = await list(sim);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('is absent when admin is off', async () => {
    const plain = await startBotoneSimulator({ now: NOW });
    try {
      expect((await fetch(`${plain.url}/__sim/faults`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('request stats', () => {
  let sim: BotoneSimulator;
  beforeAll(async () => {
    sim = await startBotoneSimulator({ now: NOW });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('counts every route by its pattern, lists unused routes at zero, and resets', async () => {
    const stats = async () =>
      (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { simulator: string; total: number; routes: Record<string, number> };
    const first = await stats();
    expect(first.simulator).toBe('botone');
    expect(Object.keys(first.routes)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/conversations',
        'GET /api/v1/conversation/:id',
        'GET /api/v1/dialog/:botId/create',
        'GET /api/v1/file/:fileId',
        LIST,
        'GET /api/v2/conversation/:uuid',
        'GET /api/v2/dialog/:botId/create',
        'POST /api/v2/dialog/:botId/create',
        'POST /api/v2/conversation/:uuid/stop',
        'POST /api/v2/conversation/:uuid/start',
        'POST /api/v2/conversation/:uuid/send',
        'POST /api/v2/conversation/:uuid/command',
        'GET /api/v2/file/:fileId',
        'POST /api/vertex/v1/complete',
        'POST /api/vertex/v1/dialog/send_message',
        'POST /api/vertex/v1/send_message',
        'GET /web/file/:fileId',
      ]),
    );
    expect(Object.values(first.routes).every((n) => n === 0)).toBe(true);

    await list(sim);
    await list(sim, '?PageNumber=2');
    await list(sim, '?PageCount=999'); // a 400 still counts
    await fetch(`${sim.url}/api/v1/conversation/150`, { headers: authFor(sim) });
    await fetch(`${sim.url}/nowhere`);
    const after = await stats();
    expect(after.routes[LIST]).toBe(3);
    expect(after.routes['GET /api/v1/conversation/:id']).toBe(1);
    expect(after.routes['GET (unmatched)']).toBe(1);
    expect(after.total).toBe(5);
    expect(sim.stats.count(LIST)).toBe(3);

    expect((await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' })).status).toBe(204);
    expect((await stats()).total).toBe(0);
  });
});

describe('determinism', () => {
  it('the same seed and now give identical data; another seed gives different data', async () => {
    const [a, b, c] = await Promise.all([
      startBotoneSimulator({ seed: 42, now: NOW }),
      startBotoneSimulator({ seed: 42, now: NOW }),
      startBotoneSimulator({ seed: 43, now: NOW }),
    ]);
    try {
      const [da, db, dc] = await Promise.all([dump(a), dump(b), dump(c)]);
      expect(da.length).toBeGreaterThanOrEqual(300);
      expect(db).toEqual(da);
      expect(dc).not.toEqual(da);
      expect(a.vertexTokens()).toEqual(b.vertexTokens());
      expect(a.botIds).toEqual(c.botIds);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('places the history relative to now', async () => {
    const later = NOW + 30 * 86_400_000;
    const [a, b] = await Promise.all([startBotoneSimulator({ now: NOW }), startBotoneSimulator({ now: later })]);
    try {
      const newest = async (sim: BotoneSimulator) => {
        const page = (await (await list(sim, '?UpdatedFrom=2000-01-01&PageCount=1')).json()) as Page;
        return Date.parse(page['0']!.updated);
      };
      const [na, nb] = await Promise.all([newest(a), newest(b)]);
      expect(na).toBeLessThanOrEqual(NOW);
      expect(na).toBeGreaterThan(NOW - 7 * 86_400_000);
      expect(nb).toBeGreaterThan(NOW);
      expect(nb).toBeLessThanOrEqual(later);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('live activity', () => {
  it('produces new conversations, messages and status changes visible over HTTP when on', async () => {
    const sim = await startBotoneSimulator({ now: NOW, activity: true, activityIntervalMs: 15 });
    try {
      const before = (await (await list(sim, '?PageCount=1')).json()) as Page;
      const tokens = sim.vertexTokens();
      // Activity writes move `updated` past the seeded history: wait (no fixed pause) until it has
      // added conversations and touched more than 5, in more than one status.
      const freshPage = async () =>
        (await (await list(sim, `?PageCount=100&UpdatedFrom=${encodeURIComponent('2023-05-29T12:00:00Z')}`)).json()) as Page;
      const statusesOf = (page: Page) =>
        new Set(
          Object.keys(page)
            .filter((k) => k !== 'meta')
            .map((k) => page[k]!.status),
        );
      const fresh = await waitFor(
        async () => {
          const total = ((await (await list(sim, '?PageCount=1')).json()) as Page).meta.pagination.total;
          const page = await freshPage();
          return total > before.meta.pagination.total && page.meta.pagination.total > 5 && statusesOf(page).size > 1 ? page : null;
        },
        'activity to add conversations and touch more than 5 in several statuses',
        10_000,
      );
      expect(fresh.meta.pagination.total).toBeGreaterThan(5);
      const statuses = statusesOf(fresh);
      expect(statuses.size).toBeGreaterThan(1);
      // A conversation held by a custom block is left alone, so the demo token survives activity.
      expect(sim.vertexTokens()).toContain('vertex-demo-token');
      expect(tokens).toContain('vertex-demo-token');
    } finally {
      await sim.close();
    }
  });

  it('changes nothing when off', async () => {
    const sim = await startBotoneSimulator({ now: NOW, activityIntervalMs: 15 });
    const twin = await startBotoneSimulator({ now: NOW, activity: true, activityIntervalMs: 15 });
    try {
      const before = await snapshot(sim);
      // No fixed wait: the twin with activity on adding a conversation proves enough time passed.
      const total = (s: string) => (JSON.parse(s) as Page).meta.pagination.total;
      await waitFor(async () => total(await snapshot(twin)) > total(before), 'the twin with activity on to add a conversation', 10_000);
      expect(await snapshot(sim)).toBe(before);
    } finally {
      await Promise.all([sim.close(), twin.close()]);
    }
  });
});
