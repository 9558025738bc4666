/**
 * Every Bot.one (API v2) mutation over real HTTP against the embedded simulator, each checked by
 * reading the new state back through queries afterwards, with the bus announcing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { collect, subscribed, wsClient } from '../../helpers/live.js';
import {
  CONVERSATION_FIELDS,
  ConversationPool,
  ROUTES,
  expectAnnounced,
  expectError,
  expectNoLeak,
  idParts,
  listen,
  makeId,
  readConversation,
  readMessages,
} from './support.js';

let bg: TestBotgraph;
let pool: ConversationPool;
let bus: ReturnType<typeof listen>;

beforeAll(async () => {
  bg = await startTestBotgraph();
  pool = new ConversationPool(bg);
  bus = listen(bg);
});
afterAll(() => bus.stop());

const later = (a: string | null, b: string | null) => {
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  expect(Date.parse(b as string)).toBeGreaterThan(Date.parse(a as string));
};

describe('Bot.one sendMessage', () => {
  it('answers message null and the refreshed conversation; the OPERATOR message reads back', async () => {
    const conv = await pool.take('BOTONE', ['ACTIVE']);
    bus.clear();
    await bg.resetStats();
    const text = `Здравствуйте, это оператор ${Date.now()}`;
    const res = await bg.gql(
      `mutation($input: SendMessageInput!) { sendMessage(input: $input) { replayed message { id } conversation { ${CONVERSATION_FIELDS} } } }`,
      { input: { conversationId: conv.id, text } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expectAnnounced(bus.events, conv.nativeId, { nativeId: conv.nativeId });
    const { message, conversation, replayed } = res.data.sendMessage;
    expect(replayed).toBe(false);
    // Bot.one answers 204: no message to return.
    expect(message).toBeNull();
    // The conversation was read again after the send: the operator's item is in its data.
    expect(conversation.id).toBe(conv.id);
    expect(conversation.collectedData.at(-1)).toMatchObject({ type: 'Operator', question: text, answer: null });
    later(conv.updatedAt, conversation.updatedAt);
    const { routes } = await bg.stats('BOTONE');
    expect(routes[ROUTES.botoneSend]).toBe(1);

    const messages = await readMessages(bg, conv.id);
    expect(messages.at(-1)).toMatchObject({ sender: 'OPERATOR', text });
    expect((await readConversation(bg, conv.id)).updatedAt).toBe(conversation.updatedAt);
  });
});

describe('Bot.one handoff', () => {
  it('startHandoff → OPERATOR / WITH_OPERATOR, endHandoff → BOT / ACTIVE, each read back', async () => {
    const conv = await pool.take('BOTONE', ['ACTIVE']);
    bus.clear();
    await bg.resetStats();
    const start = await bg.gql(
      `mutation($c: ID!) { startHandoff(input: { conversationId: $c }) { replayed conversation { id status handoff updatedAt } } }`,
      {
        c: conv.id,
      },
    );
    expectAnnounced(bus.events, conv.nativeId, { handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    bus.clear();
    expect(start.errors, JSON.stringify(start.errors)).toBeUndefined();
    expect(start.data.startHandoff.conversation).toMatchObject({ id: conv.id, status: 'WITH_OPERATOR', handoff: 'OPERATOR' });
    // /stop publishes no message, and `updated` is "Дата и время публикации последнего сообщения в
    // диалоге" (the time of the last message): it stays.
    expect(start.data.startHandoff.conversation.updatedAt).toBe(conv.updatedAt);
    expect(await readConversation(bg, conv.id)).toMatchObject({ status: 'WITH_OPERATOR', handoff: 'OPERATOR' });

    const end = await bg.gql(`mutation($c: ID!) { endHandoff(input: { conversationId: $c }) { conversation { status handoff updatedAt } } }`, {
      c: conv.id,
    });
    expectAnnounced(bus.events, conv.nativeId, { handoff: 'BOT', status: 'ACTIVE' });
    expect(end.errors, JSON.stringify(end.errors)).toBeUndefined();
    expect(end.data.endHandoff.conversation).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });
    later(start.data.startHandoff.conversation.updatedAt, end.data.endHandoff.conversation.updatedAt);
    expect(await readConversation(bg, conv.id)).toMatchObject({ status: 'ACTIVE', handoff: 'BOT' });

    const { routes } = await bg.stats('BOTONE');
    expect([routes[ROUTES.botoneStop], routes[ROUTES.botoneStart]]).toEqual([1, 1]);
  });
});

describe('Bot.one transferConversation', () => {
  it('moves the conversation to another bot: the payload, a by-id read and the target bot list agree', async () => {
    const conv = await pool.take('BOTONE', ['ACTIVE']);
    const from = conv.bot.nativeId as string;
    const bots = await bg.gql(`{ bots(providers: [BOTONE]) { id nativeId } }`);
    const target = bots.data.bots.find((b: any) => b.nativeId !== from);
    bus.clear();
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: TransferConversationInput!) { transferConversation(input: $input) { replayed vendorMessage conversation { id nativeId status bot { id nativeId } updatedAt } } }`,
      { input: { conversationId: conv.id, targetBotId: target.id } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expectAnnounced(bus.events, conv.nativeId, { botNativeId: target.nativeId });
    const { conversation, vendorMessage } = res.data.transferConversation;
    expect(vendorMessage).toBe('Goto command complete');
    expect(conversation.nativeId).toBe(conv.nativeId);
    expect(conversation.bot).toEqual({ id: target.id, nativeId: target.nativeId });
    // The bot travels in the ID: the conversation's ID is now the one under the target bot.
    expect(idParts(conversation.id).scope).toEqual([target.nativeId]);
    later(conv.updatedAt, conversation.updatedAt);
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneCommand]).toBe(1);

    expect((await readConversation(bg, conversation.id)).bot.nativeId).toBe(target.nativeId);
    const listed = await bg.gql(`query($b: [ID!]) { conversations(first: 5, filter: { botIds: $b }) { nodes { id nativeId } } }`, { b: [target.id] });
    expect(listed.data.conversations.nodes.map((n: any) => n.id)).toContain(conversation.id);
    const old = await bg.gql(`query($b: [ID!]) { conversations(first: 100, filter: { botIds: $b }) { nodes { nativeId } } }`, { b: [conv.bot.id] });
    expect(old.data.conversations.nodes.map((n: any) => n.nativeId)).not.toContain(conv.nativeId);
  });
});

describe('Bot.one reads after writes in ONE request', () => {
  it('each step sees the state the step before left (no stale per-request cache)', async () => {
    const conv = await pool.take('BOTONE', ['ACTIVE']);
    const bots = await bg.gql(`{ bots(providers: [BOTONE]) { id nativeId } }`);
    const target = bots.data.bots.find((b: any) => b.nativeId !== conv.bot.nativeId);
    const res = await bg.gql(
      `mutation($c: ID!, $t: ID!) {
        a: sendMessage(input: { conversationId: $c, text: "первое" }) { conversation { messageCount status } }
        b: startHandoff(input: { conversationId: $c }) { conversation { handoff status } }
        c: sendMessage(input: { conversationId: $c, text: "второе" }) { conversation { messageCount handoff messages(first: 100) { nodes { sender text } } } }
        d: endHandoff(input: { conversationId: $c }) { conversation { handoff status } }
        e: transferConversation(input: { conversationId: $c, targetBotId: $t }) { conversation { bot { nativeId } } }
        f: startHandoff(input: { conversationId: $c }) { conversation { handoff bot { nativeId } } }
      }`,
      { c: conv.id, t: target.id },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const d = res.data;
    expect(d.b.conversation).toEqual({ handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    expect(d.c.conversation.messageCount).toBe(d.a.conversation.messageCount + 1);
    expect(d.c.conversation.handoff).toBe('OPERATOR');
    expect(
      d.c.conversation.messages.nodes
        .filter((m: any) => m.sender === 'OPERATOR')
        .slice(-2)
        .map((m: any) => m.text),
    ).toEqual(['первое', 'второе']);
    expect(d.d.conversation).toEqual({ handoff: 'BOT', status: 'ACTIVE' });
    expect(d.e.conversation.bot.nativeId).toBe(target.nativeId);
    // Addressed by the ID minted before the move, it still answers under the bot it moved to.
    expect(d.f.conversation).toEqual({ handoff: 'OPERATOR', bot: { nativeId: target.nativeId } });
  });
});

describe('Bot.one createConversation', () => {
  it('start: false creates without starting (uuid, no numericId); the variables are its collected data', async () => {
    bus.clear();
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: CreateConversationInput!) { createConversation(input: $input) { replayed numericId uuid conversation { ${CONVERSATION_FIELDS} } } }`,
      { input: { botId: makeBotId(1446), variables: { name: 'Dasha', age: 31 } } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { numericId, uuid, conversation } = res.data.createConversation;
    expectAnnounced(bus.events, uuid, { nativeId: uuid, status: 'ACTIVE', botNativeId: '1446' });
    expect(numericId).toBeNull();
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(conversation).toMatchObject({
      provider: 'BOTONE',
      nativeId: uuid,
      status: 'ACTIVE',
      handoff: 'BOT',
      updatedAt: null,
      bot: { nativeId: '1446' },
    });
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneCreateGet]).toBe(1);

    const read = await readConversation(bg, conversation.id);
    const vars = read.collectedData.filter((d: any) => d.type === 'Variable');
    expect(vars).toEqual([
      expect.objectContaining({ variable: 'name', answer: 'Dasha' }),
      expect.objectContaining({ variable: 'age', answer: '31' }),
    ]);
  });

  it('start: true creates and starts it (numericId and uuid); the bot has asked its first question', async () => {
    bus.clear();
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: CreateConversationInput!) { createConversation(input: $input) { replayed numericId uuid conversation { ${CONVERSATION_FIELDS} } } }`,
      { input: { botId: makeBotId(1447), variables: { city: 'Perm' }, start: true } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { numericId, uuid, conversation } = res.data.createConversation;
    expectAnnounced(bus.events, uuid, { nativeId: uuid, status: 'ACTIVE', botNativeId: '1447' });
    expect(Number.isInteger(numericId)).toBe(true);
    expect(numericId).toBeGreaterThan(0);
    expect(conversation).toMatchObject({ nativeId: uuid, status: 'ACTIVE', bot: { nativeId: '1447' } });
    expect(conversation.updatedAt).not.toBeNull();
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneCreatePost]).toBe(1);

    const read = await readConversation(bg, conversation.id);
    expect(read.collectedData).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Variable', variable: 'city', answer: 'Perm' }),
        expect.objectContaining({ type: 'Text', answer: null }),
      ]),
    );
    const messages = await readMessages(bg, conversation.id);
    expect(messages.at(-1)).toMatchObject({ sender: 'BOT' });
  });
});

describe('Bot.one custom blocks (Vertex)', () => {
  it('sendCustomBlockMessage shows a bot message; completeCustomBlock stores the data and uses the token up', async () => {
    const sim = bg.sim('BOTONE') as BotoneSimulator;
    const token = sim.vertexTokens()[0] as string;
    expect(token).toBeDefined();
    await bg.resetStats();
    const text = `Оплата получена ${Date.now()}`;
    const sent = await bg.gql(
      `mutation($input: SendCustomBlockMessageInput!) { sendCustomBlockMessage(input: $input) { messageId createdAt replayed } }`,
      { input: { token, text, typing: true } },
    );
    expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
    expect(sent.data.sendCustomBlockMessage.messageId).toMatch(/\S/);
    expect(Date.parse(sent.data.sendCustomBlockMessage.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(sent.data.sendCustomBlockMessage.replayed).toBe(false);

    // The token does not say which conversation: find it by the message.
    const active = await bg.gql(
      `{ conversations(first: 100, filter: { providers: [BOTONE], statuses: [ACTIVE, WITH_OPERATOR] }) { nodes { id collectedData { type question } } } }`,
    );
    expect(active.errors).toBeUndefined();
    const holder = active.data.conversations.nodes.find((n: any) => n.collectedData.some((d: any) => d.type === 'Text' && d.question === text));
    expect(holder).toBeDefined();
    expect((await readMessages(bg, holder.id)).at(-1)).toMatchObject({ sender: 'BOT', text });

    await bg.resetStats();
    const done = await bg.gql(`mutation($input: CompleteCustomBlockInput!) { completeCustomBlock(input: $input) { completed replayed } }`, {
      input: { token, data: { payment: 'paid', amount: 1200 } },
    });
    expect(done.errors, JSON.stringify(done.errors)).toBeUndefined();
    expect(done.data.completeCustomBlock).toEqual({ completed: true, replayed: false });
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneComplete]).toBe(1);
    const after = await readConversation(bg, holder.id);
    expect(after.collectedData.filter((d: any) => d.type === 'Vertex')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ variable: 'payment', answer: 'paid' }),
        expect.objectContaining({ variable: 'amount', answer: '1200' }),
      ]),
    );
    expect(sim.vertexTokens()).not.toContain(token);
    // Used up: the vendor refuses it now, and botgraph says what that means, without the token.
    const again = await bg.gql(`mutation($t: String!) { completeCustomBlock(input: { token: $t }) { completed } }`, { t: token });
    expectError(again, 'FORBIDDEN_BY_PROVIDER', { provider: 'BOTONE' });
    expectNoLeak(bg, again, [token]);
    expectNoLeak(bg, sent, [token]);
  });
});

describe('Bot.one custom blocks on API v2: the JWT names the conversation', () => {
  it('sendCustomBlockMessage and completeCustomBlock return it, publish its events, and messageAdded shows the bot message', async () => {
    // The document's `complete` example sends a JWT whose payload is
    // {"instance":"27regress","diulog_id":314,"vertex_id":"4089,"session_id":2957} (sic: `diulog_id`):
    // the dialog's integer id. v2 ids are UUIDs, so botgraph finds the UUID that integer goes with.
    const sim = bg.sim('BOTONE') as BotoneSimulator;
    const token = sim.vertexTokens().find((t) => t.split('.').length === 3);
    expect(token).toBeDefined();
    const dialog = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')).diulog_id as number;
    const uuid = sim.store.get(dialog)!.uuid.toLowerCase();
    const conversationId = makeId('BOTONE', 'Conversation', uuid);

    const client = wsClient(bg);
    const added = collect<{ text: string; sender: string }>(client, `subscription($id: ID!) { messageAdded(conversationId: $id) { text sender } }`, {
      id: conversationId,
    });
    try {
      await subscribed(bg, 1, `msg:BOTONE:${uuid}`);
      bus.clear();
      await bg.resetStats();
      const text = `Счёт выставлен ${Date.now()}`;
      const sent = await bg.gql(
        `mutation($t: String!, $x: String!) { sendCustomBlockMessage(input: { token: $t, text: $x }) { messageId conversation { id nativeId messages(last: 1) { nodes { sender text } } } } }`,
        { t: token, x: text },
      );
      expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
      expect(sent.data.sendCustomBlockMessage.conversation).toMatchObject({ nativeId: uuid, messages: { nodes: [{ sender: 'BOT', text }] } });
      // The lookup's upstream cost (docs/providers/botone.md, "Custom blocks"): one v1 read by the
      // integer id, one v2 list page around the dialog's creation; then the conversation's own read.
      const routes = (await bg.stats('BOTONE')).routes;
      expect(routes['GET /api/v1/conversation/:id']).toBe(1);
      expect(routes['GET /api/v2/conversations']).toBe(1);
      // Announced: the bot message and the conversation change, and messageAdded delivers the message.
      expect(bus.events.some((e: any) => e.kind === 'message' && e.message?.text === text && e.message?.conversationNativeId === uuid)).toBe(true);
      await added.waitFor((es) => es.some((m) => m.text === text && m.sender === 'BOT'), 'the block message on messageAdded');

      // Known now: completing the block costs no lookup call.
      await bg.resetStats();
      const done = await bg.gql(
        `mutation($t: String!) { completeCustomBlock(input: { token: $t, data: { paid: true } }) { completed conversation { nativeId collectedData { type variable answer } } } }`,
        {
          t: token,
        },
      );
      expect(done.errors, JSON.stringify(done.errors)).toBeUndefined();
      expect(done.data.completeCustomBlock.conversation.nativeId).toBe(uuid);
      expect(done.data.completeCustomBlock.conversation.collectedData).toContainEqual({ type: 'Vertex', variable: 'paid', answer: 'true' });
      const after = (await bg.stats('BOTONE')).routes;
      expect(after['GET /api/v1/conversation/:id'] ?? 0).toBe(0);
      expect(after['GET /api/v2/conversations'] ?? 0).toBe(0);
      expect(bus.events.filter((e: any) => e.kind === 'conversation' && e.conversation?.nativeId === uuid).length).toBeGreaterThanOrEqual(2);
    } finally {
      added.stop();
      await client.dispose();
    }
  });
});

function makeBotId(id: number): string {
  return Buffer.from(`b1|BOTONE|Bot|${id}`, 'utf8').toString('base64url');
}
