/**
 * Browsers: CORS preflights and responses for listed origins only, and the WebSocket upgrade's
 * Origin checked against the same list before the upgrade (cross-site WebSocket hijacking).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { API_KEYS_ENV, KEYS, rawSocket, wsAs, wsOnce } from './support.js';

const APP = 'https://console.example';
const EVIL = 'https://evil.example';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph({ BOTGRAPH_API_KEYS: API_KEYS_ENV, CORS_ORIGINS: `${APP},http://localhost:5173` });
});

const preflight = (origin: string) =>
  fetch(`${bg.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

describe('CORS', () => {
  it('a preflight from a listed origin passes, with the headers a GraphQL client needs', async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('a preflight from another origin fails (403, no allow-origin)', async () => {
    const res = await preflight(EVIL);
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the real request carries allow-origin for a listed origin only', async () => {
    const post = (origin: string) =>
      fetch(`${bg.url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${KEYS.viewer}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    const ok = await post(APP);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
    const evil = await post(EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('`*` allows any origin, without credentials', async () => {
    const open = await startTestBotgraph({ CORS_ORIGINS: '*' });
    const res = await fetch(`${open.url}/graphql`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    await open.close();
  });
});

describe('WebSocket Origin', () => {
  it('an upgrade with an unlisted Origin is refused before the upgrade, even with a valid key', async () => {
    const r = await rawSocket(bg, { authorization: `Bearer ${KEYS.admin}` }, { origin: EVIL });
    expect(r.status).toBe(403);
    expect(r.code).toBeUndefined();
  });

  it('a listed Origin, the page botgraph served itself, and no Origin at all (a server) are let through', async () => {
    const cases: Record<string, string>[] = [{ origin: APP }, { origin: `http://127.0.0.1:${bg.app.port}` }, {}];
    for (const headers of cases) {
      const client = wsAs(bg, KEYS.viewer, headers);
      const r = await wsOnce(client, '{ __typename }');
      await client.dispose();
      expect(r.error, JSON.stringify(headers)).toBeUndefined();
      expect(r.results[0]).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('the open demo refuses foreign pages too', async () => {
    const demo = await startTestBotgraph({});
    expect((await rawSocket(demo, {}, { origin: EVIL })).status).toBe(403);
    const client = wsAs(demo, null, { origin: `http://127.0.0.1:${demo.app.port}` });
    expect((await wsOnce(client, '{ __typename }')).results[0]).toEqual({ data: { __typename: 'Query' } });
    await client.dispose();
    await demo.close();
  });
});
