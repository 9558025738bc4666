/**
 * JWKS rotation, with a real key set served on a free port that the test rewrites: a token signed
 * with a new key (a new `kid`) is accepted once the key is published (jose refetches the set for
 * an unknown `kid`, at most once per AUTH_JWKS_COOLDOWN_MS), and a removed key's tokens are
 * refused once the cached set is older than AUTH_JWKS_CACHE_MAX_AGE_MS and has been refetched.
 * Both on HTTP and at a WebSocket's connection_init (4403).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { gqlAs, rawSocket, waitFor, wsAs, wsOnce } from './support.js';

const ISSUER = 'https://idp.rotation.example/';
const AUDIENCE = 'botgraph-rotation';
const QUERY = '{ __typename }';
const COOLDOWN_MS = 300;
const CACHE_MAX_AGE_MS = 1_500;

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}
async function newKey(kid: string): Promise<Key> {
  const pair = await generateKeyPair('ES256');
  return { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' } };
}
const sign = (key: Key) =>
  new SignJWT({ botgraph_role: 'viewer' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuedAt()
    .setSubject(`user-${key.kid}`)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('10m')
    .sign(key.privateKey);

let jwks: Server;
let published: Key[] = [];
let fetches = 0;
let bg: TestBotgraph;
let oldKey: Key;
let newerKey: Key;

beforeAll(async () => {
  oldKey = await newKey('old');
  newerKey = await newKey('new');
  published = [oldKey];
  jwks = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', () => resolve()));
  bg = await startTestBotgraph({
    AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    AUTH_JWT_ISSUER: ISSUER,
    AUTH_JWT_AUDIENCE: AUDIENCE,
    AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    AUTH_JWKS_CACHE_MAX_AGE_MS: String(CACHE_MAX_AGE_MS),
    RATE_LIMIT_OPS_PER_SECOND: '0',
  });
});
afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

const status = async (token: string) => (await gqlAs(bg, token, QUERY)).status;

describe('JWKS rotation', () => {
  it('accepts a new key once published, and refuses a removed key after the cache refresh', async () => {
    const oldToken = await sign(oldKey);
    const newToken = await sign(newerKey);
    expect(await status(oldToken)).toBe(200);
    expect(fetches).toBe(1);
    // Not published yet: unknown kid, refused (jose may refetch once; the key is still not there).
    expect(await status(newToken)).toBe(401);

    // Rotation, step 1: the IdP publishes the new key beside the old one.
    published = [oldKey, newerKey];
    const before = fetches;
    await waitFor(async () => (await status(newToken)) === 200, 'the new key to be accepted', 10_000, 100);
    expect(fetches).toBeGreaterThan(before);
    const client = wsAs(bg, newToken);
    const ws = await wsOnce(client, QUERY);
    await client.dispose();
    expect(ws.error).toBeUndefined();
    expect(await status(oldToken)).toBe(200);

    // Step 2: the old key is removed. Its tokens are refused once the cached set is refetched.
    published = [newerKey];
    const removedAt = Date.now();
    const fetchesAtRemoval = fetches;
    await waitFor(async () => (await status(oldToken)) === 401, 'the removed key to be refused', 10_000, 100);
    const refusedAfterMs = Date.now() - removedAt;
    console.log(`[jwks] removed key refused ${refusedAfterMs} ms after removal (cache max age ${CACHE_MAX_AGE_MS} ms)`);
    expect(fetches).toBeGreaterThan(fetchesAtRemoval);
    expect(refusedAfterMs).toBeLessThan(CACHE_MAX_AGE_MS + 5_000);
    expect((await gqlAs(bg, oldToken, QUERY)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await rawSocket(bg, { authorization: `Bearer ${oldToken}` })).code).toBe(4403);
    // The new key keeps working.
    expect(await status(newToken)).toBe(200);
  });
});
