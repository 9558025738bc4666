/**
 * JWT from an identity provider, with a real JWKS served on a free port and tokens signed by jose:
 * role and scope claims, issuer/audience, expiry refused on HTTP and WebSocket, and a socket
 * closed with 4403 when its token expires.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect } from '../../helpers/live.js';
import { gqlAs, rawSocket, waitFor, wsAs, wsOnce } from './support.js';

const ISSUER = 'https://idp.test.example/';
const AUDIENCE = 'botgraph-test';
const QUERY = '{ conversations(first: 3) { nodes { provider } } }';

let jwks: Server;
let bg: TestBotgraph;
let privateKey: CryptoKey;
let strangerKey: CryptoKey;
let jwksFetches = 0;

async function token(
  claims: Record<string, unknown>,
  options: { exp?: number | string; iss?: string; aud?: string; key?: CryptoKey; kid?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
    .setIssuedAt()
    .setSubject('user-42')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setExpirationTime(options.exp ?? '10m');
  return jwt.sign(options.key ?? privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', () => resolve()));
  const { port } = jwks.address() as AddressInfo;
  bg = await startTestBotgraph({
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    AUTH_JWT_ISSUER: ISSUER,
    AUTH_JWT_AUDIENCE: AUDIENCE,
  });
});
afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

describe('JWT', () => {
  it('a valid token with a role reads on HTTP and WebSocket; the key set is fetched once and cached', async () => {
    const viewer = await token({ botgraph_role: 'viewer' });
    const http = await gqlAs(bg, viewer, QUERY);
    expect(http.status).toBe(200);
    expect(http.data.conversations.nodes).toHaveLength(3);
    const client = wsAs(bg, viewer);
    const ws = await wsOnce(client, QUERY);
    await client.dispose();
    expect(ws.results[0]?.data).toEqual(http.data);
    for (let i = 0; i < 3; i++) await gqlAs(bg, await token({ botgraph_role: 'viewer' }), QUERY);
    expect(jwksFetches).toBe(1);
  });

  it('expired, foreign-signed, wrong issuer or audience, or role-less tokens are UNAUTHENTICATED on HTTP and WebSocket', async () => {
    const bad = [
      await token({ botgraph_role: 'viewer' }, { exp: Math.floor(Date.now() / 1000) - 60 }),
      await token({ botgraph_role: 'viewer' }, { key: strangerKey }),
      await token({ botgraph_role: 'viewer' }, { iss: 'https://evil.example/' }),
      await token({ botgraph_role: 'viewer' }, { aud: 'someone-else' }),
      await token({}),
      await token({ botgraph_role: 'root' }),
    ];
    for (const [i, t] of bad.entries()) {
      const r = await gqlAs(bg, t, QUERY);
      expect(r.status, `token ${i}`).toBe(401);
      expect(r.errors?.[0]?.extensions?.code, `token ${i}`).toBe('UNAUTHENTICATED');
      expect((await rawSocket(bg, { authorization: `Bearer ${t}` })).code, `token ${i}`).toBe(4403);
    }
    expect((await gqlAs(bg, bad[0]!, QUERY)).errors?.[0]?.message).toMatch(/expired/);
  });

  it('a viewer token cannot mutate; an operator token can', async () => {
    const UPDATE = 'mutation($id: ID!) { updateConversation(input: { conversationId: $id, tags: ["jwt"] }) { conversation { id } } }';
    const list = await gqlAs(
      bg,
      await token({ botgraph_role: 'viewer' }),
      '{ conversations(first: 1, filter: { providers: [CLOSER] }) { nodes { id } } }',
    );
    const id = list.data.conversations.nodes[0].id;
    const viewer = await gqlAs(bg, await token({ botgraph_role: 'viewer' }), UPDATE, { id });
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const operator = await gqlAs(bg, await token({ botgraph_role: 'operator' }), UPDATE, { id });
    expect(operator.errors).toBeUndefined();
  });

  it('the scope claim limits what exists', async () => {
    const scoped = await token({ botgraph_role: 'viewer', botgraph_scope: ['CXONE'] });
    const r = await gqlAs(bg, scoped, '{ conversations(first: 20) { nodes { provider } } }');
    expect(r.data.conversations.nodes.length).toBeGreaterThan(0);
    expect(new Set(r.data.conversations.nodes.map((n: any) => n.provider))).toEqual(new Set(['CXONE']));
    expect((await gqlAs(bg, await token({ botgraph_role: 'viewer', botgraph_scope: ['NOPE'] }), QUERY)).status).toBe(401);
  });

  it('a socket is closed with 4403 when its token expires, not before', async () => {
    const expSeconds = Math.floor(Date.now() / 1000) + 3;
    const short = await token({ botgraph_role: 'viewer' }, { exp: expSeconds });
    let closed: { code: number; at: number } | undefined;
    const client = wsAs(bg, short);
    client.on('closed', (event) => {
      closed = { code: (event as { code: number }).code, at: Date.now() };
    });
    const sub = collect(client, 'subscription { conversationUpdated { id } }');
    await waitFor(() => client && sub.error === undefined && Date.now() > expSeconds * 1000 - 2500, 'the subscription to run');
    expect(closed).toBeUndefined();
    await waitFor(() => closed, 'the socket to close', 10_000);
    expect(closed!.code).toBe(4403);
    expect(closed!.at).toBeGreaterThanOrEqual(expSeconds * 1000 - 50);
    await client.dispose();
  });
});
