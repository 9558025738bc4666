import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  attributionFromScope,
  deriveMessages,
  fileIdFromAnswer,
  mapBot,
  mapConversation,
  mapStatus,
  parseMessageId,
  UNATTRIBUTED,
} from '../../../src/providers/botone/mapper.js';
import { botoneConversationDetailResponseSchema, botoneConversationListSchema } from '../../../src/providers/botone/types.js';

/** The vendor document's own examples (test/fixtures/botone/README.md), plus one in the simulator's documented shape. */
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/botone/${name}`, import.meta.url), 'utf8'));
}

const BOT = { botNativeId: '1446', idScope: ['1446'] };

describe('Bot.one list payloads (10.1.1, 10.2.1)', () => {
  it('maps the v1 keyed list: integer ids, dates, createdAt = updated − duration, no data yet', () => {
    const raw = fixture('v1-conversations.json') as Record<string, unknown>;
    const list = botoneConversationListSchema.parse(raw);
    expect(list.meta.pagination.total).toBe(7);
    const [first, second] = list.items.map((entry) => mapConversation(entry, BOT));
    expect(first).toMatchObject({
      provider: 'BOTONE',
      nativeId: '341',
      idScope: ['1446'],
      botNativeId: '1446',
      title: '#318 Meppel',
      status: 'COMPLETED',
      handoff: 'BOT',
      ipAddress: '37.1.220.250',
      location: 'Meppel',
      channel: null,
      durationSeconds: 13,
      endUserNativeId: null,
      endUser: null,
      collectedData: null,
      messageCount: null,
      embeddedMessages: null,
    });
    expect(first?.updatedAt?.toISOString()).toBe('2023-05-11T08:25:26.000Z');
    expect(first?.createdAt?.toISOString()).toBe('2023-05-11T08:25:13.000Z');
    expect(first?.raw).toEqual(raw['0']);
    expect(second?.nativeId).toBe('340');
    expect(second?.createdAt?.toISOString()).toBe('2023-05-11T08:23:48.000Z');
  });

  it('maps the v2 keyed list: UUIDs, source as channel, `updated: ""` as no dates', () => {
    const raw = fixture('v2-conversations.json') as Record<string, unknown>;
    const list = botoneConversationListSchema.parse(raw);
    expect(list.meta.pagination).toMatchObject({ total: 9, per_page: 40, current_page: 1 });
    const [first, second] = list.items.map((entry) => mapConversation(entry, UNATTRIBUTED));
    expect(first).toMatchObject({
      nativeId: '7eea9bb4-0e47-441b-ad39-0b7715a6978f',
      title: '#319 Perm',
      status: 'ACTIVE',
      handoff: 'BOT',
      channel: 'web',
      location: 'Perm',
      ipAddress: '92.255.128.210',
      updatedAt: null,
      createdAt: null,
      durationSeconds: 935037,
      botNativeId: null,
      idScope: [],
    });
    expect((first?.raw as { updated: string }).updated).toBe('');
    expect(second).toMatchObject({ nativeId: '2368bb59-59e9-467d-91a5-44fdaba94f30', status: 'COMPLETED', channel: 'web' });
    expect(second?.updatedAt?.toISOString()).toBe('2023-05-11T08:25:26.000Z');
  });

  it('orders items by their numeric key, not by the order the keys arrive in', () => {
    const raw = fixture('v1-conversations.json') as Record<string, unknown>;
    const shuffled = { meta: raw.meta, '10': raw['0'], '2': raw['1'] };
    const ids = botoneConversationListSchema.parse(shuffled).items.map((e) => mapConversation(e, BOT).nativeId);
    expect(ids).toEqual(['340', '341']);
  });

  it('reads an empty page (only `meta`) as no items', () => {
    const list = botoneConversationListSchema.parse({ meta: { pagination: { total: 0, count: 0 } } });
    expect(list.items).toEqual([]);
  });

  it('rejects a list without `meta.pagination` or with an item that has no id', () => {
    const raw = fixture('v2-conversations.json') as Record<string, unknown>;
    expect(botoneConversationListSchema.safeParse({ '0': raw['0'] }).success).toBe(false);
    expect(botoneConversationListSchema.safeParse({ ...raw, '2': { name: '#1 Perm' } }).success).toBe(false);
  });
});

describe('Bot.one conversation payloads (10.1.2, 10.2.2, 6)', () => {
  it('maps v1 `data` (an array) into collected data, file ids and messages', () => {
    const raw = fixture('v1-conversation.json');
    const conversation = mapConversation(botoneConversationDetailResponseSchema.parse(raw), BOT);
    expect(conversation).toMatchObject({ nativeId: '123', title: '#108 Perm', status: 'ACTIVE', location: 'string', durationSeconds: 20 });
    expect(conversation.createdAt?.toISOString()).toBe('2022-10-14T07:13:49.000Z');
    expect(conversation.collectedData).toEqual([
      { question: 'Ask Chat GPT', type: 'Text', answer: 'How can you help me?', variable: 'askjabba', deleted: false, fileId: null },
      { question: 'ChatGPT', type: 'Text', answer: 'https://manual.bot.one/web/file/162', variable: null, deleted: false, fileId: '162' },
    ]);
    expect(conversation.raw).toEqual(raw);

    const messages = deriveMessages(conversation);
    expect(conversation.messageCount).toBe(4);
    expect(messages.map((m) => [m.nativeId, m.sender, m.text])).toEqual([
      ['123:0:q', 'BOT', 'Ask Chat GPT'],
      ['123:0:a', 'END_USER', 'How can you help me?'],
      ['123:1:q', 'BOT', 'ChatGPT'],
      ['123:1:a', 'END_USER', 'https://manual.bot.one/web/file/162'],
    ]);
    expect(messages[3]?.attachments).toEqual([{ kind: 'file', url: 'https://manual.bot.one/web/file/162', contentType: null, title: null }]);
    expect(messages[0]).toMatchObject({ provider: 'BOTONE', conversationNativeId: '123', conversationIdScope: ['1446'], createdAt: null });
    expect(messages[1]?.raw).toEqual((raw as { data: unknown[] }).data[0]);
  });

  it('parses v2 `data` sent as the JSON string "[]"', () => {
    const raw = fixture('v2-conversation.json');
    const conversation = mapConversation(botoneConversationDetailResponseSchema.parse(raw), BOT);
    expect(conversation).toMatchObject({
      nativeId: 'f8d5a184-37dc-4055-9b4a-49c34903e813',
      title: '#108 Perm',
      channel: 'web',
      collectedData: [],
      messageCount: 0,
    });
    expect((conversation.raw as { data: unknown }).data).toBe('[]');
  });

  it('accepts v2 `data` as an array too (section 6), with `deleted` defaulting to false', () => {
    const conversation = mapConversation(botoneConversationDetailResponseSchema.parse(fixture('v2-conversation-with-data.json')), BOT);
    expect(conversation.collectedData?.map((d) => [d.question, d.answer, d.deleted, d.fileId])).toEqual([
      ['Webhook', 'https://manual.bot.one/web/file/170', false, '170'],
      [' Что выберете?', '@Webhook', false, null],
    ]);
    // The document shows this conversation in the app as "Webhook  Download response" then
    // "Что выберете? @Webhook": the first item is a webhook block's response file, not the end user
    // speaking. It is one SYSTEM message with the file attached; the button answer is the end user's.
    const messages = deriveMessages(conversation);
    expect(messages.map((m) => [m.sender, m.text])).toEqual([
      ['SYSTEM', 'Webhook response'],
      ['BOT', 'Что выберете?'],
      ['END_USER', '@Webhook'],
    ]);
    expect(messages[0]!.attachments).toEqual([
      { kind: 'file', url: 'https://manual.bot.one/web/file/170', contentType: null, title: 'Webhook response' },
    ]);
    expect(conversation.messageCount).toBe(3);
  });

  it('reads operator turns as OPERATOR messages and skips variables, deleted items and empty sides', () => {
    const conversation = mapConversation(
      botoneConversationDetailResponseSchema.parse(fixture('sim-v2-operator-conversation.json')),
      attributionFromScope(['1446']),
    );
    expect(conversation).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR', channel: 'telegram', botNativeId: '1446' });
    expect(conversation.collectedData).toHaveLength(8);
    expect(conversation.collectedData?.[2]).toMatchObject({ deleted: true, fileId: '151' });
    const messages = deriveMessages(conversation);
    expect(messages.map((m) => [m.nativeId.split(':').slice(1).join(':'), m.sender])).toEqual([
      ['1:q', 'BOT'],
      ['1:a', 'END_USER'],
      ['3:q', 'BOT'],
      ['3:a', 'END_USER'],
      ['4:a', 'END_USER'],
      ['5:q', 'BOT'],
      ['6:q', 'OPERATOR'],
      ['6:a', 'END_USER'],
      ['7:q', 'OPERATOR'],
    ]);
    expect(messages[3]?.attachments[0]?.url).toBe('http://127.0.0.1:4102/web/file/152');
    expect(messages[6]?.text).toBe('Здравствуйте! Меня зовут Анна, я оператор службы доставки. Чем могу помочь?');
    expect(conversation.messageCount).toBe(9);
  });

  it('fails the parse (PROVIDER_BAD_RESPONSE upstream) on a `data` string that is not JSON or not a list', () => {
    const raw = fixture('v2-conversation.json') as Record<string, unknown>;
    expect(botoneConversationDetailResponseSchema.safeParse({ ...raw, data: '[{"question":' }).success).toBe(false);
    expect(botoneConversationDetailResponseSchema.safeParse({ ...raw, data: '{"question":"x"}' }).success).toBe(false);
    expect(botoneConversationDetailResponseSchema.safeParse({ ...raw, updated: 'yesterday' }).success).toBe(false);
  });

  it('keeps unknown fields in `raw` and ignores them otherwise', () => {
    const raw = { ...(fixture('v2-conversation.json') as Record<string, unknown>), rating: 5 };
    const conversation = mapConversation(botoneConversationDetailResponseSchema.parse(raw), BOT);
    expect((conversation.raw as { rating: number }).rating).toBe(5);
    expect(conversation.status).toBe('ACTIVE');
  });
});

describe('Bot.one small mappers', () => {
  it('maps every known status and anything else to UNKNOWN', () => {
    expect(mapStatus('in-process')).toEqual({ status: 'ACTIVE', handoff: 'BOT' });
    expect(mapStatus('operator')).toEqual({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
    expect(mapStatus('completed')).toEqual({ status: 'COMPLETED', handoff: 'BOT' });
    expect(mapStatus('interrupted')).toEqual({ status: 'INTERRUPTED', handoff: 'BOT' });
    expect(mapStatus('paused')).toEqual({ status: 'UNKNOWN', handoff: 'BOT' });
    expect(mapStatus(null)).toEqual({ status: 'UNKNOWN', handoff: 'BOT' });
  });

  it('takes the file id from the end of an answer URL only', () => {
    expect(fileIdFromAnswer('https://manual.bot.one/web/file/170')).toBe('170');
    expect(fileIdFromAnswer('https://test.beta.bot.one/api/v2/file/123/')).toBe('123');
    expect(fileIdFromAnswer('@Webhook')).toBeNull();
    expect(fileIdFromAnswer('see https://x/file/1 please')).toBeNull();
    expect(fileIdFromAnswer(null)).toBeNull();
  });

  it('names a configured bot from its id alone', () => {
    expect(mapBot('1446')).toEqual({
      provider: 'BOTONE',
      nativeId: '1446',
      name: 'Bot.one bot 1446',
      description: null,
      createdAt: null,
      updatedAt: null,
      raw: { id: '1446' },
    });
  });

  it('splits message ids, including conversation ids that contain colons', () => {
    expect(parseMessageId('123:4:a')).toEqual({ conversationNativeId: '123', index: 4, side: 'a' });
    expect(parseMessageId('a:b:0:q')).toEqual({ conversationNativeId: 'a:b', index: 0, side: 'q' });
    expect(parseMessageId('123:x:q')).toBeNull();
    expect(parseMessageId('123')).toBeNull();
  });

  it('turns a global ID scope back into the attribution', () => {
    expect(attributionFromScope(['1447'])).toEqual({ botNativeId: '1447', idScope: ['1447'] });
    expect(attributionFromScope([])).toEqual(UNATTRIBUTED);
  });
});
