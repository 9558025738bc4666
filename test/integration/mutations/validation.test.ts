/**
 * Every input a mutation refuses answers BAD_USER_INPUT with `extensions.field` naming the field,
 * before any upstream call: nothing reaches any simulator.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { conversationsOf, expectError, expectNoLeak, expectNoUpstreamCalls, makeId } from './support.js';

let bg: TestBotgraph;
const ids = {} as Record<string, string>;

beforeAll(async () => {
  bg = await startTestBotgraph();
  const [closer, botone] = await Promise.all([conversationsOf(bg, 'CLOSER', ['ACTIVE'], 1), conversationsOf(bg, 'BOTONE', ['ACTIVE'], 1)]);
  const flows = await bg.gql(`query($id: ID!) { bot(id: $id) { flows { id } } }`, { id: closer[0]!.bot.id });
  const user = await bg.gql(`query($id: ID!) { conversation(id: $id) { endUser { id } } }`, { id: closer[0]!.id });
  Object.assign(ids, {
    closer: closer[0]!.id,
    closerBot: closer[0]!.bot.id,
    closerFlow: flows.data.bot.flows[0].id,
    closerUser: user.data.conversation.endUser.id,
    botone: botone[0]!.id,
    botoneBot: botone[0]!.bot.id,
    otherBotoneBot: makeId('BOTONE', 'Bot', botone[0]!.bot.nativeId === '1446' ? '1447' : '1446'),
  });
});

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { replayed } }`;
const TO_USER = `mutation($input: SendMessageToEndUserInput!) { sendMessageToEndUser(input: $input) { replayed } }`;
const START = `mutation($input: HandoffInput!) { startHandoff(input: $input) { replayed } }`;
const TRANSFER = `mutation($input: TransferConversationInput!) { transferConversation(input: $input) { replayed } }`;
const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { replayed } }`;
const UPDATE = `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { replayed } }`;
const COMPLETE = `mutation($input: CompleteCustomBlockInput!) { completeCustomBlock(input: $input) { completed } }`;
const BLOCK_SEND = `mutation($input: SendCustomBlockMessageInput!) { sendCustomBlockMessage(input: $input) { messageId } }`;

async function expectBadInput(query: string, input: Record<string, unknown>, field: string, message?: RegExp) {
  await bg.resetStats();
  const res = await bg.gql(query, { input });
  const error = expectError(res, 'BAD_USER_INPUT', { field, retryable: false });
  if (message) expect(error.message).toMatch(message);
  await expectNoUpstreamCalls(bg);
  expectNoLeak(bg, res);
}

const big = (bytes: number) => ({ blob: 'x'.repeat(bytes) });

describe('BAD_USER_INPUT naming the field, with zero upstream calls', () => {
  it('text: empty, whitespace only, longer than 4096 characters (on every provider and text mutation)', async () => {
    for (const c of [ids.closer!, ids.botone!]) {
      await expectBadInput(SEND, { conversationId: c, text: '' }, 'input.text', /empty/);
      await expectBadInput(SEND, { conversationId: c, text: ' \n\t ' }, 'input.text', /empty/);
      await expectBadInput(SEND, { conversationId: c, text: 'a'.repeat(4097) }, 'input.text', /longer than/);
    }
    await expectBadInput(TO_USER, { endUserId: ids.closerUser!, text: '   ' }, 'input.text');
    await expectBadInput(TO_USER, { endUserId: ids.closerUser!, text: 'й'.repeat(4097) }, 'input.text');
    await expectBadInput(BLOCK_SEND, { token: 'vertex-demo-token', text: '' }, 'input.text');
    await expectBadInput(BLOCK_SEND, { token: 'vertex-demo-token', text: 'a'.repeat(5000) }, 'input.text');
  });

  it("a provider's tighter documented limits are checked before the call too (CLOSER: text 4000, tags 50, notes 5000)", async () => {
    await expectBadInput(SEND, { conversationId: ids.closer!, text: 'c'.repeat(4001) }, 'input.text', /4000/);
    await expectBadInput(TO_USER, { endUserId: ids.closerUser!, text: 'c'.repeat(4001) }, 'input.text', /4000/);
    await expectBadInput(UPDATE, { conversationId: ids.closer!, tags: ['t'.repeat(51)] }, 'input.tags[0]', /50/);
    await expectBadInput(UPDATE, { conversationId: ids.closer!, notes: 'n'.repeat(5001) }, 'input.notes', /5000/);
  });

  it('the limits are inclusive, after trimming: 4000 characters to CLOSER, 4096 to Bot.one', async () => {
    const closer = await bg.gql(SEND, { input: { conversationId: ids.closer!, text: ` ${'b'.repeat(4000)} ` } });
    expect(closer.errors, JSON.stringify(closer.errors)).toBeUndefined();
    const botone = await bg.gql(SEND, { input: { conversationId: ids.botone!, text: ` ${'b'.repeat(4096)} ` } });
    expect(botone.errors, JSON.stringify(botone.errors)).toBeUndefined();
    const update = await bg.gql(UPDATE, { input: { conversationId: ids.closer!, tags: ['t'.repeat(50)], notes: 'n'.repeat(5000) } });
    expect(update.errors, JSON.stringify(update.errors)).toBeUndefined();
  });

  it('malformed IDs, and IDs of the wrong type', async () => {
    for (const bad of [
      '',
      'not an id',
      '!!!',
      'abc',
      Buffer.from('b2|CLOSER|Conversation|1').toString('base64url'),
      makeId('ACME', 'Conversation', '1'),
      makeId('CLOSER', 'Conversation', ''),
    ]) {
      await expectBadInput(SEND, { conversationId: bad, text: 'hi' }, 'input.conversationId');
    }
    // A Bot ID where a conversation is expected, and the other way round.
    await expectBadInput(SEND, { conversationId: ids.closerBot!, text: 'hi' }, 'input.conversationId', /Conversation.*Bot/);
    await expectBadInput(START, { conversationId: ids.botoneBot! }, 'input.conversationId');
    await expectBadInput(UPDATE, { conversationId: ids.closerFlow!, notes: 'x' }, 'input.conversationId');
    await expectBadInput(CREATE, { botId: ids.botone! }, 'input.botId');
    await expectBadInput(TO_USER, { endUserId: ids.closer!, text: 'hi' }, 'input.endUserId');
    await expectBadInput(TRANSFER, { conversationId: ids.botone!, targetBotId: ids.botone! }, 'input.targetBotId');
    await expectBadInput(TRANSFER, { conversationId: ids.closer!, targetFlowId: ids.closerBot! }, 'input.targetFlowId');
  });

  it('a bad idempotencyKey: empty, with spaces, non-ASCII, longer than 255', async () => {
    for (const key of ['', 'has space', 'ключ', 'k'.repeat(256), 'tab\tkey']) {
      await expectBadInput(SEND, { conversationId: ids.closer!, text: 'hi', idempotencyKey: key }, 'input.idempotencyKey');
      await expectBadInput(CREATE, { botId: ids.botoneBot!, idempotencyKey: key }, 'input.idempotencyKey');
    }
  });

  it('variables that are not a JSON object, or too large', async () => {
    for (const variables of [[1, 2], 'a string', 42, true]) {
      await expectBadInput(CREATE, { botId: ids.botoneBot!, variables }, 'input.variables', /JSON object/);
    }
    await expectBadInput(CREATE, { botId: ids.botoneBot!, variables: big(17_000) }, 'input.variables', /16384/);
  });

  it('params too large or not an object; notes too long; too many or bad tags; an empty update', async () => {
    await expectBadInput(UPDATE, { conversationId: ids.closer!, params: big(16 * 1024) }, 'input.params');
    await expectBadInput(UPDATE, { conversationId: ids.closer!, params: ['a'] }, 'input.params');
    await expectBadInput(UPDATE, { conversationId: ids.closer!, notes: 'n'.repeat(10_001) }, 'input.notes');
    await expectBadInput(UPDATE, { conversationId: ids.closer!, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'input.tags', /50/);
    await expectBadInput(UPDATE, { conversationId: ids.closer!, tags: ['ok', '  '] }, 'input.tags[1]');
    await expectBadInput(UPDATE, { conversationId: ids.closer!, tags: ['t'.repeat(65)] }, 'input.tags[0]');
    await expectBadInput(UPDATE, { conversationId: ids.closer! }, 'input');
    await expectBadInput(UPDATE, { conversationId: ids.closer!, tags: null, notes: null, params: null }, 'input');
    // Even on a provider that cannot update: the input is checked first.
    await expectBadInput(UPDATE, { conversationId: ids.botone! }, 'input');
  });

  it('transfer: both targets, neither, or a target of another provider', async () => {
    await expectBadInput(
      TRANSFER,
      { conversationId: ids.closer!, targetBotId: ids.closerBot!, targetFlowId: ids.closerFlow! },
      'input.targetFlowId',
      /exactly one/,
    );
    await expectBadInput(TRANSFER, { conversationId: ids.closer! }, 'input.targetBotId', /exactly one/);
    await expectBadInput(TRANSFER, { conversationId: ids.closer!, targetBotId: ids.botoneBot! }, 'input.targetBotId', /BOTONE/);
    await expectBadInput(TRANSFER, { conversationId: ids.botone!, targetFlowId: ids.closerFlow! }, 'input.targetFlowId', /CLOSER/);
    await expectBadInput(TRANSFER, { conversationId: ids.botone!, targetBotId: ids.closerBot! }, 'input.targetBotId');
  });

  it('custom block tokens and data', async () => {
    await expectBadInput(COMPLETE, { token: '  ' }, 'input.token');
    await expectBadInput(COMPLETE, { token: 't'.repeat(4097) }, 'input.token');
    await expectBadInput(COMPLETE, { token: 'vertex-demo-token', data: big(17_000) }, 'input.data');
    await expectBadInput(BLOCK_SEND, { token: '', text: 'hi' }, 'input.token');
  });

  it('a refused input does not use up its idempotency key', async () => {
    const key = 'validation-then-ok';
    await expectBadInput(SEND, { conversationId: ids.closer!, text: '  ', idempotencyKey: key }, 'input.text');
    await bg.resetStats();
    const ok = await bg.gql(SEND, { input: { conversationId: ids.closer!, text: 'now with text', idempotencyKey: key } });
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    expect(ok.data.sendMessage.replayed).toBe(false);
    expect((await bg.stats('CLOSER')).routes['POST /openapi/conversation/:id/message']).toBe(1);
  });
});
