/**
 * `/files/<provider>/<id>`: a Bot.one conversation's `collectedData.fileUrl` is a relative botgraph
 * URL that streams the vendor's bytes with the vendor's content type, never the vendor URL or the
 * credentials; unknown, deleted and malformed files, and providers without files, answer 404 JSON.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { expectNoLeak, expectNoUpstreamCalls } from './support.js';

let bg: TestBotgraph;
const live: { fileUrl: string; answer: string }[] = [];
const deleted: { fileUrl: string | null; answer: string }[] = [];

beforeAll(async () => {
  bg = await startTestBotgraph();
  // Uploads sit in finished conversations; the seed has several, about 10% of them deleted.
  for (const status of ['COMPLETED', 'INTERRUPTED', 'WITH_OPERATOR', 'ACTIVE']) {
    const res = await bg.gql(
      `query($s: [ConversationStatus!]) { conversations(first: 100, filter: { providers: [BOTONE], statuses: $s }) { nodes { collectedData { answer deleted fileUrl } } } }`,
      { s: [status] },
    );
    expect(res.errors).toBeUndefined();
    for (const node of res.data.conversations.nodes) {
      for (const d of node.collectedData) {
        if (d.deleted && /\/file\/\d+$/.test(d.answer ?? '')) deleted.push(d);
        else if (d.fileUrl) live.push(d);
      }
    }
    if (live.length >= 3 && deleted.length >= 1) break;
  }
});

const basic = `Basic ${Buffer.from('demo@bot.one:demo').toString('base64')}`;

describe('file downloads', () => {
  it('fileUrl is a relative botgraph URL, /files/botone/<id>', () => {
    expect(live.length).toBeGreaterThanOrEqual(3);
    for (const d of live) {
      expect(d.fileUrl).toMatch(/^\/files\/botone\/\d+$/);
      // The id is the vendor's file id, from the end of the vendor URL.
      expect(d.answer.endsWith(`/file/${d.fileUrl.split('/').at(-1)}`)).toBe(true);
    }
  });

  it('GET streams the bytes with the vendor content type; headers and body carry no vendor URL or credential', async () => {
    const types = new Set<string>();
    for (const d of live.slice(0, 6)) {
      const id = d.fileUrl.split('/').at(-1);
      const res = await fetch(bg.url + d.fileUrl);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      // The same bytes and type as the vendor serves them.
      const vendor = await fetch(`${bg.sim('BOTONE').url}/api/v2/file/${id}`, { headers: { authorization: basic } });
      expect(vendor.status).toBe(200);
      const vendorBody = Buffer.from(await vendor.arrayBuffer());
      expect(body.equals(vendorBody)).toBe(true);
      expect(body.length).toBeGreaterThan(0);
      expect(res.headers.get('content-type')).toBe(vendor.headers.get('content-type'));
      expect(res.headers.get('content-length')).toBe(String(body.length));
      types.add(res.headers.get('content-type') as string);
      const headers = JSON.stringify([...res.headers.entries()]);
      expectNoLeak(bg, headers);
      expect(headers.toLowerCase()).not.toContain('authorization');
      // Text files: the body is the file, not a vendor error or URL.
      if (res.headers.get('content-type')!.startsWith('text/')) expectNoLeak(bg, body.toString('utf8'));
    }
    expect([...types].every((t) => /^(image\/png|application\/pdf|text\/plain; charset=utf-8)$/.test(t))).toBe(true);
  });

  it('HEAD answers the headers only', async () => {
    const res = await fetch(bg.url + live[0]!.fileUrl, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/\//);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  async function expectNotFoundJson(path: string, provider?: string) {
    const res = await fetch(bg.url + path);
    expect(res.status, path).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.code, path).toBe('NOT_FOUND');
    if (provider) expect(body.provider).toBe(provider);
    expectNoLeak(bg, text);
    // botgraph's own words: the vendor's error body (which names the file) stays on the server.
    expect(Object.keys(body).sort()).toEqual(provider ? ['code', 'error', 'provider'] : expect.arrayContaining(['code']));
    expect(body.error).not.toMatch(/\d{3,}/);
  }

  it('an unknown file → 404 JSON with code NOT_FOUND, without the vendor message', async () => {
    await expectNotFoundJson('/files/botone/99999999', 'BOTONE');
  });

  it('a deleted file has no fileUrl, and its id → 404 NOT_FOUND', async () => {
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    expect(deleted.every((d) => d.fileUrl === null)).toBe(true);
    const id = /\/file\/(\d+)$/.exec(deleted[0]!.answer)![1];
    await expectNotFoundJson(`/files/botone/${id}`, 'BOTONE');
  });

  it('providers without files, and ids that cannot be files, → 404 with no upstream call', async () => {
    await bg.resetStats();
    for (const path of ['/files/cxone/1', '/files/closer/1', '/files/botone/abc', '/files/botone/..%2F..%2Fapi', '/files/acme/1', '/files/botone/']) {
      const res = await fetch(bg.url + path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { code?: string };
      expect(body.code, path).toBe('NOT_FOUND');
    }
    await expectNoUpstreamCalls(bg);
  });

  it('messages carrying a file point at botgraph, never at the vendor', async () => {
    const res = await bg.gql(
      `{ conversations(first: 100, filter: { providers: [BOTONE], statuses: [COMPLETED] }) { nodes { messages(first: 50) { nodes { text attachments { kind url } } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const files = res.data.conversations.nodes.flatMap((c: any) =>
      c.messages.nodes.filter((m: any) => m.attachments.some((a: any) => a.kind === 'file')),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const m of files) {
      const url = m.attachments.find((a: any) => a.kind === 'file').url;
      expect(url).toMatch(/^\/files\/botone\/\d+$/);
      expect(m.text).toBe(url);
    }
    expectNoLeak(bg, res);
  });

  it('only GET and HEAD', async () => {
    const res = await fetch(bg.url + live[0]!.fileUrl, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
