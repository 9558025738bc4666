import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  conversationTitle,
  mapBot,
  mapConversation,
  mapEndUser,
  mapFlow,
  mapHandoff,
  mapMessage,
  mapStatus,
  toDate,
} from '../../../src/providers/closer/mapper.js';
import {
  closerBotSchema,
  closerConversationPageSchema,
  closerConversationSchema,
  closerEndUserSchema,
  closerFlowSchema,
  closerMessageSchema,
  type CloserConversation,
} from '../../../src/providers/closer/types.js';

// The objects of docs/providers/closer.md (the vendor document has no examples; see test/fixtures/closer/README.md).
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/closer/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

const BOT_ID = '64f0c1a2b3c4d5e6f7a8b9c0';
const CONVERSATION_ID = '64f3c1a2b3c4d5e6f7a8b9c3';
const END_USER_ID = '0b6f3c1e-8a2d-4f5b-9c7e-1d2a3b4c5d6e';

/** The example conversation with `patch` applied, validated as an upstream answer would be. */
function conversation(patch: (c: Record<string, any>) => void = () => {}): CloserConversation {
  const copy = structuredClone(fixture('conversation')) as Record<string, any>;
  patch(copy);
  return closerConversationSchema.parse(copy);
}

describe('CLOSER mapBot', () => {
  it('maps the example bot', () => {
    const raw = closerBotSchema.parse(fixture('bot'));
    const bot = mapBot(raw);
    expect(bot).toEqual({
      provider: 'CLOSER',
      nativeId: BOT_ID,
      name: '쇼핑몰 상담봇',
      description: '주문·배송·반품 상담',
      createdAt: new Date('2026-11-21T08:00:00.000Z'),
      updatedAt: new Date('2026-11-21T08:00:00.000Z'),
      raw,
    });
    expect(bot.raw).toBe(raw);
  });

  it('falls back to the id when the title is missing and to null for an empty description', () => {
    const bot = mapBot(closerBotSchema.parse({ ...fixture('bot'), title: null, description: '' }));
    expect(bot.name).toBe(BOT_ID);
    expect(bot.description).toBeNull();
  });
});

describe('CLOSER mapFlow', () => {
  it('maps the example flow', () => {
    expect(mapFlow(closerFlowSchema.parse(fixture('flow')), 'other-bot')).toEqual({
      provider: 'CLOSER',
      nativeId: '64f1c1a2b3c4d5e6f7a8b9c1',
      botNativeId: BOT_ID,
      name: '주문 조회',
      isDefault: false,
      nodes: [{ nativeId: 'node-1', name: '시작' }],
      raw: closerFlowSchema.parse(fixture('flow')),
    });
  });

  it('takes the bot it was listed under when the payload has no botId', () => {
    const { botId: _botId, ...rest } = fixture('flow');
    const flow = mapFlow(closerFlowSchema.parse({ ...rest, isDefault: true }), 'listed-bot');
    expect(flow.botNativeId).toBe('listed-bot');
    expect(flow.isDefault).toBe(true);
  });
});

describe('CLOSER mapEndUser', () => {
  it('maps the example end user: name from params, channel = platform', () => {
    const raw = closerEndUserSchema.parse(fixture('end-user'));
    expect(mapEndUser(raw)).toEqual({
      provider: 'CLOSER',
      nativeId: END_USER_ID,
      idScope: [],
      botNativeId: BOT_ID,
      name: '김민준',
      platform: 'kakao',
      channel: 'kakao',
      raw,
    });
  });

  it('has no name when params carry none, and survives params that are not an object', () => {
    expect(mapEndUser(closerEndUserSchema.parse({ ...fixture('end-user'), params: {} })).name).toBeNull();
    expect(mapEndUser(closerEndUserSchema.parse({ ...fixture('end-user'), params: 'broken' })).name).toBeNull();
  });
});

describe('CLOSER mapConversation', () => {
  it('maps the example conversation', () => {
    const raw = conversation();
    const model = mapConversation(raw);
    expect(model).toMatchObject({
      provider: 'CLOSER',
      nativeId: CONVERSATION_ID,
      idScope: [],
      title: 'kakao · a8b9c3',
      status: 'ACTIVE',
      handoff: 'BOT',
      botNativeId: BOT_ID,
      endUserNativeId: END_USER_ID,
      endUser: null,
      channel: 'kakao',
      location: null,
      ipAddress: null,
      createdAt: new Date('2026-11-21T08:00:00.000Z'),
      updatedAt: new Date('2026-11-21T08:05:30.000Z'),
      durationSeconds: 330,
      messageCount: null,
      tags: [],
      notes: '',
      collectedData: [],
      trackerEvents: [],
      journey: [],
      embeddedMessages: null,
    });
    expect(model.raw).toBe(raw);
  });

  it.each([
    ['ACTIVE', 'NONE', 'ACTIVE', 'BOT'],
    ['ACTIVE', 'REQUESTED', 'ACTIVE', 'REQUESTED'],
    ['ACTIVE', 'HANDOVER', 'WITH_OPERATOR', 'OPERATOR'],
    ['COMPLETED', 'NONE', 'COMPLETED', 'BOT'],
    ['COMPLETED', 'HANDOVER', 'COMPLETED', 'OPERATOR'],
    ['INTERRUPTED', 'REQUESTED', 'INTERRUPTED', 'REQUESTED'],
    ['ARCHIVED', 'NONE', 'UNKNOWN', 'BOT'],
    ['ACTIVE', 'ESCALATED', 'ACTIVE', 'BOT'],
  ])('context.status %s with manual %s → %s / %s', (status, manual, expectedStatus, expectedHandoff) => {
    const model = mapConversation(
      conversation((c) => {
        c.context.status = status;
        c.context.manual.status = manual;
      }),
    );
    expect(model.status).toBe(expectedStatus);
    expect(model.handoff).toBe(expectedHandoff);
  });

  it('maps a conversation without context to UNKNOWN / BOT rather than failing', () => {
    const model = mapConversation(conversation((c) => delete c.context));
    expect(model.status).toBe('UNKNOWN');
    expect(model.handoff).toBe('BOT');
    expect(mapStatus(undefined, undefined)).toBe('UNKNOWN');
    expect(mapHandoff(null)).toBe('BOT');
  });

  it('takes title and location from params when they are strings, and turns params into collected data', () => {
    const model = mapConversation(
      conversation((c) => {
        c.params = { title: '배송 문의', location: '부산', orderNumber: '20261115-4152748', count: 2 };
        c.tags = ['vip'];
        c.notes = '재방문 고객';
      }),
    );
    expect(model.title).toBe('배송 문의');
    expect(model.location).toBe('부산');
    expect(model.tags).toEqual(['vip']);
    expect(model.notes).toBe('재방문 고객');
    expect(model.collectedData).toContainEqual({
      question: null,
      answer: '20261115-4152748',
      type: 'string',
      variable: 'orderNumber',
      deleted: false,
      fileId: null,
    });
    expect(model.collectedData).toContainEqual(expect.objectContaining({ variable: 'count', answer: '2', type: 'number' }));
  });

  it('ignores a title or location that is not a string', () => {
    const raw = conversation((c) => {
      c.params = { title: 42, location: { city: '서울' } };
      c.platform = 'line';
    });
    expect(conversationTitle(raw)).toBe('line · a8b9c3');
    expect(mapConversation(raw).location).toBeNull();
  });

  it('keeps fields it does not know in raw, and maps a page of conversations', () => {
    const page = closerConversationPageSchema.parse({
      data: [{ ...fixture('conversation'), somethingNew: { x: 1 } }],
      total: 1,
      page: 1,
      limit: 20,
    });
    const model = mapConversation(page.data[0] as CloserConversation);
    expect((model.raw as Record<string, unknown>).somethingNew).toEqual({ x: 1 });
  });

  it('rejects a conversation without an id (UpstreamHttp turns this into PROVIDER_BAD_RESPONSE)', () => {
    const { id: _id, ...rest } = fixture('conversation');
    expect(closerConversationSchema.safeParse(rest).success).toBe(false);
    expect(closerConversationPageSchema.safeParse({ data: 'nope', total: 1 }).success).toBe(false);
  });
});

describe('CLOSER mapMessage', () => {
  it('maps the example text message from the end user', () => {
    const raw = closerMessageSchema.parse(fixture('message-text'));
    expect(mapMessage(raw)).toEqual({
      provider: 'CLOSER',
      nativeId: '64f2c1a2b3c4d5e6f7a8b9c2',
      conversationNativeId: CONVERSATION_ID,
      conversationIdScope: [],
      sender: 'END_USER',
      text: '배송 조회하고 싶어요',
      createdAt: new Date(1763712000000),
      quickReplies: [],
      attachments: [],
      intent: null,
      raw,
    });
    expect(mapMessage(raw).createdAt?.toISOString()).toBe('2025-11-21T08:00:00.000Z');
  });

  it('maps an agent message (meta.sender.platform = closer-chat) to OPERATOR', () => {
    const message = mapMessage(closerMessageSchema.parse(fixture('message-agent')));
    expect(message.sender).toBe('OPERATOR');
    expect(message.text).toBe('안녕하세요, 상담원 이서연입니다.');
  });

  it('maps a bot message with cards: text from the card title, a card attachment, quick replies from buttons', () => {
    const message = mapMessage(closerMessageSchema.parse(fixture('message-cards')));
    expect(message.sender).toBe('BOT');
    expect(message.text).toBe('주문 조회');
    expect(message.attachments).toEqual([
      {
        kind: 'card',
        url: 'https://example.com/orders',
        contentType: null,
        title: '주문 조회',
        // The card's link is `url`; its image would be lost without `imageUrl`.
        description: '주문번호로 배송 상태를 확인해요',
        imageUrl: 'https://example.com/order.png',
        buttons: [
          { title: '배송 조회', payload: '배송 조회' },
          { title: '상담원 연결', payload: '상담원' },
        ],
      },
    ]);
    expect(message.quickReplies).toEqual([
      { title: '배송 조회', payload: '배송 조회' },
      { title: '상담원 연결', payload: '상담원' },
    ]);
  });

  it('prefers data.text over the card title when both are present', () => {
    const raw = fixture('message-cards') as Record<string, any>;
    raw.data.text = '메뉴를 골라 주세요';
    expect(mapMessage(closerMessageSchema.parse(raw)).text).toBe('메뉴를 골라 주세요');
  });

  it('maps a media message to a media attachment with no text', () => {
    const message = mapMessage(closerMessageSchema.parse(fixture('message-media')));
    expect(message.sender).toBe('END_USER');
    expect(message.text).toBeNull();
    expect(message.attachments).toEqual([{ kind: 'media', url: 'https://example.com/photo.jpg', contentType: 'image/jpeg', title: null }]);
  });

  it('maps a location message: text from its title, a geo: URI attachment', () => {
    const message = mapMessage(closerMessageSchema.parse(fixture('message-location')));
    expect(message.sender).toBe('BOT');
    expect(message.text).toBe('하루마켓 강남점');
    expect(message.attachments).toEqual([
      { kind: 'location', url: 'geo:37.4979,127.0276', contentType: null, title: '하루마켓 강남점', latitude: 37.4979, longitude: 127.0276 },
    ]);
  });

  it('survives an unknown data type and a missing meta', () => {
    const raw = fixture('message-text') as Record<string, any>;
    raw.data = { type: 'sticker', stickerId: 'abc' };
    delete raw.meta;
    raw.isUser = false;
    const message = mapMessage(closerMessageSchema.parse(raw), ['scope']);
    expect(message.sender).toBe('BOT');
    expect(message.text).toBeNull();
    expect(message.attachments).toEqual([]);
    expect(message.conversationIdScope).toEqual(['scope']);
  });
});

describe('CLOSER toDate', () => {
  it('reads ISO strings and epoch ms in UTC, and gives null for garbage', () => {
    expect(toDate('2026-11-21T08:00:00.000Z')?.getTime()).toBe(Date.UTC(2026, 10, 21, 8));
    expect(toDate(1763712000000)?.toISOString()).toBe('2025-11-21T08:00:00.000Z');
    expect(toDate('not a date')).toBeNull();
    expect(toDate(null)).toBeNull();
    expect(toDate('')).toBeNull();
  });
});
