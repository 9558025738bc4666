/**
 * `/metrics` on the public port is admin-only once auth is on: its series name providers, routes
 * and traffic. Without auth (the open demo) it stays open, as health-metrics.test.ts shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

const VIEWER = 'viewer-key-for-metrics-test-0001';
const ADMIN = 'admin-key-for-metrics-test-00001';
let bg: TestBotgraph;

beforeAll(async () => {
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: `viewer:${VIEWER},admin:${ADMIN}` });
});
afterAll(async () => {
  await bg?.close();
});

const scrape = (authorization?: string) => fetch(`${bg.url}/metrics`, authorization ? { headers: { authorization } } : {});

describe('/metrics with auth on', () => {
  it('refuses no credential (401) and a bad one (401)', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await scrape('Bearer not-a-key')).status).toBe(401);
  });

  it('refuses a viewer (403) and serves an admin the Prometheus text', async () => {
    const viewer = await scrape(`Bearer ${VIEWER}`);
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const admin = await scrape(`Bearer ${ADMIN}`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toContain('text/plain');
    expect(await admin.text()).toMatch(/^# HELP botgraph_/m);
  });
});
