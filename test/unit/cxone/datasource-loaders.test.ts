/**
 * The DataLoader contract of CxoneDatasource, against a recording stub client (in the style of
 * graphql/dataloader's own tests): which batch calls happen, in what shape, and what each key gets.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { BatchCache } from '../../../src/providers/cxone/cache.js';
import { BARE_TOKEN, type CxoneClient, type ExportPage } from '../../../src/providers/cxone/client.js';
import { CxoneDatasource, MAX_IDS_PER_SEARCH } from '../../../src/providers/cxone/datasource.js';
import { mapConversation } from '../../../src/providers/cxone/mapper.js';
import { cxConversationSchema } from '../../../src/providers/cxone/types.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { ConversationModel } from '../../../src/models.js';

const example = (
  JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8')) as {
    data: unknown[];
  }
).data[0];

/** The example conversation under another id and start time, as bot `botId` would export it. */
function conversation(botId: string, id: string, start: number): ConversationModel {
  const raw = cxConversationSchema.parse({
    ...(example as object),
    conversationId: id,
    timestamp: start,
    tracker: { ...(example as { tracker: object }).tracker, name: `${botId}-${id}` },
  });
  return mapConversation(raw, { botId, now: start });
}

type Call = [method: string, ...args: unknown[]];

/** A CxoneClient stand-in that records every call that would reach the vendor. */
function stubClient(options: { tokens: string[]; bareBot?: string | null; conversations?: ConversationModel[]; failBots?: string[] }) {
  const calls: Call[] = [];
  const store = options.conversations ?? [];
  const client = {
    batches: new BatchCache(),
    tokenKeys: () => [...options.tokens],
    configuredBotIds: () => options.tokens.filter((t) => t !== BARE_TOKEN),
    async botIdOf(key: string) {
      if (key !== BARE_TOKEN) return key;
      calls.push(['botIdOf']);
      return options.bareBot ?? null;
    },
    async tokenKeyFor(botId: string) {
      if (options.tokens.includes(botId)) return botId;
      return options.tokens.includes(BARE_TOKEN) && options.bareBot === botId ? BARE_TOKEN : null;
    },
    async findByIds(tokenKey: string, ids: string[]) {
      calls.push(['findByIds', tokenKey, [...ids]]);
      if (options.failBots?.includes(tokenKey)) {
        throw new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, 'CXONE is unavailable (HTTP 503).', { provider: 'CXONE' });
      }
      return store.filter((c) => c.idScope[0] === tokenKey && ids.includes(c.nativeId));
    },
    async search(tokenKey: string, query: string, perPage: number): Promise<ExportPage> {
      calls.push(['search', tokenKey, query, perPage]);
      const items = store.filter((c) => c.idScope[0] === tokenKey);
      return {
        items: items.slice(0, perPage),
        total: items.length,
        nextScrollId: items.length > perPage ? 'next' : null,
        hasNext: items.length > perPage,
      };
    },
    async scroll(tokenKey: string, scrollId: string): Promise<ExportPage> {
      calls.push(['scroll', tokenKey, scrollId]);
      return { items: [], total: 0, nextScrollId: null, hasNext: false };
    },
  };
  return { client: client as unknown as CxoneClient, calls };
}

describe('getBot', () => {
  it('answers configured bots in key order with no upstream call, null for the others', async () => {
    const { client, calls } = stubClient({ tokens: ['1327', '1328'] });
    const ds = new CxoneDatasource(client);
    const got = await Promise.all(['1328', '1327', '9', '1328', '1327'].map((id) => ds.getBot(id)));
    expect(got.map((b) => b?.nativeId ?? null)).toEqual(['1328', '1327', null, '1328', '1327']);
    expect(got[0]).toBe(got[3]);
    expect(calls).toEqual([]);
  });

  it("learns a bare token's bot once for a whole batch of loads", async () => {
    const { client, calls } = stubClient({ tokens: [BARE_TOKEN], bareBot: '77' });
    const ds = new CxoneDatasource(client);
    const got = await Promise.all(['77', '78', '77', '79', '77'].map((id) => ds.getBot(id)));
    expect(got.map((b) => b?.nativeId ?? null)).toEqual(['77', null, '77', null, '77']);
    expect(calls).toEqual([['botIdOf']]);
    // Cached for the request.
    await ds.getBot('78');
    expect(calls).toHaveLength(1);
  });

  it('listBots primes getBot', async () => {
    const { client, calls } = stubClient({ tokens: [BARE_TOKEN], bareBot: '77' });
    const ds = new CxoneDatasource(client);
    expect((await ds.listBots()).map((b) => b.nativeId)).toEqual(['77']);
    expect(calls).toEqual([['botIdOf']]);
    expect(await ds.getBot('77')).toMatchObject({ nativeId: '77', name: 'CXone bot 77' });
    expect(calls).toHaveLength(1);
  });
});

describe('getConversation', () => {
  const a = conversation('1', 'chat;a', 1_700_000_000_001);
  const b = conversation('1', 'chat;b', 1_700_000_000_002);
  const twin = conversation('1', 'chat;twin', 1_700_000_000_002);
  const c = conversation('2', 'chat;c', 1_700_000_000_003);

  it('makes one search per bot with the distinct ids (`conversation = …`), results in key order', async () => {
    const { client, calls } = stubClient({ tokens: ['1', '2'], conversations: [a, b, twin, c] });
    const ds = new CxoneDatasource(client);
    const got = await Promise.all([
      ds.getConversation('chat;b', ['1', '1700000000002']),
      ds.getConversation('chat;c', ['2', '1700000000003']),
      ds.getConversation('chat;a', ['1', '1700000000001']),
      ds.getConversation('chat;twin', ['1', '1700000000002']),
      ds.getConversation('chat;b', ['1', '1700000000002']),
    ]);
    expect(got.map((x) => x?.nativeId)).toEqual(['chat;b', 'chat;c', 'chat;a', 'chat;twin', 'chat;b']);
    expect(calls).toEqual([
      ['findByIds', '1', ['chat;b', 'chat;a', 'chat;twin']],
      ['findByIds', '2', ['chat;c']],
    ]);
  });

  it('answers null for missing keys and a bot without a token, with no call for the latter', async () => {
    const { client, calls } = stubClient({ tokens: ['1'], conversations: [a] });
    const ds = new CxoneDatasource(client);
    const got = await Promise.all([
      ds.getConversation('chat;a', ['1', '1700000000001']),
      ds.getConversation('chat;gone', ['1', '1700000000001']),
      ds.getConversation('chat;a', ['1', '1700000000009']),
      ds.getConversation('chat;a', ['99', '1700000000001']),
    ]);
    // An id whose scope names another start time than the conversation's is not that conversation.
    expect(got.map((x) => x?.nativeId ?? null)).toEqual(['chat;a', null, null, null]);
    expect(calls).toEqual([['findByIds', '1', ['chat;a', 'chat;gone']]]);
  });

  it('rejects only the keys of a failed bot, with the upstream error', async () => {
    const { client } = stubClient({ tokens: ['1', '2'], conversations: [a, c], failBots: ['2'] });
    const ds = new CxoneDatasource(client);
    const [ok, failed] = await Promise.allSettled([
      ds.getConversation('chat;a', ['1', '1700000000001']),
      ds.getConversation('chat;c', ['2', '1700000000003']),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { nativeId: 'chat;a' } });
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE, provider: 'CXONE' });
  });

  it(`splits more than ${MAX_IDS_PER_SEARCH} ids into several searches`, async () => {
    const { client, calls } = stubClient({ tokens: ['1'] });
    const ds = new CxoneDatasource(client);
    const starts = Array.from({ length: MAX_IDS_PER_SEARCH + 5 }, (_, i) => 1_700_000_000_000 + i);
    const got = await Promise.all(starts.map((s) => ds.getConversation(`chat;${s}`, ['1', String(s)])));
    expect(got.every((x) => x === null)).toBe(true);
    expect(calls.map((c) => (c[2] as string[]).length)).toEqual([MAX_IDS_PER_SEARCH, 5]);
  });

  it('is primed by a stream: no call for conversations already listed in the request', async () => {
    const { client, calls } = stubClient({ tokens: ['1'], conversations: [a, b] });
    const ds = new CxoneDatasource(client);
    const [stream] = ds.conversationStreams({}, null);
    const chunk = await stream!.fetch(0, 10, null);
    expect(chunk.items.map((x) => x.nativeId)).toEqual(['chat;a', 'chat;b']);
    expect(calls).toEqual([['search', '1', '', 10]]);
    const again = await Promise.all([ds.getConversation('chat;b', b.idScope), ds.getConversation('chat;a', a.idScope)]);
    expect(again).toEqual([b, a]);
    // The message and end user of a listed conversation come from it too.
    const message = b.embeddedMessages![0]!;
    expect(await ds.getMessage(message.nativeId, [b.nativeId, ...b.idScope])).toEqual(message);
    expect(await ds.getEndUser(b.endUser!.nativeId, b.endUser!.idScope)).toEqual(b.endUser);
    expect(calls).toHaveLength(1);
  });
});
