/**
 * The embedded simulators' admin routes (`/__sim/stats`, `/__sim/faults`): on the simulators' own
 * loopback ports they answer only with the random admin token botgraph made at start; through
 * botgraph (`/__sim/<provider>/<route>`) they are for admins only when auth is on, and open in the
 * open demo, like everything else there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { API_KEYS_ENV, KEYS } from './support.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV });
});

const through = (path: string, key: string | null, init: RequestInit = {}) =>
  fetch(`${bg.url}/__sim/${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string>) },
  });

describe("the simulators' admin routes", () => {
  it('refuse a direct call on the simulator port without the admin token (stats and faults)', async () => {
    const sim = bg.sim('CLOSER');
    expect((await fetch(`${sim.url}/__sim/stats`)).status).toBe(401);
    expect((await fetch(`${sim.url}/__sim/stats`, { headers: { 'x-sim-admin-token': 'guess' } })).status).toBe(401);
    const put = await fetch(`${sim.url}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(put.status).toBe(401);
    expect(sim.faults.get()).toEqual({});
    // botgraph's own token opens them (what the test helpers use to count upstream calls).
    expect((await fetch(`${sim.url}/__sim/stats`, { headers: bg.app.registry.simulatorAdminHeaders })).status).toBe(200);
  });

  it('through botgraph: anonymous 401, viewer and operator 403, admin reads stats and sets faults', async () => {
    expect((await through('closer/stats', null)).status).toBe(401);
    expect((await through('closer/stats', KEYS.viewer)).status).toBe(403);
    expect((await through('closer/stats', KEYS.operator)).status).toBe(403);
    const viewerPut = await through('closer/faults', KEYS.viewer, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"latencyMs":5}',
    });
    expect(viewerPut.status).toBe(403);
    expect(bg.sim('CLOSER').faults.get()).toEqual({});

    const stats = await through('closer/stats', KEYS.admin);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { total: number }).total).toEqual(expect.any(Number));
    const put = await through('botone/faults', KEYS.admin, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"latencyMs":5}',
    });
    expect(put.status).toBe(200);
    expect(bg.sim('BOTONE').faults.get()).toEqual({ latencyMs: 5 });
    expect((await through('botone/faults', KEYS.admin, { method: 'DELETE' })).status).toBe(204);
    expect(bg.sim('BOTONE').faults.get()).toEqual({});
    expect((await through('nope/stats', KEYS.admin)).status).toBe(404);
  });
});

describe('in the open demo', () => {
  it('are served through botgraph without a credential', async () => {
    const open = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'cxone' });
    const res = await fetch(`${open.url}/__sim/cxone/stats`);
    expect(res.status).toBe(200);
    expect((await fetch(`${open.url}/__sim/closer/stats`)).status).toBe(404);
    expect((await fetch(`${open.sim('CXONE').url}/__sim/stats`)).status).toBe(401);
  });
});
