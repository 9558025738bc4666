/**
 * Bot.one writes through the datasource against the real simulator: each write, then the new state
 * read back through the datasource; no retries; the error mapping; v1's refusals with no call; Vertex
 * without the account's credentials; and file streaming through the runtime.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { BotoneClient } from '../../../src/providers/botone/client.js';
import { createBotoneRuntime, type BotoneRuntime } from '../../../src/providers/botone/index.js';
import type { ProviderDatasource } from '../../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel, ConversationStatusName } from '../../../src/models.js';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';

const NOW = Date.parse('2026-02-01T12:00:00Z');
const PASSWORD = 'pa55-W0rd-not-for-logs';
const USERNAME = 'writer@bot.one';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DETAIL = 'GET /api/v2/conversation/:uuid';
const R = {
  stop: 'POST /api/v2/conversation/:uuid/stop',
  start: 'POST /api/v2/conversation/:uuid/start',
  send: 'POST /api/v2/conversation/:uuid/send',
  command: 'POST /api/v2/conversation/:uuid/command',
  createGet: 'GET /api/v2/dialog/:botId/create',
  createPost: 'POST /api/v2/dialog/:botId/create',
  complete: 'POST /api/vertex/v1/complete',
  vertexSend: 'POST /api/vertex/v1/dialog/send_message',
};

let sim: BotoneSimulator;
let runtime: BotoneRuntime;
const runtimes: BotoneRuntime[] = [];
/** Conversations a test has written to, so that no two tests share one. */
const used = new Set<string>();
/** Every log line the runtimes wrote, checked for secrets at the end. */
const logLines: string[] = [];
/** Every Vertex token a test used, checked against errors and logs. */
const tokens = new Set<string>();

interface Stats {
  total: number;
  routes: Record<string, number>;
}
const stats = async (): Promise<Stats> => (await (await fetch(`${sim.url}/__sim/stats`)).json()) as Stats;
const resetStats = async () => {
  await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
};

const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  }),
);

function makeRuntime(overrides: { apiVersion?: 'v1' | 'v2'; botIds?: string[]; password?: string; timeoutMs?: number } = {}): BotoneRuntime {
  const rt = createBotoneRuntime({
    config: {
      baseUrl: sim.url,
      username: sim.username,
      password: overrides.password ?? sim.password,
      apiVersion: overrides.apiVersion ?? 'v2',
      botIds: overrides.botIds ?? ['1446', '1447', '1448'],
    },
    upstream: { timeoutMs: overrides.timeoutMs ?? 2_000, totalBudgetMs: 5_000, maxAttempts: 3 },
    mode: 'SIMULATOR',
    logger,
  });
  runtimes.push(rt);
  return rt;
}

function errorOf(promise: Promise<unknown>): Promise<BotgraphError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(BotgraphError);
      expectClean(error as BotgraphError);
      return error as BotgraphError;
    },
  );
}

/** No credential, Vertex token or vendor error body may reach a client. */
function expectClean(error: BotgraphError): void {
  expect(error.provider).toBe('BOTONE');
  expect(error.extensions.provider).toBe('BOTONE');
  const text = `${error.message} ${JSON.stringify(error.extensions)} ${JSON.stringify(error.toJSON())}`;
  const vendorBodies = ['Injected failure', 'Invalid login', 'not found', 'is completed', 'token is invalid', 'goto <botId>', 'Bad Request'];
  for (const secret of [PASSWORD, 'wrong-password', USERNAME, sim.url, ...tokens, ...vendorBodies]) {
    expect(text).not.toContain(secret);
  }
}

/** Unused conversations of `bot` in `status`, from the datasource's own stream. */
async function pick(ds: ProviderDatasource, bot: string, status: ConversationStatusName, count = 1): Promise<ConversationModel[]> {
  const [stream] = ds.conversationStreams({ statuses: [status] }, [bot]);
  const { items } = await stream!.fetch(0, 40, null);
  const picked = items.filter((c) => !used.has(c.nativeId)).slice(0, count);
  expect(picked).toHaveLength(count);
  for (const c of picked) used.add(c.nativeId);
  return picked;
}

beforeAll(async () => {
  sim = await startBotoneSimulator({ port: 0, seed: 7, now: NOW, activity: false, username: USERNAME, password: PASSWORD });
  runtime = makeRuntime();
});

afterEach(() => {
  sim.faults.clear();
});

afterAll(async () => {
  await Promise.all(runtimes.map((rt) => rt.close()));
  await sim.close();
  // Upstream logging was on at debug for every runtime: paths and statuses only.
  const log = logLines.join('');
  expect(log).toContain('upstream');
  for (const secret of [PASSWORD, USERNAME, ...tokens, Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')]) {
    expect(log).not.toContain(secret);
  }
});

describe('control writes read back through the datasource', () => {
  it('stop hands the conversation to an operator, start gives it back; reads in the same request are fresh', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1446', 'ACTIVE');
    // Primed by the list: answered from the cache.
    await resetStats();
    expect(await ds.getConversation(c!.nativeId, ['1446'])).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });
    expect((await stats()).total).toBe(0);

    await ds.setHandoff!(c!, true);
    const stopped = await ds.getConversation(c!.nativeId, ['1446']);
    expect(stopped).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR', botNativeId: '1446', idScope: ['1446'] });
    expect((await stats()).routes).toMatchObject({ [R.stop]: 1, [DETAIL]: 1 });

    await ds.setHandoff!(c!, false);
    const started = await ds.getConversation(c!.nativeId, ['1446']);
    expect(started).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });
    expect(started!.updatedAt!.getTime()).toBeGreaterThan(stopped!.updatedAt!.getTime());
    // The bot asked its next question (or the waiting one again) on start.
    expect(started!.collectedData!.length).toBeGreaterThanOrEqual(stopped!.collectedData!.length);
    expect((await stats()).routes).toMatchObject({ [R.stop]: 1, [R.start]: 1, [DETAIL]: 2 });
  });

  it('send adds an OPERATOR message that listMessages shows in the same request', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1447', 'WITH_OPERATOR');
    const before = await ds.listMessages(c!, 0, 1000);
    await resetStats();
    expect(await ds.sendMessage!(c!, 'Здравствуйте, я оператор клиники.')).toBeNull();
    const after = await ds.listMessages(c!, 0, 1000);
    expect(after.total).toBe(before.total + 1);
    expect(after.items.at(-1)).toMatchObject({
      sender: 'OPERATOR',
      text: 'Здравствуйте, я оператор клиники.',
      conversationNativeId: c!.nativeId,
      conversationIdScope: ['1447'],
    });
    expect((await stats()).routes).toMatchObject({ [R.send]: 1, [DETAIL]: 1 });
    // The status does not change on send.
    expect(await ds.getConversation(c!.nativeId, ['1447'])).toMatchObject({ status: 'WITH_OPERATOR' });
  });

  it('goto moves the conversation to the target bot: its stream lists it and its scope and bot follow', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1446', 'ACTIVE');
    await ds.getConversation(c!.nativeId, ['1446']);
    expect(await ds.transferToBot!(c!, '1447')).toBe('Goto command complete');

    // Same request, old scope: the datasource knows where it went.
    const moved = await ds.getConversation(c!.nativeId, ['1446']);
    expect(moved).toMatchObject({ botNativeId: '1447', idScope: ['1447'], status: 'ACTIVE' });
    const messages = await ds.listMessages(moved!, 0, 1000);
    expect(messages.items.every((m) => m.conversationIdScope[0] === '1447')).toBe(true);

    // A later request: the target's stream lists it (a write moves it to the top), the old one does not.
    const later = runtime.forRequest();
    const [to] = later.conversationStreams({}, ['1447']);
    const listed = (await to!.fetch(0, 10, null)).items.find((i) => i.nativeId === c!.nativeId);
    expect(listed).toMatchObject({ botNativeId: '1447', idScope: ['1447'] });
    const [from] = later.conversationStreams({}, ['1446']);
    expect((await from!.fetch(0, 100, null)).items.some((i) => i.nativeId === c!.nativeId)).toBe(false);
    expect(await later.getConversation(c!.nativeId, ['1447'])).toMatchObject({ botNativeId: '1447' });
  });

  it('goto a bot outside BOTONE_BOT_IDS: the conversation is then unattributed, as a list would give it', async () => {
    const rt = makeRuntime({ botIds: ['1446', '1447'] });
    const ds = rt.forRequest();
    const [c] = await pick(ds, '1447', 'ACTIVE');
    await ds.transferToBot!(c!, '1448');
    expect(await ds.getConversation(c!.nativeId, ['1447'])).toMatchObject({ botNativeId: null, idScope: [] });
  });

  it('invalidateConversation drops a cached read after a write made elsewhere', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1448', 'ACTIVE');
    const cached = await ds.getConversation(c!.nativeId, ['1448']);
    await runtime.forRequest().setHandoff!(c!, true);
    expect(await ds.getConversation(c!.nativeId, ['1448'])).toBe(cached);
    ds.invalidateConversation!(c!.nativeId.toUpperCase());
    expect(await ds.getConversation(c!.nativeId, ['1448'])).toMatchObject({ status: 'WITH_OPERATOR' });
  });
});

describe('creating conversations', () => {
  it('GET create: a conversation not started, readable by the returned UUID, with its variables', async () => {
    const ds = runtime.forRequest();
    await resetStats();
    const created = await ds.createConversation!('1446', { name: 'Даша', order: 42 }, false);
    expect(created).toMatchObject({ idScope: ['1446'], numericId: null });
    expect(created.nativeId).toMatch(UUID_RE);
    expect(created.uuid).toBe(created.nativeId);
    expect((await stats()).routes[R.createGet]).toBe(1);

    const c = await ds.getConversation(created.nativeId, created.idScope);
    expect(c).toMatchObject({ nativeId: created.nativeId, botNativeId: '1446', status: 'ACTIVE', updatedAt: null, createdAt: null, channel: 'api' });
    expect(c!.collectedData).toEqual([
      { question: 'name', answer: 'Даша', type: 'Variable', variable: 'name', deleted: false, fileId: null },
      { question: 'order', answer: '42', type: 'Variable', variable: 'order', deleted: false, fileId: null },
    ]);
    // Variables are data, not dialogue.
    expect((await ds.listMessages(c!, 0, 100)).total).toBe(0);
  });

  it('POST create: started, both ids, readable by the UUID (v2) and by the integer (v1)', async () => {
    const ds = runtime.forRequest();
    await resetStats();
    const created = await ds.createConversation!('1447', { patient: 'Иванов' }, true);
    expect(created.nativeId).toMatch(UUID_RE);
    expect(created.uuid).toBe(created.nativeId);
    expect(created.idScope).toEqual(['1447']);
    expect(Number.isInteger(created.numericId)).toBe(true);
    expect((await stats()).routes[R.createPost]).toBe(1);

    const c = await ds.getConversation(created.nativeId, created.idScope);
    expect(c).toMatchObject({ status: 'ACTIVE', handoff: 'BOT', botNativeId: '1447' });
    expect(c!.updatedAt).not.toBeNull();
    expect(c!.collectedData![0]).toMatchObject({ type: 'Variable', variable: 'patient', answer: 'Иванов' });
    // Started: the bot asked its first question.
    const { items } = await ds.listMessages(c!, 0, 100);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sender: 'BOT' });

    const v1 = makeRuntime({ apiVersion: 'v1' }).forRequest();
    expect(await v1.getConversation(String(created.numericId), ['1447'])).toMatchObject({ title: c!.title, updatedAt: c!.updatedAt });
  });

  it('without variables; an unknown bot is NOT_FOUND, a bot id that is not an integer BAD_USER_INPUT with no call', async () => {
    const ds = runtime.forRequest();
    const bare = await ds.createConversation!('1448', null, true);
    expect((await ds.getConversation(bare.nativeId, ['1448']))!.collectedData!.every((d) => d.type !== 'Variable')).toBe(true);

    expect((await errorOf(ds.createConversation!('9999', null, false))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await errorOf(ds.createConversation!('9999', null, true))).code).toBe(ErrorCode.NOT_FOUND);
    await resetStats();
    expect((await errorOf(ds.createConversation!('1446/../x', null, false))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((await errorOf(ds.transferToBot!({ nativeId: bare.nativeId, idScope: [] }, '1446 1447'))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((await stats()).total).toBe(0);
  });

  it('a bot outside BOTONE_BOT_IDS gets the empty scope a list would give', async () => {
    const created = await makeRuntime({ botIds: ['1446'] }).forRequest().createConversation!('1447', null, false);
    expect(created.idScope).toEqual([]);
  });
});

describe('Vertex', () => {
  it('send_message: a message id and time, and the bot message in the conversation; complete ends the token', async () => {
    const token = sim.vertexTokens()[0]!;
    tokens.add(token);
    const ds = runtime.forRequest();
    await resetStats();
    const sent = await ds.sendCustomBlockMessage!(token, 'Проверяю статус заказа во внешней системе…', true);
    expect(sent.messageId).toMatch(/^\d+$/);
    expect(sent.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(sent.createdAt!.getTime() - NOW)).toBeLessThan(5 * 60_000);
    expect((await stats()).routes[R.vertexSend]).toBe(1);

    // The token does not name its conversation; the write moved it to the top of its bot's list.
    const heads = await Promise.all(ds.conversationStreams({}, null).map(async (s) => (await s.fetch(0, 3, null)).items));
    const details = await Promise.all(heads.flat().map((c) => ds.conversationDetail(c)));
    const target = details.find((d) => d.collectedData!.some((i) => i.question === 'Проверяю статус заказа во внешней системе…'));
    expect(target).toBeDefined();
    const { items } = await ds.listMessages(target!, 0, 1000);
    expect(items.at(-1)).toMatchObject({ sender: 'BOT', text: 'Проверяю статус заказа во внешней системе…' });

    await ds.completeCustomBlock!(token, { status: 'paid', amount: 1200 });
    // Same request: the cached conversation was dropped, so the block's result shows.
    const after = await ds.getConversation(target!.nativeId, target!.idScope);
    expect(after!.collectedData!.slice(-2)).toMatchObject([
      { type: 'Vertex', variable: 'status', answer: 'paid' },
      { type: 'Vertex', variable: 'amount', answer: '1200' },
    ]);
    expect(sim.vertexTokens()).not.toContain(token);

    expect((await errorOf(ds.sendCustomBlockMessage!(token, 'ещё', false))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
    expect((await errorOf(ds.completeCustomBlock!(token, null))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
  });

  it('an unknown token is FORBIDDEN_BY_PROVIDER, and the token is in no error', async () => {
    const token = 'zzzzsecretvertextokenzzzz';
    tokens.add(token);
    const ds = runtime.forRequest();
    expect((await errorOf(ds.completeCustomBlock!(token, {}))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
    expect((await errorOf(ds.sendCustomBlockMessage!(token, 'x', false))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
  });
});

describe('what goes over the wire', () => {
  let receiver: Server;
  let url: string;
  const seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }> = [];
  /** What the receiver answers next, by path; the default is a success. */
  let failWith: { status: number; body: string } | null = null;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        seen.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (failWith) {
          res.writeHead(failWith.status, { 'content-type': 'application/json' }).end(failWith.body);
        } else if (path.endsWith('/send_message')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"message_id":123,"created_at":1669947527}');
        } else {
          res.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('Vertex requests carry no Authorization header; the control writes carry Basic auth', async () => {
    const client = new BotoneClient({ config: { baseUrl: url, username: USERNAME, password: PASSWORD, apiVersion: 'v2', botIds: [] }, logger });
    try {
      seen.length = 0;
      await client.completeCustomBlock('tok-1', null);
      const sent = await client.sendCustomBlockMessage('tok-2', 'Привет', false);
      expect(sent).toEqual({ messageId: '123', createdAt: new Date(1669947527_000) });
      await client.sendMessage('4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa', 'Текст');
      await client.setHandoff('4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa', true);

      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        'POST /api/vertex/v1/complete',
        'POST /api/vertex/v1/dialog/send_message',
        'POST /api/v2/conversation/4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa/send',
        'POST /api/v2/conversation/4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa/stop',
      ]);
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(seen[1]!.headers.authorization).toBeUndefined();
      expect(JSON.parse(seen[0]!.body)).toEqual({ token: 'tok-1', data: null });
      expect(JSON.parse(seen[1]!.body)).toEqual({ token: 'tok-2', text: 'Привет', typing: false });
      const basic = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
      expect(seen[2]!.headers.authorization).toBe(basic);
      expect(JSON.parse(seen[2]!.body)).toEqual({ body: 'Текст' });
      expect(seen[3]!.headers.authorization).toBe(basic);
    } finally {
      await client.close();
    }
  });

  it("the create bodies and queries are the vendor's: variables as a JSON string, response: true", async () => {
    const client = new BotoneClient({ config: { baseUrl: url, username: USERNAME, password: PASSWORD, apiVersion: 'v2', botIds: [] } });
    try {
      seen.length = 0;
      failWith = { status: 200, body: '{"dialogId":"ef313216-e8d9-46a9-b95e-8060058bd43f"}' };
      await client.createConversation('1446', { name: 'Dasha' }, false);
      failWith = { status: 200, body: '{"dialogId":371,"dialogUUID":"4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa"}' };
      expect(await client.createConversation('1446', { name: 'Dasha' }, true)).toEqual({
        nativeId: '4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa',
        idScope: [],
        numericId: 371,
        uuid: '4c9b89a3-0fbc-4b01-9d9b-63a7b1ca4ffa',
      });
      const get = new URL(seen[0]!.path, url);
      expect(`${seen[0]!.method} ${get.pathname}`).toBe('GET /api/v2/dialog/1446/create');
      expect(get.searchParams.get('variables')).toBe('{"name":"Dasha"}');
      expect(`${seen[1]!.method} ${seen[1]!.path}`).toBe('POST /api/v2/dialog/1446/create');
      expect(JSON.parse(seen[1]!.body)).toEqual({ response: true, variables: '{"name":"Dasha"}' });
    } finally {
      failWith = null;
      await client.close();
    }
  });

  it('a vendor error body and the token never reach the error', async () => {
    const client = new BotoneClient({ config: { baseUrl: url, username: USERNAME, password: PASSWORD, apiVersion: 'v2', botIds: [] } });
    try {
      tokens.add('tok-secret-in-body');
      failWith = { status: 400, body: '{"message":"token tok-secret-in-body is malformed; Bad Request"}' };
      const error = await errorOf(client.sendCustomBlockMessage('tok-secret-in-body', 'x', true));
      expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
      failWith = { status: 200, body: '{"unexpected":"tok-secret-in-body"}' };
      expect((await errorOf(client.sendCustomBlockMessage('tok-secret-in-body', 'x', true))).code).toBe(ErrorCode.PROVIDER_BAD_RESPONSE);
    } finally {
      failWith = null;
      await client.close();
    }
  });
});

describe('failures', () => {
  /** One write of each kind, on conversations that exist, so that only the injected fault can fail them. */
  async function everyWrite(rt: BotoneRuntime): Promise<Array<[string, () => Promise<unknown>]>> {
    const ds = rt.forRequest();
    const [c] = await pick(runtime.forRequest(), '1448', 'ACTIVE');
    const token = sim.vertexTokens()[0]!;
    tokens.add(token);
    return [
      [R.stop, () => ds.setHandoff!(c!, true)],
      [R.start, () => ds.setHandoff!(c!, false)],
      [R.send, () => ds.sendMessage!(c!, 'Проверка')],
      [R.command, () => ds.transferToBot!(c!, '1446')],
      [R.createGet, () => ds.createConversation!('1446', { a: 1 }, false)],
      [R.createPost, () => ds.createConversation!('1446', { a: 1 }, true)],
      [R.complete, () => ds.completeCustomBlock!(token, { a: 1 })],
      [R.vertexSend, () => ds.sendCustomBlockMessage!(token, 'Проверка', false)],
    ];
  }

  it('5xx: exactly one request per write, never retried, PROVIDER_UNAVAILABLE', async () => {
    const writes = await everyWrite(runtime);
    sim.faults.set({ errorRate: 1, errorStatus: 503 });
    for (const [route, write] of writes) {
      await resetStats();
      const error = await errorOf(write());
      expect(error.code, route).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
      const s = await stats();
      expect(s.total, route).toBe(1);
      expect(s.routes[route], route).toBe(1);
    }
  });

  it('a hang: PROVIDER_TIMEOUT after exactly one request', async () => {
    const writes = await everyWrite(makeRuntime({ timeoutMs: 300 }));
    sim.faults.set({ hangRate: 1 });
    for (const [route, write] of writes) {
      await resetStats();
      const started = Date.now();
      const error = await errorOf(write());
      expect(error.code, route).toBe(ErrorCode.PROVIDER_TIMEOUT);
      expect(Date.now() - started).toBeLessThan(2_000);
      const s = await stats();
      expect(s.total, route).toBe(1);
      expect(s.routes[route], route).toBe(1);
    }
  });

  it('404 for an unknown conversation; no call for an id v2 cannot have', async () => {
    const ds = runtime.forRequest();
    const unknown = { nativeId: '00000000-0000-4000-8000-000000000000', idScope: ['1446'] };
    await resetStats();
    expect((await errorOf(ds.setHandoff!(unknown, true))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await errorOf(ds.sendMessage!(unknown, 'x'))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await errorOf(ds.transferToBot!(unknown, '1447'))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await stats()).total).toBe(3);
    await resetStats();
    expect((await errorOf(ds.setHandoff!({ nativeId: '341', idScope: [] }, true))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await errorOf(ds.sendMessage!({ nativeId: '../conversations', idScope: [] }, 'x'))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await stats()).total).toBe(0);
  });

  it('403 on a completed conversation, and nothing changes', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1446', 'COMPLETED');
    const before = await ds.conversationDetail(c!);
    const writes = [
      () => ds.setHandoff!(c!, true),
      () => ds.setHandoff!(c!, false),
      () => ds.sendMessage!(c!, 'x'),
      () => ds.transferToBot!(c!, '1447'),
    ];
    for (const write of writes) {
      expect((await errorOf(write())).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
    }
    const after = await ds.getConversation(c!.nativeId, ['1446']);
    expect(after).toMatchObject({ status: 'COMPLETED', updatedAt: before.updatedAt, messageCount: before.messageCount });
    expect(after!.collectedData).toEqual(before.collectedData);
  });

  it('400: goto an unknown bot, an empty or too long message: BAD_USER_INPUT', async () => {
    const ds = runtime.forRequest();
    const [c] = await pick(ds, '1447', 'ACTIVE');
    expect((await errorOf(ds.transferToBot!(c!, '9999'))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((await errorOf(ds.sendMessage!(c!, ''))).code).toBe(ErrorCode.BAD_USER_INPUT);
    expect((await errorOf(ds.sendMessage!(c!, 'я'.repeat(4097)))).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('wrong password: PROVIDER_AUTH_FAILED, one request', async () => {
    const ds = makeRuntime({ password: 'wrong-password' }).forRequest();
    const [c] = await pick(runtime.forRequest(), '1446', 'ACTIVE');
    await resetStats();
    expect((await errorOf(ds.setHandoff!(c!, true))).code).toBe(ErrorCode.PROVIDER_AUTH_FAILED);
    expect((await errorOf(ds.createConversation!('1446', null, false))).code).toBe(ErrorCode.PROVIDER_AUTH_FAILED);
    expect((await stats()).total).toBe(2);
  });

  it('a blocked instance: FORBIDDEN_BY_PROVIDER, Vertex included', async () => {
    const ds = runtime.forRequest();
    sim.setInstanceBlocked(true);
    try {
      expect((await errorOf(ds.createConversation!('1446', null, true))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
      expect((await errorOf(ds.completeCustomBlock!('x', null))).code).toBe(ErrorCode.FORBIDDEN_BY_PROVIDER);
    } finally {
      sim.setInstanceBlocked(false);
    }
  });
});

describe('API v1', () => {
  it('creates (not started) and reads the new conversation by its integer id', async () => {
    const rt = makeRuntime({ apiVersion: 'v1' });
    const ds = rt.forRequest();
    const pages = Math.ceil(((await ds.conversationStreams({}, ['1448'])[0]!.fetch(0, 1, null)).total as number) / 100);
    await resetStats();
    const first = await ds.createConversation!('1448', { score: 5 }, false);
    const second = await ds.createConversation!('1448', { score: 3 }, false);
    for (const created of [first, second]) {
      expect(created.nativeId).toMatch(/^\d+$/);
      expect(created.numericId).toBe(Number(created.nativeId));
      expect(created.uuid).toMatch(UUID_RE);
      expect(created.idScope).toEqual(['1448']);
    }
    expect(second.numericId!).toBeGreaterThan(first.numericId!);
    const s = await stats();
    expect(s.routes['GET /api/v1/dialog/:botId/create']).toBe(2);
    expect(s.routes['GET /api/v2/dialog/:botId/create']).toBe(0);
    // The integer id is looked up in the bot's list, assuming no order: first what was created since
    // five minutes before the create (CreatedFrom), which here is nothing, since this simulator's
    // clock stands months behind; then every page of the bot's list (`pages`, the created one being
    // one conversation more, on the same pages here).
    expect(s.routes['GET /api/v1/conversations']).toBe(2 * (1 + pages));

    const a = await ds.getConversation(first.nativeId, first.idScope);
    const b = await ds.getConversation(second.nativeId, second.idScope);
    expect(a).toMatchObject({ updatedAt: null, botNativeId: '1448' });
    expect(a!.collectedData).toMatchObject([{ type: 'Variable', variable: 'score', answer: '5' }]);
    expect(b!.collectedData).toMatchObject([{ type: 'Variable', variable: 'score', answer: '3' }]);
    // The same conversation as the UUID names on v2.
    const viaV2 = await runtime.forRequest().getConversation(first.uuid!, ['1448']);
    expect(viaV2!.title).toBe(a!.title);
  });

  it('refuses the v2-only writes with UNSUPPORTED_BY_PROVIDER and no request at all; Vertex is not one of them', async () => {
    const rt = makeRuntime({ apiVersion: 'v1' });
    // Vertex's paths are /api/vertex/v1/… whatever the API version: it has no v1/v2 split.
    expect(rt.capabilities).toEqual(['READ_MESSAGES', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS']);
    const ds = rt.forRequest();
    const c = { nativeId: '341', idScope: ['1446'] };
    await resetStats();
    const refusals = [
      ds.createConversation!('1446', { a: 1 }, true),
      ds.sendMessage!(c, 'x'),
      ds.setHandoff!(c, true),
      ds.setHandoff!(c, false),
      ds.transferToBot!(c, '1447'),
    ];
    for (const refusal of refusals) {
      expect((await errorOf(refusal)).code).toBe(ErrorCode.UNSUPPORTED_BY_PROVIDER);
    }
    expect((await stats()).total).toBe(0);
  });
});

describe('files', () => {
  it('openFile streams the bytes and content type of a file the seed collected', async () => {
    const ds = runtime.forRequest();
    const [stream] = ds.conversationStreams({ statuses: ['COMPLETED'] }, ['1447']);
    const { items } = await stream!.fetch(0, 40, null);
    const details = await Promise.all(items.map((c) => ds.conversationDetail(c)));
    const file = details.flatMap((d) => d.collectedData ?? []).find((d) => d.fileId !== null && !d.deleted);
    expect(file).toBeDefined();
    await resetStats();
    const res = await runtime.openFile(file!.fileId!);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^(image\/png|application\/pdf|text\/plain; charset=utf-8)$/);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(0);
    expect(Number(res.contentLength)).toBe(bytes.length);
    expect((await stats()).routes['GET /api/v2/file/:fileId']).toBe(1);
    expect((await errorOf(runtime.openFile('999999'))).code).toBe(ErrorCode.NOT_FOUND);
  });
});
