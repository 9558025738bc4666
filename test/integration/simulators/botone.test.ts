import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';

/** A fixed "now" so that the seeded history and the date filters below are stable. */
const NOW = Date.parse('2023-05-29T12:00:00Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

type Summary = {
  id: number | string;
  name: string;
  status: string;
  ip: string;
  location: string;
  updated: string;
  duration: number;
  source?: string;
};
type Item = { question: string; type: string; answer: string | null; variable: string | null; deleted?: boolean };
type Detail = Summary & { data: Item[] | string };
type Detail2 = Summary & { data: Item[] };
type Page = Record<string, unknown> & {
  meta: {
    pagination: {
      total: number;
      count: number;
      per_page: number;
      current_page: number;
      total_pages: number;
      links: { next?: string; previous?: string };
    };
  };
};

let sim: BotoneSimulator;
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
const auth = () => basic(sim.username, sim.password);

async function get(path: string, headers: Record<string, string> = auth()): Promise<Response> {
  return fetch(sim.url + path, { headers });
}
async function getJson<T>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}
async function post(path: string, body?: unknown, headers: Record<string, string> = auth()): Promise<Response> {
  return fetch(sim.url + path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}
function items(page: Page): Summary[] {
  return Object.entries(page)
    .filter(([k]) => k !== 'meta')
    .map(([, v]) => v as Summary);
}
async function all(version: 1 | 2, query = ''): Promise<Summary[]> {
  const out: Summary[] = [];
  for (let n = 1; ; n++) {
    const page = await getJson<Page>(`/api/v${version}/conversations?PageCount=100&PageNumber=${n}${query}`);
    out.push(...items(page));
    if (n >= page.meta.pagination.total_pages) return out;
  }
}
async function expectError(res: Response, status: number): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { code: number; error: string; message: string };
  expect(body.code).toBe(status);
  expect(typeof body.error).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}
async function detail2(uuid: string): Promise<Detail2> {
  const d = await getJson<Detail>(`/api/v2/conversation/${uuid}`);
  expect(typeof d.data).toBe('string');
  return { ...d, data: JSON.parse(d.data as string) as Item[] };
}

beforeAll(async () => {
  sim = await startBotoneSimulator({ now: NOW, seed: 7 });
});
afterAll(async () => {
  await sim.close();
});

describe('seeded data', () => {
  let v1: Summary[];
  let v2: Summary[];
  let details: Detail2[];

  beforeAll(async () => {
    v1 = await all(1);
    v2 = await all(2);
    details = await Promise.all(v1.map((c) => getJson<Detail2>(`/api/v1/conversation/${c.id}`)));
  });

  it('has at least 3 bots, 300 conversations and 3,000 collected items', () => {
    expect(sim.botIds).toEqual([1446, 1447, 1448]);
    expect(v1.length).toBeGreaterThanOrEqual(300);
    expect(details.reduce((n, d) => n + d.data.length, 0)).toBeGreaterThanOrEqual(3000);
  });

  it('has every status, and updated "" for web visitors (like the document\'s) and for API-created conversations', () => {
    expect(new Set(v1.map((c) => c.status))).toEqual(new Set(['in-process', 'completed', 'operator', 'interrupted']));
    const fresh = v2.filter((c) => c.updated === '');
    expect(fresh.length).toBeGreaterThan(0);
    // The document's v2 list: item "0" is "#319 Perm", "status": "in-process", "ip": "92.255.128.210",
    // "updated": "", "duration": 935037, "source": "web": a real visitor with no message yet, whose
    // duration (about 10.8 days) counts on from the start.
    const visitors = fresh.filter((c) => c.source === 'web');
    const api = fresh.filter((c) => c.source === 'api');
    expect(visitors.length).toBeGreaterThan(0);
    expect(api.length).toBeGreaterThan(0);
    expect(visitors.length + api.length).toBe(fresh.length);
    for (const c of visitors) {
      expect(c).toMatchObject({ status: 'in-process' });
      expect(c.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(c.location).not.toBe('Unknown');
    }
    for (const c of api) expect(c).toMatchObject({ status: 'in-process', ip: '', location: 'Unknown' });
    for (const c of fresh) expect(c.duration).toBeGreaterThan(0);
  });

  it('spreads the history over the 90 days before now, in the vendor time format', () => {
    const times = v1.filter((c) => c.updated !== '').map((c) => (expect(c.updated).toMatch(TIME), Date.parse(c.updated)));
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 90 * 86_400_000);
    expect(Math.min(...times)).toBeLessThan(NOW - 60 * 86_400_000);
  });

  it('serves v1 summaries with integer ids and exactly the documented fields', () => {
    for (const c of v1) {
      expect(Object.keys(c)).toEqual(['id', 'name', 'status', 'ip', 'location', 'updated', 'duration']);
      expect(Number.isInteger(c.id)).toBe(true);
      expect(Number.isInteger(c.duration)).toBe(true);
    }
    // Id descending, as both of the document's list examples: v1 "id": 341 then "id": 340; v2 "#319"
    // with "updated": "" before "#318" updated 2023-05-11. So `updated` is not in order, and "" items
    // sit among the others.
    const sorted = [...v1].sort((a, b) => (b.id as number) - (a.id as number));
    expect(v1.map((c) => c.id)).toEqual(sorted.map((c) => c.id));
    const blank = v1.findIndex((c) => c.updated === '');
    expect(blank).toBeGreaterThan(0);
    expect(v1.slice(blank).some((c) => c.updated !== '')).toBe(true);
    const times = v1.filter((c) => c.updated !== '').map((c) => Date.parse(c.updated));
    expect(times.some((t, i) => i > 0 && t > (times[i - 1] as number))).toBe(true);
  });

  it('serves v2 summaries with UUIDs and source, for the same conversations as v1', () => {
    expect(v2.length).toBe(v1.length);
    expect(new Set(v2.map((c) => c.id)).size).toBe(v2.length);
    v2.forEach((c, i) => {
      expect(Object.keys(c)).toEqual(['id', 'name', 'status', 'ip', 'location', 'updated', 'duration', 'source']);
      expect(c.id).toMatch(UUID);
      const { id: _a, source: _s, duration: d2, ...rest2 } = c;
      const { id: _b, duration: d1, ...rest1 } = v1[i] as Summary;
      expect(rest2).toEqual(rest1);
      // An `updated: ""` conversation's duration counts on between the two reads.
      if (c.updated === '') expect(Math.abs(d2 - d1)).toBeLessThanOrEqual(5);
      else expect(d2).toBe(d1);
    });
    const sources = new Set(v2.map((c) => c.source));
    for (const s of ['web', 'telegram', 'vk', 'whatsapp']) expect(sources.has(s)).toBe(true);
  });

  it('names conversations "#<number> <city>", a number that is not the id', () => {
    for (const c of v1) {
      const m = /^#(\d+) (.+)$/.exec(c.name);
      expect(m).not.toBeNull();
      expect(m?.[2]).toBe(c.location);
    }
    expect(v1.some((c) => c.name !== `#${c.id} ${c.location}`)).toBe(true);
    const cities = new Set(v1.map((c) => c.location));
    for (const city of ['Perm', 'Moscow', 'Meppel']) expect(cities.has(city)).toBe(true);
    expect(v1.filter((c) => c.ip !== '').every((c) => /^\d+\.\d+\.\d+\.\d+$/.test(c.ip))).toBe(true);
  });

  it('collects Russian question/answer data, with files and deleted flags', () => {
    const flat = details.flatMap((d) => d.data);
    for (const item of flat) {
      expect(Object.keys(item).slice(0, 4)).toEqual(['question', 'type', 'answer', 'variable']);
    }
    expect(flat.filter((i) => /[а-яё]/i.test(i.question)).length).toBeGreaterThan(flat.length * 0.9);
    const files = flat.filter((i) => i.deleted !== undefined);
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.deleted === true)).toBe(true);
    for (const f of files) expect(f.answer).toMatch(new RegExp(`^${sim.url}/web/file/\\d+$`));
    expect(flat.some((i) => i.type === 'Operator')).toBe(true);
    expect(flat.some((i) => i.answer?.startsWith('@'))).toBe(true);
  });
});

describe('GET /api/v{1,2}/conversations', () => {
  it('returns the keyed object with meta.pagination (default 40 per page) and a next link', async () => {
    const page = await getJson<Page>('/api/v2/conversations');
    const keys = Object.keys(page).filter((k) => k !== 'meta');
    expect(keys).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    const p = page.meta.pagination;
    expect(p).toMatchObject({ count: 40, per_page: 40, current_page: 1 });
    expect(p.total_pages).toBe(Math.ceil(p.total / 40));
    expect(p.links.previous).toBeUndefined();
    expect(new URL(p.links.next as string).searchParams.get('PageNumber')).toBe('2');
  });

  it('pages to the end without skipping or repeating, following the links', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${sim.url}/api/v2/conversations?PageCount=37`;
    let last: Page | undefined;
    while (url) {
      const res = await fetch(url, { headers: auth() });
      last = (await res.json()) as Page;
      const its = items(last);
      expect(last.meta.pagination.count).toBe(its.length);
      seen.push(...its.map((c) => c.id as string));
      url = last.meta.pagination.links.next;
    }
    const total = last!.meta.pagination.total;
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(last!.meta.pagination.current_page).toBe(last!.meta.pagination.total_pages);
    expect(last!.meta.pagination.links.previous).toContain(`PageNumber=${last!.meta.pagination.total_pages - 1}`);

    const past = await getJson<Page>(`/api/v2/conversations?PageCount=37&PageNumber=${last!.meta.pagination.total_pages + 1}`);
    expect(items(past)).toEqual([]);
    expect(past.meta.pagination).toMatchObject({ count: 0, total });
  });

  it('rejects bad paging and filter values with 400', async () => {
    for (const q of [
      'PageCount=101',
      'PageCount=0',
      'PageCount=abc',
      'PageNumber=0',
      'PageNumber=-1',
      'BotID=abc',
      'CreatedFrom=yesterday',
      'CreatedTo=2023-13-01',
      'UpdatedFrom=2023-02-30',
      'UpdatedTo=2023-05-01T25:00:00Z',
    ]) {
      await expectError(await get(`/api/v1/conversations?${q}`), 400);
      await expectError(await get(`/api/v2/conversations?${q}`), 400);
    }
    const max = await getJson<Page>('/api/v1/conversations?PageCount=100');
    expect(max.meta.pagination.count).toBe(100);
  });

  it('filters by BotID: the bots partition the conversations', async () => {
    const total = (await getJson<Page>('/api/v2/conversations')).meta.pagination.total;
    const perBot = await Promise.all(sim.botIds.map((id) => all(2, `&BotID=${id}`)));
    for (const list of perBot) expect(list.length).toBeGreaterThan(50);
    const ids = perBot.flat().map((c) => c.id);
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect((await getJson<Page>('/api/v2/conversations?BotID=999')).meta.pagination.total).toBe(0);
  });

  it('filters by CreatedFrom/CreatedTo, date-only days being whole UTC days', async () => {
    const everything = await all(1);
    const before = await all(1, '&CreatedTo=2023-05-01');
    const after = await all(1, '&CreatedFrom=2023-05-02');
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.length + after.length).toBe(everything.length);
    // Created ids grow with time, so the split is a clean cut of the id range.
    expect(Math.min(...after.map((c) => c.id as number))).toBeGreaterThan(Math.max(...before.map((c) => c.id as number)));
    expect(await all(1, '&CreatedFrom=2023-05-10&CreatedTo=2023-05-09')).toEqual([]);
  });

  it('accepts times with zones, and a "+" that arrived as a space', async () => {
    const zulu = await all(2, '&CreatedFrom=2023-05-21T09:00:00Z');
    const plus3 = await all(2, `&CreatedFrom=${encodeURIComponent('2023-05-21T12:00:00+03:00')}`);
    const rawPlus = await all(2, '&CreatedFrom=2023-05-21T12:00:00+03:00');
    const minutes = await all(2, '&CreatedFrom=2023-05-21T12:00+0300');
    const fraction = await all(2, '&CreatedFrom=2023-05-21T09:00:00.000Z');
    const dayOnly = await all(2, '&CreatedFrom=2023-05-21');
    expect(zulu.length).toBeGreaterThan(0);
    expect(plus3).toEqual(zulu);
    expect(rawPlus).toEqual(zulu);
    expect(minutes).toEqual(zulu);
    expect(fraction).toEqual(zulu);
    // The whole day includes the morning before 09:00Z.
    expect(dayOnly.length).toBeGreaterThan(zulu.length);
  });

  it("filters UpdatedFrom/UpdatedTo on the respondent's last message, not on updated", async () => {
    // The document, UpdatedFrom: "Начало периода фильтрации по дате последнего сообщения респондента
    // в диалоге" (start of the period, by the date of the respondent's last message in the dialog);
    // `updated`: "Дата и время публикации последнего сообщения в диалоге" (the last message of anyone).
    const list = await all(2, '&UpdatedFrom=2023-05-10&UpdatedTo=2023-05-20');
    expect(list.length).toBeGreaterThan(0);
    // The last message is never older than the respondent's last message.
    for (const c of list) expect(c.updated >= '2023-05-10T00:00:00+00:00').toBe(true);
    const everything = await all(2);
    const fromOnly = await all(2, '&UpdatedFrom=2023-01-01');
    expect(fromOnly.every((c) => c.updated !== '')).toBe(true);
    // Conversations where only the bot has spoken (the respondent never answered) have an `updated`
    // but no respondent message: the filter leaves them out.
    const withUpdated = everything.filter((c) => c.updated !== '');
    expect(fromOnly.length).toBeLessThan(withUpdated.length);
    const botOnly = withUpdated.filter((c) => !fromOnly.some((f) => f.id === c.id));
    for (const c of botOnly.slice(0, 5)) {
      const d = await detail2(c.id as string);
      expect(d.data.some((item) => item.answer !== null && item.type !== 'Variable')).toBe(false);
    }
  });

  it('answers 401 without or with wrong credentials, with a Basic challenge', async () => {
    for (const path of ['/api/v1/conversations', '/api/v2/conversations']) {
      const none = await get(path, {});
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
      await expectError(none, 401);
      await expectError(await get(path, basic(sim.username, 'wrong')), 401);
      await expectError(await get(path, basic('other@bot.one', sim.password)), 401);
      await expectError(await get(path, { authorization: 'Bearer abc' }), 401);
    }
  });
});

describe('GET /api/v1/conversation/{id} and /api/v2/conversation/{uuid}', () => {
  it('serves the same conversation under both ids, data as an array (v1) and a JSON string (v2)', async () => {
    const v1 = items(await getJson<Page>('/api/v1/conversations?PageCount=100'));
    const v2 = items(await getJson<Page>('/api/v2/conversations?PageCount=100'));
    const i = v1.findIndex((c) => c.status === 'completed');
    const one = await getJson<Detail>(`/api/v1/conversation/${v1[i]!.id}`);
    const two = await getJson<Detail>(`/api/v2/conversation/${v2[i]!.id}`);
    expect(Object.keys(one)).toEqual(['id', 'name', 'status', 'ip', 'location', 'updated', 'duration', 'data']);
    expect(Object.keys(two)).toEqual(['id', 'name', 'status', 'ip', 'location', 'updated', 'duration', 'source', 'data']);
    expect(Array.isArray(one.data)).toBe(true);
    expect(typeof two.data).toBe('string');
    expect(JSON.parse(two.data as string)).toEqual(one.data);
    expect((one.data as Item[]).length).toBeGreaterThan(3);
    expect(one.name).toBe(two.name);
    expect({ ...one, data: undefined, id: undefined }).toEqual({ ...v1[i], data: undefined, id: undefined });
  });

  it('shows "[]" for a created, not started conversation', async () => {
    const fresh = (await all(2)).find((c) => c.updated === '')!;
    const d = await getJson<Detail>(`/api/v2/conversation/${fresh.id}`);
    expect(d.data).toBe('[]');
    // UUIDs are matched case-insensitively.
    expect((await get(`/api/v2/conversation/${(fresh.id as string).toUpperCase()}`)).status).toBe(200);
  });

  it('answers 404 for unknown or malformed ids and 401 without credentials', async () => {
    await expectError(await get('/api/v1/conversation/999999'), 404);
    await expectError(await get('/api/v1/conversation/abc'), 404);
    await expectError(await get('/api/v1/conversation/12.5'), 404);
    await expectError(await get('/api/v2/conversation/00000000-0000-4000-8000-000000000000'), 404);
    await expectError(await get('/api/v2/conversation/not-a-uuid'), 404);
    await expectError(await get('/api/v2/conversation/123'), 404);
    // A broken percent-escape is the client's mistake: 404, not a 500.
    await expectError(await get('/api/v2/conversation/%E0%A4%A'), 404);
    await expectError(await get('/api/v1/file/%zz'), 404);
    await expectError(await get('/api/v1/conversation/150', {}), 401);
    const anyUuid = items(await getJson<Page>('/api/v2/conversations?PageCount=1'))[0]!.id;
    await expectError(await get(`/api/v2/conversation/${anyUuid}`, basic(sim.username, 'x')), 401);
  });
});

describe('files', () => {
  let fileUrls: Array<{ id: string; deleted: boolean }>;
  beforeAll(async () => {
    const list = await all(1);
    const details = await Promise.all(list.slice(0, 200).map((c) => getJson<Detail>(`/api/v1/conversation/${c.id}`)));
    fileUrls = details
      .flatMap((d) => d.data as Item[])
      .filter((i) => i.deleted !== undefined)
      .map((i) => ({ id: /\/web\/file\/(\d+)$/.exec(i.answer as string)![1]!, deleted: i.deleted as boolean }));
  });

  it('downloads real PNG, PDF and text bytes with their content types, on v1, v2 and the data URL', async () => {
    const types = new Set<string>();
    for (const f of fileUrls.filter((x) => !x.deleted)) {
      const [a, b, c] = await Promise.all([get(`/api/v1/file/${f.id}`), get(`/api/v2/file/${f.id}`), get(`/web/file/${f.id}`)]);
      expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
      const type = a.headers.get('content-type') as string;
      types.add(type);
      expect(b.headers.get('content-type')).toBe(type);
      expect(a.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.]+"$/);
      const bytes = Buffer.from(await a.arrayBuffer());
      expect(Buffer.from(await b.arrayBuffer()).equals(bytes)).toBe(true);
      await c.arrayBuffer();
      expect(Number(a.headers.get('content-length'))).toBe(bytes.length);
      if (type === 'image/png') expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      else if (type === 'application/pdf') {
        expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
        expect(bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
      } else {
        expect(type).toBe('text/plain; charset=utf-8');
        expect(bytes.toString('utf8')).toMatch(/[а-яё]/i);
      }
    }
    expect(types).toEqual(new Set(['image/png', 'application/pdf', 'text/plain; charset=utf-8']));
  });

  it('answers 404 for deleted, unknown and malformed file ids, 401 without credentials', async () => {
    const deleted = fileUrls.find((f) => f.deleted)!;
    await expectError(await get(`/api/v2/file/${deleted.id}`), 404);
    await expectError(await get(`/api/v1/file/${deleted.id}`), 404);
    await expectError(await get('/api/v1/file/999999'), 404);
    await expectError(await get('/api/v2/file/abc'), 404);
    await expectError(await get(`/api/v1/file/${fileUrls[0]!.id}`, {}), 401);
    await expectError(await get(`/api/v2/file/${fileUrls[0]!.id}`, {}), 401);
  });
});

describe('creating conversations', () => {
  it('GET /api/v1/dialog/{BotID}/create creates without starting and returns {dialogId: uuid}', async () => {
    const before = (await getJson<Page>('/api/v2/conversations?BotID=1446')).meta.pagination.total;
    const res = await getJson<{ dialogId: string }>('/api/v1/dialog/1446/create');
    expect(Object.keys(res)).toEqual(['dialogId']);
    expect(res.dialogId).toMatch(UUID);
    const d = await getJson<Detail>(`/api/v2/conversation/${res.dialogId}`);
    expect(d).toMatchObject({ id: res.dialogId, status: 'in-process', updated: '', data: '[]', source: 'api', location: 'Unknown', ip: '' });
    expect(d.duration).toBeLessThan(5);
    expect(d.name).toMatch(/^#\d+ Unknown$/);
    const list = await getJson<Page>('/api/v2/conversations?BotID=1446&PageCount=100');
    expect(list.meta.pagination.total).toBe(before + 1);
    // The newest id: first on page 1 (the list is id descending, like the document's examples).
    expect((list['0'] as Summary).id).toBe(res.dialogId);
  });

  it('GET /api/v2/dialog/{BotID}/create stores the variables it is given', async () => {
    const res = await getJson<{ dialogId: string }>(`/api/v2/dialog/1447/create?variables=${encodeURIComponent('{"name":"Dasha","order":42}')}`);
    const d = await detail2(res.dialogId);
    expect(d.data).toEqual([
      { question: 'name', type: 'Variable', answer: 'Dasha', variable: 'name' },
      { question: 'order', type: 'Variable', answer: '42', variable: 'order' },
    ]);
    expect(d.updated).toBe('');
  });

  it('GET create: 404 for an unknown or malformed bot, 400 for bad variables, 401 without credentials', async () => {
    for (const v of [1, 2]) {
      await expectError(await get(`/api/v${v}/dialog/999/create`), 404);
      await expectError(await get(`/api/v${v}/dialog/abc/create`), 404);
      await expectError(await get(`/api/v${v}/dialog/1446/create?variables=${encodeURIComponent('{name:')}`), 400);
      await expectError(await get(`/api/v${v}/dialog/1446/create?variables=${encodeURIComponent('[1,2]')}`), 400);
      await expectError(await get(`/api/v${v}/dialog/1446/create`, {}), 401);
    }
  });

  it('POST /api/v2/dialog/{BotID}/create with response true creates and starts, returning both ids', async () => {
    const res = await post('/api/v2/dialog/1448/create', { response: true, variables: '{ "name": "User" }' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dialogId: number; dialogUUID: string };
    expect(Object.keys(body)).toEqual(['dialogId', 'dialogUUID']);
    expect(Number.isInteger(body.dialogId)).toBe(true);
    expect(body.dialogUUID).toMatch(UUID);
    const one = await getJson<Detail>(`/api/v1/conversation/${body.dialogId}`);
    const two = await detail2(body.dialogUUID);
    expect(one.name).toBe(two.name);
    expect(two.status).toBe('in-process');
    expect(two.updated).toMatch(TIME);
    expect(two.data[0]).toEqual({ question: 'name', type: 'Variable', answer: 'User', variable: 'name' });
    // Started: the bot has asked its first question.
    expect(two.data[1]).toMatchObject({ type: 'Text', answer: null });
    expect(two.data[1]!.question).toMatch(/опрос|вопрос/i);
  });

  it('POST create takes response and variables from the query too, the body winning', async () => {
    const q = `?response=true&variables=${encodeURIComponent('{"name":"Dasha"}')}`;
    const fromQuery = (await (await post(`/api/v2/dialog/1446/create${q}`)).json()) as { dialogUUID: string };
    expect((await detail2(fromQuery.dialogUUID)).data[0]).toMatchObject({ variable: 'name', answer: 'Dasha' });
    const both = (await (await post(`/api/v2/dialog/1446/create${q}`, { variables: '{"name":"User"}' })).json()) as { dialogUUID: string };
    expect((await detail2(both.dialogUUID)).data[0]).toMatchObject({ variable: 'name', answer: 'User' });
  });

  it('POST create with response false (or absent) answers 200 {} and still creates', async () => {
    const before = (await getJson<Page>('/api/v2/conversations')).meta.pagination.total;
    const a = await post('/api/v2/dialog/1446/create', { response: false });
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({});
    const b = await post('/api/v2/dialog/1446/create');
    expect(await b.json()).toEqual({});
    const after = await getJson<Page>('/api/v2/conversations');
    expect(after.meta.pagination.total).toBe(before + 2);
    expect((after['0'] as Summary).updated).toMatch(TIME);
  });

  it('POST create: 400 for bad variables, bad response or a non-JSON body; 404 unknown bot; 401', async () => {
    await expectError(await post('/api/v2/dialog/1446/create', { variables: '{not json' }), 400);
    await expectError(await post('/api/v2/dialog/1446/create', { variables: 5 }), 400);
    await expectError(await post('/api/v2/dialog/1446/create', { response: 'maybe' }), 400);
    await expectError(await post('/api/v2/dialog/1446/create?response=maybe'), 400);
    await expectError(await post('/api/v2/dialog/1446/create', '{"response": tru'), 400);
    await expectError(await post('/api/v2/dialog/1446/create', [1]), 400);
    await expectError(await post('/api/v2/dialog/999/create', { response: true }), 404);
    await expectError(await post('/api/v2/dialog/1446/create', { response: true }, {}), 401);
  });
});

describe('controlling a conversation', () => {
  const fresh = async (botId = 1446) => {
    const res = (await (await post(`/api/v2/dialog/${botId}/create`, { response: true })).json()) as { dialogUUID: string };
    return res.dialogUUID;
  };
  const byStatus = async (status: string) => (await all(2)).find((c) => c.status === status)!.id as string;

  it('stop → 204, status operator; updated stays (no message was published)', async () => {
    const uuid = await fresh();
    const before = await detail2(uuid);
    const res = await post(`/api/v2/conversation/${uuid}/stop`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const after = await detail2(uuid);
    expect(after.status).toBe('operator');
    // `updated` is "Дата и время публикации последнего сообщения в диалоге" (the time of the last
    // message), and /stop publishes none.
    expect(after.updated).toBe(before.updated);
    // Stopping again changes nothing.
    expect((await post(`/api/v2/conversation/${uuid}/stop`)).status).toBe(204);
    expect((await detail2(uuid)).updated).toBe(after.updated);
  });

  it('start → 204, status back to in-process, the bot asks again, updated moves forward', async () => {
    const uuid = await fresh();
    await post(`/api/v2/conversation/${uuid}/stop`);
    await post(`/api/v2/conversation/${uuid}/send`, { body: 'Секунду, проверяю' });
    const stopped = await detail2(uuid);
    expect((await post(`/api/v2/conversation/${uuid}/start`)).status).toBe(204);
    const started = await detail2(uuid);
    expect(started.status).toBe('in-process');
    expect(started.updated > stopped.updated).toBe(true);
    expect(started.data.length).toBe(stopped.data.length + 1);
  });

  it('start on a created, not started conversation starts it', async () => {
    const { dialogId } = await getJson<{ dialogId: string }>('/api/v2/dialog/1447/create');
    expect((await post(`/api/v2/conversation/${dialogId}/start`)).status).toBe(204);
    const d = await detail2(dialogId);
    expect(d.updated).toMatch(TIME);
    expect(d.data).toHaveLength(1);
    expect(d.data[0]!.question).toContain('клиники');
  });

  it('send → 204 and the operator message appears in data', async () => {
    const uuid = await fresh();
    await post(`/api/v2/conversation/${uuid}/stop`);
    const before = await detail2(uuid);
    const res = await post(`/api/v2/conversation/${uuid}/send`, { body: 'Привет, я оператор.' });
    expect(res.status).toBe(204);
    const after = await detail2(uuid);
    expect(after.data.at(-1)).toEqual({ question: 'Привет, я оператор.', type: 'Operator', answer: null, variable: null });
    expect(after.updated > before.updated).toBe(true);
    expect(after.duration).toBeGreaterThanOrEqual(before.duration);
  });

  it('send: 400 for a missing, empty, non-string or too long body, or non-JSON', async () => {
    const uuid = await fresh();
    for (const body of [undefined, {}, { body: '' }, { body: '   ' }, { body: 5 }, { text: 'hi' }, { body: 'x'.repeat(4097) }, '{"body":']) {
      await expectError(await post(`/api/v2/conversation/${uuid}/send`, body), 400);
    }
    expect((await detail2(uuid)).data).toHaveLength(1);
  });

  it('command goto → 200 and the conversation moves to the other bot', async () => {
    const uuid = await fresh(1446);
    const inBot = async (bot: number) => (await all(2, `&BotID=${bot}`)).some((c) => c.id === uuid);
    expect(await inBot(1446)).toBe(true);
    const before = await detail2(uuid);
    const res = await post(`/api/v2/conversation/${uuid}/command`, { body: 'goto 1447' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Goto command complete' });
    expect(await inBot(1446)).toBe(false);
    expect(await inBot(1447)).toBe(true);
    const after = await detail2(uuid);
    expect(after.updated > before.updated).toBe(true);
    expect(after.data.at(-1)!.question).toContain('клиники');
  });

  it('command: 400 unless it is "goto <existing botId>"', async () => {
    const uuid = await fresh();
    for (const body of [{ body: 'goto 9999' }, { body: 'jump 1447' }, { body: 'goto' }, { body: '' }, {}, { body: 1447 }, undefined, '{']) {
      await expectError(await post(`/api/v2/conversation/${uuid}/command`, body), 400);
    }
    expect(await all(2, '&BotID=1446').then((l) => l.some((c) => c.id === uuid))).toBe(true);
  });

  it('stop, start, send and command on a completed or interrupted conversation → 403, nothing changes', async () => {
    for (const status of ['completed', 'interrupted']) {
      const uuid = await byStatus(status);
      const before = await detail2(uuid);
      await expectError(await post(`/api/v2/conversation/${uuid}/stop`), 403);
      await expectError(await post(`/api/v2/conversation/${uuid}/start`), 403);
      await expectError(await post(`/api/v2/conversation/${uuid}/send`, { body: 'Алло' }), 403);
      await expectError(await post(`/api/v2/conversation/${uuid}/command`, { body: 'goto 1447' }), 403);
      expect(await detail2(uuid)).toEqual(before);
    }
  });

  it('404 for an unknown or malformed uuid and 401 without credentials, on every control endpoint', async () => {
    const uuid = await fresh();
    for (const action of ['stop', 'start', 'send', 'command']) {
      const body = action === 'send' ? { body: 'Привет' } : action === 'command' ? { body: 'goto 1447' } : undefined;
      await expectError(await post(`/api/v2/conversation/00000000-0000-4000-8000-000000000000/${action}`, body), 404);
      await expectError(await post(`/api/v2/conversation/42/${action}`, body), 404);
      await expectError(await post(`/api/v2/conversation/${uuid}/${action}`, body, {}), 401);
    }
    expect((await detail2(uuid)).status).toBe('in-process');
  });
});

describe('Vertex (external custom blocks)', () => {
  /** The conversation whose last data item satisfies `match`, among those written to since start-up. */
  const written = async (match: (item: Item) => boolean) => {
    // A bot message moves `updated` but not the respondent's time that UpdatedFrom filters on.
    const list = (await all(2)).filter((c) => c.updated !== '' && c.updated >= '2023-05-29T12:00:00+00:00');
    const details = await Promise.all(list.map((c) => detail2(c.id as string)));
    const found = details.filter((d) => d.data.length > 0 && match(d.data.at(-1)!));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('exposes the demo token first among the running blocks', () => {
    const tokens = sim.vertexTokens();
    expect(tokens[0]).toBe('vertex-demo-token');
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(tokens[1]).toMatch(/^[a-z]{56}$/);
    // The document's complete example is a JWT whose payload names the instance and `diulog_id`.
    const [, payload] = tokens[2]!.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))).toMatchObject({ instance: 'botone-sim', diulog_id: expect.any(Number) });
  });

  it('send_message (both paths) → 200 {message_id, created_at}, the bot message shows in data', async () => {
    const res = await fetch(`${sim.url}/api/vertex/v1/dialog/send_message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'vertex-demo-token', text: 'Сообщение, которое будет отправлено', typing: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { message_id: number; created_at: number };
    expect(Object.keys(body)).toEqual(['message_id', 'created_at']);
    expect(Number.isInteger(body.message_id)).toBe(true);
    expect(body.created_at).toBeGreaterThanOrEqual(NOW / 1000);
    expect(body.created_at).toBeLessThan(NOW / 1000 + 3600);

    const d = await written((i) => i.question === 'Сообщение, которое будет отправлено');
    expect(d.data.at(-1)).toEqual({ question: 'Сообщение, которое будет отправлено', type: 'Text', answer: null, variable: null });

    const alias = await post('/api/vertex/v1/send_message', { token: 'vertex-demo-token', text: 'Второе сообщение' }, {});
    expect(alias.status).toBe(200);
    expect(((await alias.json()) as { message_id: number }).message_id).toBeGreaterThan(body.message_id);
    const d2 = await detail2(d.id as string);
    expect(d2.data.at(-1)!.question).toBe('Второе сообщение');
    expect(d2.updated > d.updated).toBe(true);
  });

  it('send_message: 400 for a bad body, 403 for an unknown token', async () => {
    const path = '/api/vertex/v1/dialog/send_message';
    for (const body of [
      undefined,
      '{"token":',
      [1],
      { text: 'x' },
      { token: '', text: 'x' },
      { token: 5, text: 'x' },
      { token: 'vertex-demo-token' },
      { token: 'vertex-demo-token', text: '' },
      { token: 'vertex-demo-token', text: 'x', typing: 'yes' },
    ]) {
      await expectError(await post(path, body, {}), 400);
    }
    await expectError(await post(path, { token: 'no-such-token', text: 'x' }, {}), 403);
    await expectError(await post('/api/vertex/v1/send_message', { token: 'no-such-token', text: 'x' }, {}), 403);
  });

  it('complete → 204, stores the data, and the token stops working', async () => {
    const token = sim.vertexTokens().find((t) => t !== 'vertex-demo-token')!;
    const res = await post('/api/vertex/v1/complete', { token, data: { score: 5, verdict: 'одобрено' } }, {});
    expect(res.status).toBe(204);
    expect(sim.vertexTokens()).not.toContain(token);
    const d = await written((i) => i.type === 'Vertex' && i.variable === 'verdict');
    expect(d.data.slice(-2)).toEqual([
      { question: 'score', type: 'Vertex', answer: '5', variable: 'score' },
      { question: 'verdict', type: 'Vertex', answer: 'одобрено', variable: 'verdict' },
    ]);
    await expectError(await post('/api/vertex/v1/complete', { token, data: null }, {}), 403);
    await expectError(await post('/api/vertex/v1/dialog/send_message', { token, text: 'x' }, {}), 403);
  });

  it('complete: 403 for a missing token, a bad body or an unknown token (the only error the document lists for it)', async () => {
    // The document's error table for complete has one row: "403 Bad Request — Проблема с подключением
    // к инстансу или диалогу. Это может быть связано с невалидным токеном…"; send_message's has 400 and 403.
    for (const body of [undefined, {}, { data: {} }, { token: '' }, '{"token"', 'null']) {
      await expectError(await post('/api/vertex/v1/complete', body, {}), 403);
    }
    await expectError(
      await post('/api/vertex/v1/complete', { token: 'kmiJwgrcjadyqncipfxbmkreewcgqfgaogdwvcgxnjkhcrjmhurtwelwyl', data: {} }, {}),
      403,
    );
    expect(sim.vertexTokens()).toContain('vertex-demo-token');
  });
});

describe('a blocked instance', () => {
  it('answers 403 everywhere until unblocked (401 still comes first)', async () => {
    const uuid = items(await getJson<Page>('/api/v2/conversations?PageCount=1'))[0]!.id as string;
    sim.setInstanceBlocked(true);
    try {
      for (const path of [
        '/api/v1/conversations',
        '/api/v2/conversations',
        `/api/v2/conversation/${uuid}`,
        '/api/v1/conversation/150',
        '/api/v1/dialog/1446/create',
        '/api/v2/dialog/1446/create',
        '/api/v1/file/150',
        '/api/v2/file/150',
      ]) {
        await expectError(await get(path), 403);
      }
      await expectError(await get('/api/v2/conversations', {}), 401);
      for (const action of ['stop', 'start', 'send', 'command'])
        await expectError(await post(`/api/v2/conversation/${uuid}/${action}`, { body: 'goto 1447' }), 403);
      await expectError(await post('/api/v2/dialog/1446/create', { response: true }), 403);
      await expectError(await post('/api/vertex/v1/complete', { token: 'vertex-demo-token' }, {}), 403);
      await expectError(await post('/api/vertex/v1/dialog/send_message', { token: 'vertex-demo-token', text: 'x' }, {}), 403);
      await expectError(await post('/api/vertex/v1/send_message', { token: 'vertex-demo-token', text: 'x' }, {}), 403);
    } finally {
      sim.setInstanceBlocked(false);
    }
    expect((await get('/api/v2/conversations')).status).toBe(200);
    expect(sim.vertexTokens()).toContain('vertex-demo-token');
  });
});

describe('unknown routes', () => {
  it('answers 404 for an unknown path and 405 for a wrong method, in the error format', async () => {
    await expectError(await get('/api/v3/conversations'), 404);
    await expectError(await fetch(`${sim.url}/api/v2/conversations`, { method: 'DELETE', headers: auth() }), 405);
    await expectError(await get('/api/v2/conversation/abc/stop'), 405);
  });
});
