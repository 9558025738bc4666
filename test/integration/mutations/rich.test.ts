/**
 * Media, card and location sends (`sendMessage`/`sendMessageToEndUser` with `media`, `cards` or
 * `location`), over real HTTP to the embedded simulators. What each vendor document allows:
 *
 * - CLOSER: "POST /openapi/conversation/{conversationId}/message — 특정 대화에 메시지 전송하기" (send a
 *   message to a conversation) and "POST /openapi/message — 최종사용자에게 메시지 전송하기" (to an end
 *   user), and the published MESSAGE shape (../shared/providers/README.md): "MESSAGE.DATA has `type`:
 *   text | media | cards | location, with `text`, `media{contentType, uri}`, `cards[{title,
 *   description, media, uri, buttons}]` and `location{title, latitude, longitude}`."
 * - Bot.one: the operator's send takes text only ("В теле запроса нужно прописать сообщение" with
 *   `{"body": "Привет, я оператор."}`), and Vertex's "отправить в диалог текстовое сообщение" (a
 *   *text* message): no media, cards or locations.
 * - CXone: "The API is export-only: there is no way to send a message".
 *
 * So only CLOSER has RICH_MESSAGES; the others answer UNSUPPORTED_BY_PROVIDER with 0 upstream calls.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type GraphQLResponse, type TestBotgraph } from '../../helpers/botgraph.js';
import { wsClient } from '../../helpers/live.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { ConversationPool, ROUTES, expectAnnounced, expectError, expectNoLeak, expectNoUpstreamCalls, idParts, listen, totals } from './support.js';

let bg: TestBotgraph;
let pool: ConversationPool;

beforeAll(async () => {
  bg = await startTestBotgraph();
  pool = new ConversationPool(bg);
});

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  replayed
  message { id nativeId sender text quickReplies { title payload }
    attachments { kind url contentType title description imageUrl latitude longitude buttons { title payload } } }
  conversation { id } } }`;

/** The message as the simulator stores it, read from CLOSER's own list endpoint (not through botgraph). */
async function stored(conversationNativeId: string, messageNativeId: string): Promise<Record<string, any>> {
  const closer = bg.sim('CLOSER') as CloserSimulator;
  const res = await fetch(`${closer.url}/openapi/conversation/${conversationNativeId}/message?limit=100`, {
    headers: { 'x-api-key': closer.apiKey },
  });
  expect(res.status).toBe(200);
  const page = (await res.json()) as { data: Array<Record<string, any>> };
  const found = page.data.find((m) => m.id === messageNativeId);
  expect(found, 'the sent message is in the conversation').toBeDefined();
  return found!;
}

async function sendOk(input: Record<string, unknown>) {
  const res = await bg.gql(SEND, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expectNoLeak(bg, res);
  return res.data.sendMessage;
}

describe('CLOSER: media, cards and location through sendMessage', () => {
  it('lists RICH_MESSAGES for CLOSER only, derived from the writes each datasource implements', async () => {
    const res = await bg.gql(`{ providers { provider capabilities } }`);
    const caps = Object.fromEntries(res.data.providers.map((p: any) => [p.provider, p.capabilities]));
    expect(caps.CLOSER).toContain('RICH_MESSAGES');
    expect(caps.BOTONE).not.toContain('RICH_MESSAGES');
    expect(caps.CXONE).not.toContain('RICH_MESSAGES');
  });

  it('a medium: MESSAGE.DATA `{type: "media", media: {contentType, uri}}` with its caption, mapped back as a media attachment', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    await bg.resetStats();
    const bus = listen(bg);
    const sent = await sendOk({
      conversationId: conv.id,
      text: ' 영수증 사진입니다 ',
      media: { url: 'https://cdn.example.com/receipt.png', contentType: 'image/png' },
    });
    bus.stop();
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(1);
    // What CLOSER stored is exactly the document's MESSAGE.DATA for a medium (trimmed caption).
    const raw = await stored(conv.nativeId, sent.message.nativeId);
    expect(raw.data).toEqual({
      type: 'media',
      media: { contentType: 'image/png', uri: 'https://cdn.example.com/receipt.png' },
      text: '영수증 사진입니다',
    });
    expect(raw.isUser).toBe(false);
    expect(raw.meta.sender.platform).toBe('closer-chat');
    expect(sent.message).toMatchObject({
      sender: 'OPERATOR',
      text: '영수증 사진입니다',
      attachments: [
        {
          kind: 'media',
          url: 'https://cdn.example.com/receipt.png',
          contentType: 'image/png',
          title: null,
          description: null,
          imageUrl: null,
          latitude: null,
          longitude: null,
          buttons: [],
        },
      ],
    });
    // Announced like a text send, with its attachment.
    expectAnnounced(bus.events, conv.nativeId, { nativeId: conv.nativeId }, { nativeId: sent.message.nativeId, sender: 'OPERATOR' });
    // And read back the same through the conversation.
    const read = await bg.gql(
      `query($id: ID!) { conversation(id: $id) { messages(last: 1) { nodes { id attachments { kind url contentType } } } } }`,
      {
        id: conv.id,
      },
    );
    expect(read.data.conversation.messages.nodes).toEqual([
      { id: sent.message.id, attachments: [{ kind: 'media', url: 'https://cdn.example.com/receipt.png', contentType: 'image/png' }] },
    ]);
  });

  it('cards: `cards[{title, description, media, uri, buttons}]`, every field kept and mapped back', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const sent = await sendOk({
      conversationId: conv.id,
      text: '추천 상품',
      cards: [
        {
          title: '텀블러',
          description: '500ml 스테인리스',
          image: { url: 'https://cdn.example.com/t.jpg', contentType: 'image/jpeg' },
          url: 'https://shop.example.com/p/1',
          buttons: [
            { title: '구매', payload: 'BUY_1' },
            { title: '찜하기', payload: 'LIKE_1' },
          ],
        },
        { title: '머그컵' },
      ],
    });
    const raw = await stored(conv.nativeId, sent.message.nativeId);
    expect(raw.data).toEqual({
      type: 'cards',
      text: '추천 상품',
      cards: [
        {
          title: '텀블러',
          description: '500ml 스테인리스',
          media: { contentType: 'image/jpeg', uri: 'https://cdn.example.com/t.jpg' },
          uri: 'https://shop.example.com/p/1',
          buttons: [
            { title: '구매', payload: 'BUY_1' },
            { title: '찜하기', payload: 'LIKE_1' },
          ],
        },
        // Only the fields given: CLOSER's bodies are strict (docs/providers/closer.md, "Bodies").
        { title: '머그컵' },
      ],
    });
    expect(sent.message.text).toBe('추천 상품');
    expect(sent.message.attachments).toEqual([
      {
        kind: 'card',
        url: 'https://shop.example.com/p/1',
        contentType: null,
        title: '텀블러',
        description: '500ml 스테인리스',
        imageUrl: 'https://cdn.example.com/t.jpg',
        latitude: null,
        longitude: null,
        buttons: [
          { title: '구매', payload: 'BUY_1' },
          { title: '찜하기', payload: 'LIKE_1' },
        ],
      },
      {
        kind: 'card',
        url: null,
        contentType: null,
        title: '머그컵',
        description: null,
        imageUrl: null,
        latitude: null,
        longitude: null,
        buttons: [],
      },
    ]);
    expect(sent.message.quickReplies).toEqual([
      { title: '구매', payload: 'BUY_1' },
      { title: '찜하기', payload: 'LIKE_1' },
    ]);
  });

  it('a location: `location{title, latitude, longitude}`, its title the text, its point in latitude/longitude and a geo: URI', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const sent = await sendOk({ conversationId: conv.id, location: { latitude: 37.4979, longitude: 127.0276, title: '강남역 매장' } });
    const raw = await stored(conv.nativeId, sent.message.nativeId);
    expect(raw.data).toEqual({ type: 'location', location: { title: '강남역 매장', latitude: 37.4979, longitude: 127.0276 } });
    expect(sent.message.text).toBe('강남역 매장');
    expect(sent.message.attachments).toEqual([
      {
        kind: 'location',
        url: 'geo:37.4979,127.0276',
        contentType: null,
        title: '강남역 매장',
        description: null,
        imageUrl: null,
        latitude: 37.4979,
        longitude: 127.0276,
        buttons: [],
      },
    ]);
  });

  it('sendMessageToEndUser carries the same kinds to POST /openapi/message', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const user = await bg.gql(`query($id: ID!) { conversation(id: $id) { endUser { id } } }`, { id: conv.id });
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: SendMessageToEndUserInput!) { sendMessageToEndUser(input: $input) {
        message { nativeId conversation { nativeId } attachments { kind url contentType } } } }`,
      { input: { endUserId: user.data.conversation.endUser.id, media: { url: 'https://cdn.example.com/a.mp4', contentType: 'video/mp4' } } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSendToEndUser]).toBe(1);
    const message = res.data.sendMessageToEndUser.message;
    expect(message.attachments).toEqual([{ kind: 'media', url: 'https://cdn.example.com/a.mp4', contentType: 'video/mp4' }]);
    const raw = await stored(message.conversation.nativeId, message.nativeId);
    // No caption given: none sent.
    expect(raw.data).toEqual({ type: 'media', media: { contentType: 'video/mp4', uri: 'https://cdn.example.com/a.mp4' } });
  });
});

describe('rich sends stay idempotent', () => {
  const KEYED = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { replayed message { id nativeId attachments { kind title } } } }`;

  it('the same key and card: 1 POST, every other call a replay of the same message; another card with that key is IDEMPOTENCY_KEY_REUSED', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const key = `rich-${Date.now()}`;
    const input = { conversationId: conv.id, idempotencyKey: key, cards: [{ title: '쿠폰', buttons: [{ title: '받기', payload: 'COUPON' }] }] };
    await bg.resetStats();
    const responses = await Promise.all(Array.from({ length: 10 }, () => bg.gql(KEYED, { input })));
    for (const r of responses) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const payloads = responses.map((r) => r.data.sendMessage);
    expect(new Set(payloads.map((p) => p.message.id)).size).toBe(1);
    expect(payloads.filter((p) => !p.replayed)).toHaveLength(1);
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(1);

    const other = await bg.gql(KEYED, { input: { ...input, cards: [{ title: '다른 쿠폰' }] } });
    expectError(other, 'IDEMPOTENCY_KEY_REUSED');
    // The same key with the medium instead: reused too.
    const media = await bg.gql(KEYED, {
      input: { conversationId: conv.id, idempotencyKey: key, media: { url: 'https://cdn.example.com/x.png', contentType: 'image/png' } },
    });
    expectError(media, 'IDEMPOTENCY_KEY_REUSED');
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(1);
  });
});

describe('refused before any upstream call', () => {
  const MEDIA = { url: 'https://cdn.example.com/a.png', contentType: 'image/png' };

  it('UNSUPPORTED_BY_PROVIDER on Bot.one and CXone (their documents send text only, or nothing), with extensions.provider', async () => {
    const [botone, cxone] = await Promise.all([pool.take('BOTONE', ['ACTIVE']), pool.take('CXONE', ['ACTIVE', 'COMPLETED', 'INTERRUPTED'])]);
    for (const [provider, conv] of [
      ['BOTONE', botone],
      ['CXONE', cxone],
    ] as const) {
      for (const extra of [{ media: MEDIA }, { cards: [{ title: 'x' }] }, { location: { latitude: 1, longitude: 2 } }]) {
        await bg.resetStats();
        const res = await bg.gql(SEND, { input: { conversationId: conv.id, ...extra } });
        const error = expectError(res, 'UNSUPPORTED_BY_PROVIDER', { provider });
        expect(error.message).toMatch(/cannot send media, cards or locations/);
        expect(res.data).toBeNull();
        await expectNoUpstreamCalls(bg);
      }
    }
    // Bot.one has the operator send on API v2: the refusal does not blame the version.
    const res = await bg.gql(SEND, { input: { conversationId: botone.id, media: MEDIA } });
    expect(res.errors![0]!.message).toMatch(/its API has no such operation/);
    // Plain text on Bot.one still goes through (its one send).
    await bg.resetStats();
    const text = await bg.gql(SEND, { input: { conversationId: botone.id, text: 'текст' } });
    expect(text.errors, JSON.stringify(text.errors)).toBeUndefined();
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneSend]).toBe(1);
  });

  it('BAD_USER_INPUT naming the field for two kinds, no content, text with a location, and out-of-range values', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const c = conv.id;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ conversationId: c }, 'input.text'],
      [{ conversationId: c, media: MEDIA, cards: [{ title: 'x' }] }, 'input.cards'],
      [{ conversationId: c, text: 'here', location: { latitude: 1, longitude: 2 } }, 'input.text'],
      [{ conversationId: c, media: { url: 'ftp://cdn.example.com/a.png', contentType: 'image/png' } }, 'input.media.url'],
      [{ conversationId: c, media: { url: 'not a url', contentType: 'image/png' } }, 'input.media.url'],
      [{ conversationId: c, media: { url: MEDIA.url, contentType: 'image' } }, 'input.media.contentType'],
      [{ conversationId: c, cards: [] }, 'input.cards'],
      [{ conversationId: c, cards: Array.from({ length: 11 }, (_, i) => ({ title: `c${i}` })) }, 'input.cards'],
      [{ conversationId: c, cards: [{ title: '  ' }] }, 'input.cards[0].title'],
      [
        { conversationId: c, cards: [{ title: 'x', buttons: Array.from({ length: 11 }, () => ({ title: 'b', payload: 'p' })) }] },
        'input.cards[0].buttons',
      ],
      [{ conversationId: c, cards: [{ title: 'x', url: 'javascript:alert(1)' }] }, 'input.cards[0].url'],
      [{ conversationId: c, location: { latitude: 91, longitude: 0 } }, 'input.location.latitude'],
      [{ conversationId: c, location: { latitude: 0, longitude: -180.5 } }, 'input.location.longitude'],
      [{ conversationId: c, text: 'x'.repeat(4001), media: MEDIA }, 'input.text'],
    ];
    await bg.resetStats();
    for (const [input, field] of cases) {
      const res = await bg.gql(SEND, { input });
      expectError(res, 'BAD_USER_INPUT', { field });
    }
    expect(await totals(bg)).toEqual({ CLOSER: 0, BOTONE: 0, CXONE: 0 });
    expect(idParts(c).provider).toBe('CLOSER');
  });
});

describe('over WebSocket, as over HTTP', () => {
  const MEDIA = { url: 'https://cdn.example.com/ws.png', contentType: 'image/png' };

  /** One sendMessage over graphql-ws: its single result, as an HTTP body would carry it. */
  async function sendWs(input: Record<string, unknown>): Promise<GraphQLResponse> {
    const client = wsClient(bg);
    try {
      const iterator = client.iterate({ query: SEND, variables: { input } });
      const { value } = await iterator.next();
      await iterator.return?.();
      return value as GraphQLResponse;
    } finally {
      await client.dispose();
    }
  }

  it('refuses the same way (UNSUPPORTED_BY_PROVIDER with provider, BAD_USER_INPUT with field), with 0 upstream calls', async () => {
    const [botone, closer] = await Promise.all([pool.take('BOTONE', ['ACTIVE']), pool.take('CLOSER', ['ACTIVE'])]);
    await bg.resetStats();
    const unsupported = await sendWs({ conversationId: botone.id, cards: [{ title: 'x' }] });
    expect(expectError(unsupported, 'UNSUPPORTED_BY_PROVIDER', { provider: 'BOTONE' }).message).toMatch(/cannot send media, cards or locations/);
    const bad = await sendWs({ conversationId: closer.id, media: MEDIA, location: { latitude: 1, longitude: 2 } });
    expectError(bad, 'BAD_USER_INPUT', { field: 'input.location' });
    const range = await sendWs({ conversationId: closer.id, location: { latitude: 0, longitude: 181 } });
    expectError(range, 'BAD_USER_INPUT', { field: 'input.location.longitude' });
    expect(await totals(bg)).toEqual({ CLOSER: 0, BOTONE: 0, CXONE: 0 });
  });

  it('sends a medium: one POST, the stored MESSAGE.DATA as over HTTP', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    await bg.resetStats();
    const res = await sendWs({ conversationId: conv.id, text: 'ws', media: MEDIA });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expectNoLeak(bg, res);
    const sent = res.data.sendMessage;
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(1);
    const raw = await stored(conv.nativeId, sent.message.nativeId);
    expect(raw.data).toEqual({ type: 'media', text: 'ws', media: { contentType: 'image/png', uri: MEDIA.url } });
  });
});
