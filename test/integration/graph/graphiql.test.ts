/**
 * GraphiQL works offline: the page served at `GET /graphql` (Accept: text/html) references only
 * assets of this server, by path, and every one of them is served with a JS or CSS content type.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

let bg: TestBotgraph;
let html: string;
let contentType: string | null;

beforeAll(async () => {
  bg = await startTestBotgraph();
  const res = await fetch(`${bg.url}/graphql`, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  contentType = res.headers.get('content-type');
  html = await res.text();
});

function references(page: string): string[] {
  return [...page.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);
}

describe('GraphiQL', () => {
  it('is an HTML page that mounts GraphiQL', () => {
    expect(contentType).toMatch(/^text\/html/);
    expect(html).toMatch(/<!doctype html>/i);
    expect(html).toContain('GraphiQL');
    expect(html).toContain('id="graphiql"');
  });

  it('references only paths on this server: no http://, https:// or // URL anywhere in the page', () => {
    const refs = references(html);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref, ref).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
      expect(ref, ref).not.toMatch(/^\/\//);
      expect(ref.length).toBeGreaterThan(0);
    }
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/["'(]\/\/[a-z0-9]/i);
  });

  it('serves every referenced asset with a JS or CSS content type', async () => {
    const refs = references(html);
    const kinds = new Set<string>();
    for (const ref of refs) {
      const url = new URL(ref, `${bg.url}/graphql`);
      expect(url.origin).toBe(new URL(bg.url).origin);
      const res = await fetch(url);
      expect(res.status, ref).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      expect(type, ref).toMatch(/^(text\/javascript|application\/javascript|text\/css)\b/);
      const body = await res.text();
      expect(body.length, ref).toBeGreaterThan(1_000);
      kinds.add(type.startsWith('text/css') ? 'css' : 'js');
    }
    expect(kinds).toEqual(new Set(['js', 'css']));
  });

  it('serves nothing else under /graphiql/, and a JSON client still gets GraphQL at GET /graphql', async () => {
    for (const path of ['/graphiql/package.json', '/graphiql/%2e%2e%2fpackage.json', '/graphiql/']) {
      const res = await fetch(`${bg.url}${path}`);
      expect(res.status, path).toBe(404);
      await res.body?.cancel();
    }
    const res = await fetch(`${bg.url}/graphql?query=${encodeURIComponent('{ providers { provider } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.providers).toHaveLength(3);
  });

  it('serves assets compressed (br, gzip), immutable under their hash, and revalidated by ETag', async () => {
    const ref = references(html).find((r) => r.startsWith('/graphiql/graphiql.js'))!;
    expect(ref).toMatch(/\?v=[0-9a-f]{16}$/);
    const raw = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, any>; body: Buffer }>((resolve, reject) => {
        const req = request(`${bg.url}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const plain = await raw(ref, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await raw(ref, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await raw(ref, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(gz.headers.vary).toMatch(/accept-encoding/i);

    const etag = plain.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await raw(ref, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // Without the current hash the URL may change content: cacheable, but revalidated.
    const unversioned = await raw('/graphiql/graphiql.js', {});
    expect(unversioned.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(unversioned.headers.etag).toBe(etag);
  });
});
