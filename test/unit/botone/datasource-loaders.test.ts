import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { BotoneClient } from '../../../src/providers/botone/client.js';
import { BotoneDatasource } from '../../../src/providers/botone/datasource.js';
import type { Attribution } from '../../../src/providers/botone/mapper.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { BotModel, ConversationModel } from '../../../src/models.js';
import { startBotoneSimulator, type BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { conversation as model } from '../../helpers/models.js';

const UUID_A = '00000000-0000-4000-8000-00000000000a';
const UUID_B = '00000000-0000-4000-8000-00000000000b';
const UUID_C = '00000000-0000-4000-8000-00000000000c';
const UUID_FAILS = '00000000-0000-4000-8000-0000000000ff';

/**
 * A client whose reads are recorded and answered from memory, in the style of graphql/dataloader's
 * own tests: the point here is the batch-function contract, not HTTP.
 */
class RecordingClient extends BotoneClient {
  readonly botCalls: string[][] = [];
  readonly detailCalls: Array<[string, Attribution]> = [];

  constructor(botIds: string[]) {
    super({ config: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', apiVersion: 'v2', botIds } });
  }

  override getBots(ids: readonly string[]): Array<BotModel | null> {
    this.botCalls.push([...ids]);
    return super.getBots(ids);
  }

  override async getConversation(nativeId: string, attribution: Attribution): Promise<ConversationModel | null> {
    this.detailCalls.push([nativeId, attribution]);
    if (nativeId === UUID_FAILS) {
      throw new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, 'BOTONE is unavailable (HTTP 503).', { provider: 'BOTONE' });
    }
    if (![UUID_A, UUID_B, UUID_C].includes(nativeId)) return null;
    return conversation(nativeId, attribution, []);
  }
}

function conversation(nativeId: string, attribution: Attribution, data: ConversationModel['collectedData']): ConversationModel {
  return model({
    provider: 'BOTONE',
    nativeId,
    idScope: attribution.idScope,
    title: `#${nativeId.slice(-2)} Perm`,
    botNativeId: attribution.botNativeId,
    channel: 'web',
    location: 'Perm',
    messageCount: data === null ? null : 0,
    collectedData: data,
    raw: { id: nativeId },
  });
}

describe('BotoneDatasource batch functions (recording client)', () => {
  it('answers N getBot loads of 3 distinct ids with one batch call, in key order, null for an unconfigured id', async () => {
    const client = new RecordingClient(['1446', '1447']);
    const ds = new BotoneDatasource(client);
    const results = await Promise.all(['1446', '1447', '1446', '9999', '1447', '1446'].map((id) => ds.getBot(id)));
    expect(client.botCalls).toEqual([['1446', '1447', '9999']]);
    expect(results.map((b) => b?.nativeId ?? null)).toEqual(['1446', '1447', '1446', null, '1447', '1446']);
    await ds.getBot('1447');
    expect(client.botCalls).toHaveLength(1);
  });

  it('listBots primes getBot', async () => {
    const client = new RecordingClient(['1446', '1447']);
    const ds = new BotoneDatasource(client);
    expect((await ds.listBots()).map((b) => b.name)).toEqual(['Bot.one bot 1446', 'Bot.one bot 1447']);
    await ds.getBot('1446');
    expect(client.botCalls).toEqual([]);
  });

  it('dedupes conversation loads, answers in key order, null for a 404 and an Error only for the key that failed', async () => {
    const client = new RecordingClient(['1446']);
    const ds = new BotoneDatasource(client);
    const settled = await Promise.allSettled([
      ds.getConversation(UUID_B, ['1446']),
      ds.getConversation(UUID_A, ['1446']),
      ds.getConversation(UUID_B, ['1446']),
      ds.getConversation('00000000-0000-4000-8000-000000000404', ['1446']),
      ds.getConversation(UUID_FAILS, ['1446']),
      ds.getConversation(UUID_C, []),
    ]);
    expect(client.detailCalls.map(([id]) => id)).toEqual([UUID_B, UUID_A, '00000000-0000-4000-8000-000000000404', UUID_FAILS, UUID_C]);
    const values = settled.map((s) => (s.status === 'fulfilled' ? (s.value?.nativeId ?? null) : s.reason));
    expect(values.slice(0, 4)).toEqual([UUID_B, UUID_A, UUID_B, null]);
    expect(values[4]).toBeInstanceOf(BotgraphError);
    expect((values[4] as BotgraphError).code).toBe(ErrorCode.PROVIDER_UNAVAILABLE);
    expect(values[5]).toBe(UUID_C);
    expect(client.detailCalls[4]?.[1]).toEqual({ botNativeId: null, idScope: [] });
  });

  it('drops a scope bot that is not configured instead of attributing the conversation to it', async () => {
    const client = new RecordingClient(['1446']);
    const ds = new BotoneDatasource(client);
    const c = await ds.getConversation(UUID_A, ['777']);
    expect(c).toMatchObject({ botNativeId: null, idScope: [] });
    expect(client.detailCalls[0]?.[1]).toEqual({ botNativeId: null, idScope: [] });
  });

  it('reads a list-primed conversation with no call, and its detail exactly once', async () => {
    const client = new RecordingClient(['1446']);
    const ds = new BotoneDatasource(client);
    const listed = conversation(UUID_A, { botNativeId: '1446', idScope: ['1446'] }, null);
    ds.prime(listed);
    expect(await ds.getConversation(UUID_A, ['1446'])).toBe(listed);
    expect(client.detailCalls).toEqual([]);

    const [d1, d2] = await Promise.all([ds.conversationDetail(listed), ds.conversationDetail(listed)]);
    expect(d1?.collectedData).toEqual([]);
    expect(d2).toBe(d1);
    await ds.conversationDetail(listed);
    await ds.listMessages(listed, 0, 10);
    expect(client.detailCalls).toHaveLength(1);
    // The detail replaces the list item for later reads in the same request.
    expect(await ds.getConversation(UUID_A, ['1446'])).toBe(d1);
    // A model that already has its data needs nothing.
    expect(await ds.conversationDetail(d1)).toBe(d1);
    expect(client.detailCalls).toHaveLength(1);
  });

  it('rejects ids the API version cannot have without a call (port 9 would refuse one)', async () => {
    const v2 = new BotoneClient({ config: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', apiVersion: 'v2', botIds: [] } });
    const v1 = new BotoneClient({ config: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', apiVersion: 'v1', botIds: [] } });
    expect(await v2.getConversation('123', { botNativeId: null, idScope: [] })).toBeNull();
    expect(await v1.getConversation(UUID_A, { botNativeId: null, idScope: [] })).toBeNull();
  });
});

describe('BotoneDatasource upstream calls (simulator, counted at /__sim/stats)', () => {
  let sim: BotoneSimulator;
  let client: BotoneClient;

  const stats = async () => (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number; routes: Record<string, number> };
  const reset = async () => {
    await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
  };

  beforeAll(async () => {
    sim = await startBotoneSimulator({ port: 0, seed: 7, now: Date.parse('2026-03-01T12:00:00Z') });
    client = new BotoneClient({
      config: { baseUrl: sim.url, username: sim.username, password: sim.password, apiVersion: 'v2', botIds: sim.botIds.map(String) },
    });
  });

  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('primes by-id reads from a list page: the page costs its snapshot (whole pages of 100), the ten reads none', async () => {
    const ds = new BotoneDatasource(client);
    await reset();
    const [stream] = ds.conversationStreams({}, ['1446']);
    const chunk = await stream!.fetch(0, 10, null);
    expect(chunk.items).toHaveLength(10);
    const again = await Promise.all(chunk.items.map((c) => ds.getConversation(c.nativeId, c.idScope)));
    expect(again).toEqual(chunk.items);
    const listCalls = (await stats()).routes['GET /api/v2/conversations'] ?? 0;
    expect(listCalls).toBe(Math.ceil((chunk.total as number) / 100));
    expect((await stats()).routes['GET /api/v2/conversation/:uuid'] ?? 0).toBe(0);
  });

  it('reads the details of three listed conversations once each, however often they are asked for', async () => {
    const ds = new BotoneDatasource(client);
    const [stream] = ds.conversationStreams({}, ['1447']);
    const { items } = await stream!.fetch(0, 3, null);
    await reset();
    const wanted = [...items, ...items, items[0]!];
    const details = await Promise.all(wanted.map((c) => ds.conversationDetail(c)));
    expect(details.map((d) => d.nativeId)).toEqual(wanted.map((c) => c.nativeId));
    expect(details.every((d) => Array.isArray(d.collectedData))).toBe(true);
    const messages = await Promise.all(items.map((c) => ds.listMessages(c, 0, 5)));
    expect(messages.every((m) => m.total === 0 || m.items.length > 0)).toBe(true);
    const first = messages.find((m) => m.items.length > 0)!.items[0]!;
    expect(await ds.getMessage(first.nativeId, [first.conversationNativeId, ...first.conversationIdScope])).toEqual(first);
    const s = await stats();
    expect(s.routes['GET /api/v2/conversation/:uuid']).toBe(3);
    expect(s.total).toBe(3);
  });

  it('answers a message ID in a fresh request with one detail read', async () => {
    const seed = new BotoneDatasource(client);
    const [stream] = seed.conversationStreams({ statuses: ['COMPLETED'] }, ['1448']);
    const { items } = await stream!.fetch(0, 1, null);
    const { items: messages } = await seed.listMessages(items[0]!, 0, 3);
    const ds = new BotoneDatasource(client);
    await reset();
    const scope = [items[0]!.nativeId, ...items[0]!.idScope];
    const [m0, m1, missing] = await Promise.all([
      ds.getMessage(messages[0]!.nativeId, scope),
      ds.getMessage(messages[1]!.nativeId, scope),
      ds.getMessage(`${items[0]!.nativeId}:999:q`, scope),
    ]);
    expect(m0).toEqual(messages[0]);
    expect(m1).toEqual(messages[1]);
    expect(missing).toBeNull();
    expect(await ds.getMessage(messages[0]!.nativeId, [UUID_A, '1448'])).toBeNull();
    expect((await stats()).total).toBe(1);
  });
});
