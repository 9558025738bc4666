/**
 * Every mutation a provider cannot do answers UNSUPPORTED_BY_PROVIDER with `extensions.provider`,
 * before any upstream call: nothing reaches any simulator. Bot.one on API v1 can only create.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import { ROUTES, conversationsOf, expectError, expectNoLeak, expectNoUpstreamCalls, listen, makeId } from './support.js';

let bg: TestBotgraph;
let v1: TestBotgraph;
const ids = {} as Record<string, string>;

beforeAll(async () => {
  [bg, v1] = await Promise.all([startTestBotgraph(), startTestBotgraph({ BOTONE_API_VERSION: 'v1' })]);
  const [closer, botone, cxone] = await Promise.all([
    conversationsOf(bg, 'CLOSER', ['ACTIVE'], 1),
    conversationsOf(bg, 'BOTONE', ['ACTIVE'], 1),
    conversationsOf(bg, 'CXONE', ['ACTIVE', 'COMPLETED', 'INTERRUPTED', 'WITH_OPERATOR'], 1),
  ]);
  const cx = await bg.gql(`query($id: ID!) { conversation(id: $id) { endUser { id } bot { id } } }`, { id: cxone[0]!.id });
  const flows = await bg.gql(`query($id: ID!) { bot(id: $id) { flows { id } } }`, { id: closer[0]!.bot.id });
  const v1conv = await conversationsOf(v1, 'BOTONE', ['ACTIVE'], 1);
  Object.assign(ids, {
    closerConversation: closer[0]!.id,
    closerBot: closer[0]!.bot.id,
    closerFlow: flows.data.bot.flows[0].id,
    botoneConversation: botone[0]!.id,
    botoneBot: botone[0]!.bot.id,
    otherBotoneBot: makeId('BOTONE', 'Bot', botone[0]!.bot.nativeId === '1446' ? '1447' : '1446'),
    cxoneConversation: cxone[0]!.id,
    cxoneEndUser: cx.data.conversation.endUser.id,
    cxoneBot: cx.data.conversation.bot.id,
    v1Conversation: v1conv[0]!.id,
    v1Bot: v1conv[0]!.bot.id,
  });
});

const M = {
  send: `mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "hello" }) { replayed } }`,
  sendToUser: `mutation($u: ID!) { sendMessageToEndUser(input: { endUserId: $u, text: "hello" }) { replayed } }`,
  start: `mutation($c: ID!) { startHandoff(input: { conversationId: $c }) { replayed } }`,
  end: `mutation($c: ID!) { endHandoff(input: { conversationId: $c }) { replayed } }`,
  toBot: `mutation($c: ID!, $t: ID!) { transferConversation(input: { conversationId: $c, targetBotId: $t }) { replayed } }`,
  toFlow: `mutation($c: ID!, $t: ID!) { transferConversation(input: { conversationId: $c, targetFlowId: $t }) { replayed } }`,
  create: `mutation($b: ID!, $s: Boolean) { createConversation(input: { botId: $b, start: $s, variables: { a: 1 } }) { replayed numericId uuid conversation { id nativeId } } }`,
  update: `mutation($c: ID!) { updateConversation(input: { conversationId: $c, tags: ["x"] }) { replayed } }`,
  complete: `mutation { completeCustomBlock(input: { token: "vertex-demo-token" }) { completed } }`,
  blockSend: `mutation { sendCustomBlockMessage(input: { token: "vertex-demo-token", text: "hi" }) { messageId } }`,
};

async function expectUnsupported(app: TestBotgraph, provider: string, query: string, variables: Record<string, string | boolean>) {
  await app.resetStats();
  // With and without an idempotency key: the key must not change the answer, nor be used up by it.
  const res = await app.gql(query, variables);
  const error = expectError(res, 'UNSUPPORTED_BY_PROVIDER', { provider, retryable: false });
  expect(error.message).toContain(provider);
  expect(res.data).toBeNull();
  await expectNoUpstreamCalls(app);
  expectNoLeak(app, res);
}

describe('UNSUPPORTED_BY_PROVIDER, with zero upstream calls', () => {
  it('any mutation on a CXone conversation, bot or end user', async () => {
    const c = () => ids.cxoneConversation!;
    await expectUnsupported(bg, 'CXONE', M.send, { c: c() });
    await expectUnsupported(bg, 'CXONE', M.start, { c: c() });
    await expectUnsupported(bg, 'CXONE', M.end, { c: c() });
    await expectUnsupported(bg, 'CXONE', M.toBot, { c: c(), t: ids.cxoneBot! });
    await expectUnsupported(bg, 'CXONE', M.update, { c: c() });
    await expectUnsupported(bg, 'CXONE', M.create, { b: ids.cxoneBot! });
    await expectUnsupported(bg, 'CXONE', M.sendToUser, { u: ids.cxoneEndUser! });
    // A crafted flow of CXone (none exist): still the provider's answer, not a crash.
    await expectUnsupported(bg, 'CXONE', M.toFlow, { c: c(), t: makeId('CXONE', 'Flow', 'f1', 'b1') });
    const res = await bg.gql(M.send, { c: c() });
    expect(res.errors![0]!.message).toMatch(/no write endpoint/);
  });

  it('transfer to a flow on Bot.one, transfer to a bot on CLOSER', async () => {
    await expectUnsupported(bg, 'BOTONE', M.toFlow, { c: ids.botoneConversation!, t: makeId('BOTONE', 'Flow', '77', ids.botoneBot!) });
    const otherCloserBot = (await bg.gql(`{ bots(providers: [CLOSER]) { id } }`)).data.bots.find((b: any) => b.id !== ids.closerBot).id;
    await expectUnsupported(bg, 'CLOSER', M.toBot, { c: ids.closerConversation!, t: otherCloserBot });
  });

  it('createConversation on CLOSER and CXone bots', async () => {
    await expectUnsupported(bg, 'CLOSER', M.create, { b: ids.closerBot! });
    await expectUnsupported(bg, 'CLOSER', M.create, { b: ids.closerBot!, s: true });
    await expectUnsupported(bg, 'CXONE', M.create, { b: ids.cxoneBot! });
  });

  it('sendMessageToEndUser anywhere but CLOSER (a CXone end user, a Bot.one one)', async () => {
    await expectUnsupported(bg, 'CXONE', M.sendToUser, { u: ids.cxoneEndUser! });
    await expectUnsupported(bg, 'BOTONE', M.sendToUser, { u: makeId('BOTONE', 'EndUser', 'someone') });
  });

  it('updateConversation on Bot.one', async () => {
    await expectUnsupported(bg, 'BOTONE', M.update, { c: ids.botoneConversation! });
  });

  it('an unsupported call with an idempotency key does not use the key up', async () => {
    await bg.resetStats();
    const q = `mutation($c: ID!, $k: String) { updateConversation(input: { conversationId: $c, notes: "n", idempotencyKey: $k }) { replayed } }`;
    const a = await bg.gql(q, { c: ids.botoneConversation!, k: 'unsupported-key-1' });
    expectError(a, 'UNSUPPORTED_BY_PROVIDER', { provider: 'BOTONE' });
    // The same key, now on a conversation that supports it: runs for real.
    const b = await bg.gql(q, { c: ids.closerConversation!, k: 'unsupported-key-1' });
    expect(b.errors, JSON.stringify(b.errors)).toBeUndefined();
    expect(b.data.updateConversation.replayed).toBe(false);
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerUpdate]).toBe(1);
    expect((await bg.stats('BOTONE')).total).toBe(0);
  });
});

describe('Bot.one on API v1', () => {
  it('lists only what v1 can do', async () => {
    const res = await v1.gql(`{ providers { provider capabilities apiVersion } }`);
    const botone = res.data.providers.find((p: any) => p.provider === 'BOTONE');
    // Vertex (CUSTOM_BLOCKS) has no v1/v2 split: its paths are /api/vertex/v1/… on either API.
    expect(botone).toEqual({
      provider: 'BOTONE',
      capabilities: ['READ_MESSAGES', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS'],
      apiVersion: 'v1',
    });
  });

  it('sendMessage, handoff and transfer are unsupported, with no call', async () => {
    const c = ids.v1Conversation!;
    await expectUnsupported(v1, 'BOTONE', M.send, { c });
    await expectUnsupported(v1, 'BOTONE', M.start, { c });
    await expectUnsupported(v1, 'BOTONE', M.end, { c });
    await expectUnsupported(v1, 'BOTONE', M.toBot, { c, t: ids.otherBotoneBot! });
    // Created and started in one call needs v2.
    await expectUnsupported(v1, 'BOTONE', M.create, { b: ids.v1Bot!, s: true });
    const res = await v1.gql(M.send, { c });
    expect(res.errors![0]!.message).toMatch(/v1/);
  });

  it('custom blocks work on v1 (Vertex has no v1/v2 split); a JWT token names its conversation, which is announced', async () => {
    // The document's complete example sends a JWT whose payload is
    // {"instance":"27regress","diulog_id":314,…}: `diulog_id` is the dialog, the v1 conversation id.
    const sim = v1.sim('BOTONE') as BotoneSimulator;
    const token = sim.vertexTokens().find((t) => t.split('.').length === 3);
    expect(token).toBeDefined();
    const dialog = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')).diulog_id as number;
    const bus = listen(v1);
    const seen = bus.events as any[];
    try {
      const text = `Счёт выставлен ${Date.now()}`;
      const sent = await v1.gql(
        `mutation($t: String!, $x: String!) { sendCustomBlockMessage(input: { token: $t, text: $x }) { messageId conversation { nativeId messages(last: 1) { nodes { sender text } } } } }`,
        { t: token, x: text },
      );
      expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
      expect(sent.data.sendCustomBlockMessage.conversation.nativeId).toBe(String(dialog));
      expect(sent.data.sendCustomBlockMessage.conversation.messages.nodes).toEqual([{ sender: 'BOT', text }]);
      const done = await v1.gql(
        `mutation($t: String!) { completeCustomBlock(input: { token: $t, data: { paid: true } }) { completed conversation { nativeId collectedData { type variable answer } } } }`,
        { t: token },
      );
      expect(done.errors, JSON.stringify(done.errors)).toBeUndefined();
      expect(done.data.completeCustomBlock.conversation.nativeId).toBe(String(dialog));
      expect(done.data.completeCustomBlock.conversation.collectedData).toContainEqual({ type: 'Vertex', variable: 'paid', answer: 'true' });
      // Both writes were published: the bot message (messageAdded) and the conversation change.
      // Announced before the answers came back, as every mutation's events are.
      expect(seen.some((e) => e.kind === 'message' && e.message?.text === text && e.message?.sender === 'BOT')).toBe(true);
      expect(seen.filter((e) => e.kind === 'conversation' && e.conversation?.nativeId === String(dialog)).length).toBeGreaterThanOrEqual(2);
    } finally {
      bus.stop();
    }
    // A token that names nothing (56 letters) still works; there is just no conversation to give.
    const plain = sim.vertexTokens().find((t) => /^[a-z]{56}$/.test(t));
    const res = await v1.gql(`mutation($t: String!) { sendCustomBlockMessage(input: { token: $t, text: "ok" }) { messageId conversation { id } } }`, {
      t: plain,
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.sendCustomBlockMessage.conversation).toBeNull();
  });

  it('createConversation works: the integer id, the UUID, and the conversation readable by its ID', async () => {
    await v1.resetStats();
    const res = await v1.gql(M.create, { b: ids.v1Bot! });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { numericId, uuid, conversation } = res.data.createConversation;
    expect(Number.isInteger(numericId)).toBe(true);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    // v1 reads by the integer id.
    expect(conversation.nativeId).toBe(String(numericId));
    const { routes } = await v1.stats('BOTONE');
    expect(routes['GET /api/v1/dialog/:botId/create']).toBe(1);
    const read = await v1.gql(`query($id: ID!) { conversation(id: $id) { nativeId status collectedData { type variable answer } } }`, {
      id: conversation.id,
    });
    expect(read.data.conversation).toMatchObject({ nativeId: String(numericId), status: 'ACTIVE' });
    expect(read.data.conversation.collectedData).toEqual([{ type: 'Variable', variable: 'a', answer: '1' }]);
  });
});
