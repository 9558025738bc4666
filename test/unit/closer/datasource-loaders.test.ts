/**
 * The batch-function contract of CloserDatasource's DataLoaders, in the style of graphql/dataloader's
 * own tests: a recording client stands in for CLOSER so that every call the loaders make is visible.
 * (The real upstream call counts are asserted against the simulator in the integration test.)
 */
import { describe, it, expect } from 'vitest';
import type { CloserClient, CloserSlice } from '../../../src/providers/closer/client.js';
import { CloserDatasource, statusGroups } from '../../../src/providers/closer/datasource.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import type { BotModel, ConversationModel, EndUserModel, MessageModel } from '../../../src/models.js';
import { conversation as model } from '../../helpers/models.js';

function bot(id: string): BotModel {
  return { provider: 'CLOSER', nativeId: id, name: `bot ${id}`, description: null, createdAt: null, updatedAt: null, raw: { id } };
}

function conversation(id: string): ConversationModel {
  return model({ provider: 'CLOSER', nativeId: id, botNativeId: 'b1', endUserNativeId: 'u1', channel: 'kakao', raw: { id } });
}

function message(conversationId: string, id: string): MessageModel {
  return {
    provider: 'CLOSER',
    nativeId: id,
    conversationNativeId: conversationId,
    conversationIdScope: [],
    sender: 'BOT',
    text: id,
    createdAt: null,
    quickReplies: [],
    attachments: [],
    intent: null,
    raw: { id },
  };
}

function endUser(id: string): EndUserModel {
  return { provider: 'CLOSER', nativeId: id, idScope: [], botNativeId: 'b1', name: id, platform: 'kakao', channel: 'kakao', raw: { id } };
}

const unavailable = () => new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, 'CLOSER is unavailable (HTTP 500).', { provider: 'CLOSER' });

/** A CloserClient that serves fixed data and records each call as `method(args)`. */
function recordingClient(options: { bots?: string[]; conversations?: string[]; failing?: string[] } = {}) {
  const calls: string[] = [];
  const bots = (options.bots ?? ['b1', 'b2', 'b3']).map(bot);
  const conversations = (options.conversations ?? ['c1', 'c2', 'c3']).map(conversation);
  const failing = new Set(options.failing ?? []);
  const messages = Array.from({ length: 5 }, (_, i) => message('c1', `m${i + 1}`));
  const client = {
    async getBot(id: string) {
      calls.push(`getBot(${id})`);
      if (failing.has(id)) throw unavailable();
      return bots.find((b) => b.nativeId === id) ?? null;
    },
    async listAllBots() {
      calls.push('listAllBots()');
      return bots;
    },
    async listAllFlows(botId: string) {
      calls.push(`listAllFlows(${botId})`);
      return [{ provider: 'CLOSER' as const, nativeId: `f-${botId}`, botNativeId: botId, name: 'flow', isDefault: true }];
    },
    async getConversation(id: string) {
      calls.push(`getConversation(${id})`);
      if (failing.has(id)) throw unavailable();
      return conversations.find((c) => c.nativeId === id) ?? null;
    },
    async listConversations(_filter: unknown, offset: number, limit: number): Promise<CloserSlice<ConversationModel>> {
      calls.push(`listConversations(${offset},${limit})`);
      return { items: conversations.slice(offset, offset + limit), total: conversations.length };
    },
    async conversationsPage(_filter: unknown, page: number, limit: number) {
      calls.push(`conversationsPage(${page},${limit})`);
      return { items: conversations.slice(0, 1), total: conversations.length };
    },
    async listMessages(id: string, offset: number, limit: number) {
      calls.push(`listMessages(${id},${offset},${limit})`);
      return { items: id === 'c1' ? messages.slice(offset, offset + limit) : [], total: id === 'c1' ? messages.length : 0 };
    },
    async scanMessages(id: string, wanted: ReadonlySet<string>) {
      calls.push(`scanMessages(${id},${[...wanted].sort().join('+')})`);
      if (failing.has(id)) throw unavailable();
      return id === 'c1' ? messages : null;
    },
    async getEndUser(id: string) {
      calls.push(`getEndUser(${id})`);
      return id.startsWith('u') ? endUser(id) : null;
    },
    async listEndUsers(filter: { botIds?: string[]; platform?: string }, offset: number, limit: number) {
      calls.push(`listEndUsers(${JSON.stringify(filter)},${offset},${limit})`);
      return { items: [endUser('u1'), endUser('u2')], total: 2 };
    },
    async ping() {
      calls.push('ping()');
      if (failing.has('ping')) throw unavailable();
    },
  };
  return { calls, datasource: new CloserDatasource(client as unknown as CloserClient) };
}

describe('CloserDatasource bot loader', () => {
  it('batches N loads of 3 distinct ids into one bot list, results in key order', async () => {
    const { calls, datasource } = recordingClient();
    const ids = ['b2', 'b1', 'b3', 'b2', 'b1', 'b3', 'b2'];
    const results = await Promise.all(ids.map((id) => datasource.getBot(id)));
    expect(results.map((b) => b?.nativeId)).toEqual(ids);
    expect(calls).toEqual(['listAllBots()']);
  });

  it('reads a single bot by id, and serves repeats from the cache', async () => {
    const { calls, datasource } = recordingClient();
    const first = await datasource.getBot('b2');
    const again = await datasource.getBot('b2');
    expect(again).toBe(first);
    expect(calls).toEqual(['getBot(b2)']);
  });

  it('answers null for a bot that does not exist, reading it by id when the list lacks it', async () => {
    const { calls, datasource } = recordingClient();
    const [known, missing] = await Promise.all([datasource.getBot('b1'), datasource.getBot('nope')]);
    expect(known?.nativeId).toBe('b1');
    expect(missing).toBeNull();
    expect(calls).toEqual(['listAllBots()', 'getBot(nope)']);
  });

  it('listBots primes getBot: zero further calls', async () => {
    const { calls, datasource } = recordingClient();
    await datasource.listBots();
    const bots = await Promise.all(['b1', 'b2', 'b3'].map((id) => datasource.getBot(id)));
    expect(bots.map((b) => b?.name)).toEqual(['bot b1', 'bot b2', 'bot b3']);
    await datasource.listBots();
    expect(calls).toEqual(['listAllBots()']);
  });

  it('a failed single read rejects only its own key', async () => {
    const { datasource } = recordingClient({ failing: ['b2'] });
    await expect(datasource.getBot('b2')).rejects.toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE, provider: 'CLOSER' });
  });
});

describe('CloserDatasource conversation loader', () => {
  it('dedupes keys: one read per distinct id, results in key order, null for a missing id', async () => {
    const { calls, datasource } = recordingClient();
    const ids = ['c3', 'c1', 'c3', 'missing', 'c1'];
    const results = await Promise.all(ids.map((id) => datasource.getConversation(id, [])));
    expect(results.map((c) => c?.nativeId ?? null)).toEqual(['c3', 'c1', 'c3', null, 'c1']);
    expect(calls.sort()).toEqual(['getConversation(c1)', 'getConversation(c3)', 'getConversation(missing)']);
  });

  it('an upstream failure becomes an Error for that key only', async () => {
    const { datasource } = recordingClient({ failing: ['c2'] });
    const [ok, failed] = await Promise.allSettled([datasource.getConversation('c1', []), datasource.getConversation('c2', [])]);
    expect(ok.status === 'fulfilled' && ok.value?.nativeId).toBe('c1');
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE });
  });

  it('a stream page primes getConversation: zero further calls', async () => {
    const { calls, datasource } = recordingClient();
    const [stream] = datasource.conversationStreams({}, null);
    const chunk = await stream!.fetch(0, 10, null);
    expect(chunk).toMatchObject({ total: 3, done: true, state: null });
    expect(chunk.offsets).toBeUndefined();
    const again = await Promise.all(['c1', 'c2', 'c3'].map((id) => datasource.getConversation(id, [])));
    expect(again).toEqual(chunk.items);
    expect(calls).toEqual(['listConversations(0,10)']);
  });

  it('count reads one item for the vendor total; the same fetch twice costs one call', async () => {
    const { calls, datasource } = recordingClient();
    const [stream] = datasource.conversationStreams({}, ['b1']);
    expect(await stream!.count()).toBe(3);
    await stream!.fetch(0, 2, null);
    const chunk = await stream!.fetch(0, 2, null);
    expect(chunk.done).toBe(false);
    expect(calls).toEqual(['conversationsPage(1,1)', 'listConversations(0,2)']);
  });
});

describe('CloserDatasource message loader', () => {
  it('scans a conversation once for all ids asked of it, in key order, null for the unknown', async () => {
    const { calls, datasource } = recordingClient();
    const results = await Promise.all([
      datasource.getMessage('m3', ['c1']),
      datasource.getMessage('m1', ['c1']),
      datasource.getMessage('m9', ['c1']),
      datasource.getMessage('m1', ['gone']),
    ]);
    expect(results.map((m) => m?.nativeId ?? null)).toEqual(['m3', 'm1', null, null]);
    expect(calls.sort()).toEqual(['scanMessages(c1,m1+m3+m9)', 'scanMessages(gone,m1)']);
    // Everything the scan read is primed.
    expect((await datasource.getMessage('m5', ['c1']))?.text).toBe('m5');
    expect(calls).toHaveLength(2);
  });

  it('listMessages primes getMessage and stamps the conversation scope', async () => {
    const { calls, datasource } = recordingClient();
    const list = await datasource.listMessages(conversation('c1'), 1, 2);
    expect(list.total).toBe(5);
    expect(list.items.map((m) => m.nativeId)).toEqual(['m2', 'm3']);
    expect(await datasource.getMessage('m2', ['c1'])).toBe(list.items[0]);
    expect(calls).toEqual(['listMessages(c1,1,2)']);
  });

  it('answers null without a call when the ID carries no conversation', async () => {
    const { calls, datasource } = recordingClient();
    expect(await datasource.getMessage('m1', [])).toBeNull();
    expect(calls).toEqual([]);
  });

  it('a failed scan rejects the keys of that conversation', async () => {
    const { datasource } = recordingClient({ failing: ['c1'] });
    await expect(datasource.getMessage('m1', ['c1'])).rejects.toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE });
  });
});

describe('CloserDatasource end users, flows, health', () => {
  it('one read per distinct end user, null for a missing one; a list primes them', async () => {
    const { calls, datasource } = recordingClient();
    const [a, b, again, missing] = await Promise.all([
      datasource.getEndUser('u7', []),
      datasource.getEndUser('u8', []),
      datasource.getEndUser('u7', []),
      datasource.getEndUser('x', []),
    ]);
    expect([a?.nativeId, b?.nativeId, again?.nativeId, missing]).toEqual(['u7', 'u8', 'u7', null]);
    expect(calls.sort()).toEqual(['getEndUser(u7)', 'getEndUser(u8)', 'getEndUser(x)']);

    calls.length = 0;
    const list = await datasource.listEndUsers({ botNativeIds: ['b2', 'b1', 'b2'], platform: 'KAKAO' }, 0, 10);
    expect(list).toMatchObject({ total: 2 });
    expect(await datasource.getEndUser('u2', [])).toBe(list.items[1]);
    expect(calls).toEqual(['listEndUsers({"botIds":["b1","b2"],"platform":"kakao"},0,10)']);
  });

  it('restricting end users to no bots answers empty without a call', async () => {
    const { calls, datasource } = recordingClient();
    expect(await datasource.listEndUsers({ botNativeIds: [] }, 0, 10)).toEqual({ items: [], total: 0 });
    expect(calls).toEqual([]);
  });

  it('flows are read once per bot per request', async () => {
    const { calls, datasource } = recordingClient();
    await Promise.all([datasource.listFlows('b1'), datasource.listFlows('b1'), datasource.listFlows('b2')]);
    await datasource.listFlows('b1');
    expect(calls.sort()).toEqual(['listAllFlows(b1)', 'listAllFlows(b2)']);
  });

  it('health is true when CLOSER answers and false when it fails', async () => {
    expect(await recordingClient().datasource.health()).toBe(true);
    expect(await recordingClient({ failing: ['ping'] }).datasource.health()).toBe(false);
  });
});

describe('CloserDatasource conversationStreams', () => {
  const keys = (ds: CloserDatasource, ...args: Parameters<CloserDatasource['conversationStreams']>) =>
    ds.conversationStreams(...args).map((s) => s.key);

  it('has one unfiltered stream by default and none for a search or an empty bot set', () => {
    const { datasource } = recordingClient();
    expect(keys(datasource, {}, null)).toEqual(['CLOSER']);
    expect(keys(datasource, { statuses: [] }, null)).toEqual(['CLOSER']);
    expect(keys(datasource, { search: '배송' }, null)).toEqual([]);
    expect(keys(datasource, {}, [])).toEqual([]);
    expect(keys(datasource, { statuses: ['UNKNOWN'] }, null)).toEqual([]);
  });

  it('splits statuses into the fewest groups CLOSER filters upstream', () => {
    expect(statusGroups(['WITH_OPERATOR'])).toEqual([{ key: 'CLOSER:WITH_OPERATOR', statuses: ['ACTIVE'], manual: ['HANDOVER'] }]);
    expect(statusGroups(['ACTIVE'])).toEqual([{ key: 'CLOSER:ACTIVE', statuses: ['ACTIVE'], manual: ['NONE', 'REQUESTED'] }]);
    expect(statusGroups(['INTERRUPTED', 'COMPLETED'])).toEqual([{ key: 'CLOSER:COMPLETED+INTERRUPTED', statuses: ['COMPLETED', 'INTERRUPTED'] }]);
    expect(statusGroups(['ACTIVE', 'WITH_OPERATOR', 'COMPLETED'])).toEqual([
      { key: 'CLOSER:ACTIVE+WITH_OPERATOR+COMPLETED', statuses: ['ACTIVE', 'COMPLETED'] },
    ]);
    expect(statusGroups(['ACTIVE', 'COMPLETED', 'UNKNOWN'])).toEqual([
      { key: 'CLOSER:ACTIVE', statuses: ['ACTIVE'], manual: ['NONE', 'REQUESTED'] },
      { key: 'CLOSER:COMPLETED', statuses: ['COMPLETED'] },
    ]);
    expect(statusGroups(['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN'])).toEqual([{ key: 'CLOSER' }]);
  });
});
