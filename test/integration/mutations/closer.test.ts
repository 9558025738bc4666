/**
 * Every CLOSER mutation over real HTTP against the embedded simulator, each checked by reading the
 * new state back through queries afterwards (and in the same request), with the bus announcing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import {
  CONVERSATION_FIELDS,
  ConversationPool,
  ROUTES,
  expectAnnounced,
  expectError,
  expectNoLeak,
  idParts,
  listen,
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

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) {
  replayed message { id provider nativeId sender text createdAt conversation { id } }
  conversation { id status handoff updatedAt messageCount messages(first: 100) { nodes { id sender text } } } } }`;
const HANDOFF = (name: string) => `mutation($input: HandoffInput!) { ${name}(input: $input) { replayed conversation { ${CONVERSATION_FIELDS} } } }`;

const later = (a: string | null, b: string | null) => {
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  expect(Date.parse(b as string)).toBeGreaterThan(Date.parse(a as string));
};

describe('CLOSER sendMessage', () => {
  it('sends as the operator; the message is in the payload, in conversation.messages, and announced', async () => {
    // Under 100 messages, so the payload's first page of messages ends with the new one.
    const conv = await pool.take('CLOSER', ['ACTIVE'], (c) => c.messageCount < 90);
    bus.clear();
    await bg.resetStats();
    const text = `operator says hi ${Date.now()}`;
    const res = await bg.gql(SEND, { input: { conversationId: conv.id, text: `  ${text}  ` } });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { message, conversation, replayed } = res.data.sendMessage;
    expect(replayed).toBe(false);
    // Trimmed, from the operator, in this conversation.
    expect(message).toMatchObject({ provider: 'CLOSER', sender: 'OPERATOR', text, conversation: { id: conv.id } });
    expect(idParts(message.id)).toMatchObject({ provider: 'CLOSER', type: 'Message', nativeId: message.nativeId });
    // The payload's conversation is the post-write state: it already holds the message.
    expect(conversation.id).toBe(conv.id);
    expect(conversation.messages.nodes.at(-1)).toMatchObject({ id: message.id, sender: 'OPERATOR', text });
    later(conv.updatedAt, conversation.updatedAt);
    // Exactly one send upstream.
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(1);

    // Announced before the response came back: a message event and a conversation event.
    expectAnnounced(bus.events, conv.nativeId, { nativeId: conv.nativeId }, { nativeId: message.nativeId, text, sender: 'OPERATOR' });

    // A later query sees it too, through both the conversation and the message node.
    const messages = await readMessages(bg, conv.id);
    expect(messages.filter((m) => m.id === message.id)).toEqual([expect.objectContaining({ sender: 'OPERATOR', text })]);
    const node = await bg.gql(`query($id: ID!) { node(id: $id) { ... on Message { sender text } } }`, { id: message.id });
    expect(node.data.node).toEqual({ sender: 'OPERATOR', text });
    const after = await readConversation(bg, conv.id);
    expect(after.updatedAt).toBe(conversation.updatedAt);
    expectNoLeak(bg, res);
  });
});

describe('CLOSER sendMessageToEndUser', () => {
  it("writes into the end user's conversation as the operator, and it reads back", async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const user = await bg.gql(`query($id: ID!) { conversation(id: $id) { endUser { id } } }`, { id: conv.id });
    const endUserId = user.data.conversation.endUser.id as string;
    bus.clear();
    await bg.resetStats();
    const text = `to the end user ${Date.now()}`;
    const res = await bg.gql(
      `mutation($input: SendMessageToEndUserInput!) { sendMessageToEndUser(input: $input) {
        replayed message { id sender text conversation { id endUser { id } } } conversation { id updatedAt endUser { id } } } }`,
      { input: { endUserId, text } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { message, conversation } = res.data.sendMessageToEndUser;
    expect(message).toMatchObject({ sender: 'OPERATOR', text });
    expect(conversation.endUser.id).toBe(endUserId);
    expect(message.conversation.id).toBe(conversation.id);
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSendToEndUser]).toBe(1);
    const convNative = idParts(conversation.id).nativeId;
    expectAnnounced(bus.events, convNative, { nativeId: convNative }, { nativeId: idParts(message.id).nativeId, text, sender: 'OPERATOR' });
    const messages = await readMessages(bg, conversation.id);
    expect(messages.at(-1)).toMatchObject({ id: message.id, sender: 'OPERATOR', text });
  });
});

describe('CLOSER handoff', () => {
  it('startHandoff gives it to an operator and endHandoff gives it back, each visible to the next query', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE'], (c) => c.handoff === 'BOT');
    bus.clear();
    const started = await bg.gql(HANDOFF('startHandoff'), { input: { conversationId: conv.id } });
    expectAnnounced(bus.events, conv.nativeId, { handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    expect(started.errors, JSON.stringify(started.errors)).toBeUndefined();
    expect(started.data.startHandoff.conversation).toMatchObject({ id: conv.id, handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    later(conv.updatedAt, started.data.startHandoff.conversation.updatedAt);
    expect(await readConversation(bg, conv.id)).toMatchObject({ handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    // The list filtered by status finds it under its new status (no stale list anywhere).
    const listed = await bg.gql(`{ conversations(first: 100, filter: { providers: [CLOSER], statuses: [WITH_OPERATOR] }) { nodes { id } } }`);
    expect(listed.data.conversations.nodes.map((n: any) => n.id)).toContain(conv.id);

    bus.clear();
    const ended = await bg.gql(HANDOFF('endHandoff'), { input: { conversationId: conv.id } });
    expectAnnounced(bus.events, conv.nativeId, { handoff: 'BOT', status: 'ACTIVE' });
    expect(ended.errors, JSON.stringify(ended.errors)).toBeUndefined();
    expect(ended.data.endHandoff.conversation).toMatchObject({ handoff: 'BOT', status: 'ACTIVE' });
    later(started.data.startHandoff.conversation.updatedAt, ended.data.endHandoff.conversation.updatedAt);
    expect(await readConversation(bg, conv.id)).toMatchObject({ handoff: 'BOT', status: 'ACTIVE' });
  });

  it('in ONE request: start, read, end, read — every step sees the state the step before left', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE'], (c) => c.handoff === 'BOT' && c.messageCount < 90);
    const res = await bg.gql(
      `mutation($c: ID!) {
        a: startHandoff(input: { conversationId: $c }) { conversation { handoff status } }
        b: sendMessage(input: { conversationId: $c, text: "in one request" }) { conversation { handoff status messages(first: 100) { nodes { text } } } }
        c: endHandoff(input: { conversationId: $c }) { conversation { handoff status } }
      }`,
      { c: conv.id },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.a.conversation).toEqual({ handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    expect(res.data.b.conversation).toMatchObject({ handoff: 'OPERATOR', status: 'WITH_OPERATOR' });
    expect(res.data.b.conversation.messages.nodes.at(-1).text).toBe('in one request');
    expect(res.data.c.conversation).toEqual({ handoff: 'BOT', status: 'ACTIVE' });
  });
});

describe('CLOSER transferConversation', () => {
  it('moves the conversation to a flow of its bot (from bot.flows)', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const flows = await bg.gql(`query($id: ID!) { bot(id: $id) { flows { id nativeId isDefault } } }`, { id: conv.bot.id });
    const current = (await readConversation(bg, conv.id, 'raw')).raw.navigation?.current?.flowId;
    const target = flows.data.bot.flows.find((f: any) => f.nativeId !== current && !f.isDefault);
    expect(target).toBeDefined();
    bus.clear();
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: TransferConversationInput!) { transferConversation(input: $input) { replayed vendorMessage conversation { id updatedAt raw } } }`,
      { input: { conversationId: conv.id, targetFlowId: target.id } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { conversation } = res.data.transferConversation;
    expect(conversation.raw.navigation.current.flowId).toBe(target.nativeId);
    later(conv.updatedAt, conversation.updatedAt);
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerNavigation]).toBe(1);
    const again = await readConversation(bg, conv.id, 'raw');
    expect(again.raw.navigation.current.flowId).toBe(target.nativeId);
    expectAnnounced(bus.events, conv.nativeId, { nativeId: conv.nativeId, updatedAt: new Date(conversation.updatedAt) });
  });
});

describe('CLOSER transferConversation to a node', () => {
  it('moves the conversation to a given node of a flow (from Flow.nodes); a node without a flow is refused first', async () => {
    // The digest: navigation is `{current, prev}`, each `{flowId, nodeId, visitCount}`, and
    // `/navigation` changes "the flow in progress".
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const flows = await bg.gql(`query($id: ID!) { bot(id: $id) { flows { id nativeId isDefault nodes { nativeId name } } } }`, { id: conv.bot.id });
    const target = flows.data.bot.flows.find((f: any) => f.nodes.length > 1);
    expect(target).toBeDefined();
    const node = target.nodes.at(-1).nativeId as string;
    await bg.resetStats();
    const res = await bg.gql(`mutation($input: TransferConversationInput!) { transferConversation(input: $input) { conversation { raw } } }`, {
      input: { conversationId: conv.id, targetFlowId: target.id, targetNodeId: node },
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.transferConversation.conversation.raw.navigation.current).toMatchObject({ flowId: target.nativeId, nodeId: node });
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerNavigation]).toBe(1);

    await bg.resetStats();
    const bad = await bg.gql(
      `mutation($c: ID!) { transferConversation(input: { conversationId: $c, targetBotId: "${conv.bot.id}", targetNodeId: "node-1" }) { replayed } }`,
      { c: conv.id },
    );
    expectError(bad, 'BAD_USER_INPUT', { field: 'input.targetNodeId' });
    expect((await bg.stats('CLOSER')).total).toBe(0);
  });
});

describe('CLOSER updateConversation', () => {
  it('replaces tags and notes and merges params; queries read the new values back', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    bus.clear();
    await bg.resetStats();
    const res = await bg.gql(
      `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { replayed conversation { ${CONVERSATION_FIELDS} } } }`,
      { input: { conversationId: conv.id, tags: [' vip ', 'refund'], notes: 'called back', params: { ticket: 'T-1', priority: 2 } } },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const updated = res.data.updateConversation.conversation;
    expectAnnounced(bus.events, conv.nativeId, { tags: ['vip', 'refund'], notes: 'called back' });
    expect(updated.tags).toEqual(['vip', 'refund']);
    expect(updated.notes).toBe('called back');
    const data = Object.fromEntries(updated.collectedData.map((d: any) => [d.variable, d.answer]));
    expect(data).toMatchObject({ ticket: 'T-1', priority: '2' });
    // Merged, not replaced: what the conversation had before is still there.
    for (const old of conv.collectedData) expect(data[old.variable]).toBe(old.answer);
    later(conv.updatedAt, updated.updatedAt);
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerUpdate]).toBe(1);

    const again = await readConversation(bg, conv.id);
    expect(again.tags).toEqual(['vip', 'refund']);
    expect(again.notes).toBe('called back');
    expect(again.collectedData).toEqual(updated.collectedData);

    // Tags alone: notes stay.
    const tagsOnly = await bg.gql(
      `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { conversation { tags notes } } }`,
      { input: { conversationId: conv.id, tags: [] } },
    );
    expect(tagsOnly.data.updateConversation.conversation).toEqual({ tags: [], notes: 'called back' });
  });
});
