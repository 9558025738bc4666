/**
 * Idempotency keys over real HTTP, in one botgraph with the in-memory store: concurrent duplicates
 * send once, later duplicates replay with no upstream call, reuse with another input is refused,
 * and a call the vendor provably refused frees its key for a retry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { ConversationPool, ROUTES, SEND_KEYED, concurrentSends, expectError, expectNoUpstreamCalls, readMessages } from './support.js';

let bg: TestBotgraph;
let pool: ConversationPool;

beforeAll(async () => {
  bg = await startTestBotgraph();
  pool = new ConversationPool(bg);
});

const sends = async () => (await bg.stats('CLOSER')).routes[ROUTES.closerSend];

describe('idempotent replay (in-memory store)', () => {
  it('20 concurrent identical sendMessage calls with one key send exactly 1 message upstream', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const before = (await readMessages(bg, conv.id)).length;
    await bg.resetStats();
    const { messageId, text } = await concurrentSends([bg], conv.id, `conc-${Date.now()}`);
    expect(await sends()).toBe(1);
    // One message in the conversation, not 20.
    const after = await readMessages(bg, conv.id);
    expect(after).toHaveLength(before + 1);
    expect(after.filter((m) => m.text === text).map((m) => m.id)).toEqual([messageId]);
  });

  it('the same key later replays the first result without any upstream call', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const key = `later-${Date.now()}`;
    const first = await bg.gql(SEND_KEYED, { c: conv.id, t: 'once', k: key });
    expect(first.data.sendMessage.replayed).toBe(false);
    await bg.resetStats();
    const again = await bg.gql(SEND_KEYED, { c: conv.id, t: 'once', k: key });
    expect(again.errors).toBeUndefined();
    expect(again.data.sendMessage).toEqual({ ...first.data.sendMessage, replayed: true });
    // Surrounding whitespace is not a different input: the text is compared after trimming.
    const spaced = await bg.gql(SEND_KEYED, { c: conv.id, t: '  once ', k: key });
    expect(spaced.data.sendMessage.replayed).toBe(true);
    await expectNoUpstreamCalls(bg);
  });

  it('the same key with a different input is IDEMPOTENCY_KEY_REUSED, with no upstream call', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const other = await pool.take('CLOSER', ['ACTIVE']);
    const key = `reuse-${Date.now()}`;
    expect((await bg.gql(SEND_KEYED, { c: conv.id, t: 'first', k: key })).errors).toBeUndefined();
    await bg.resetStats();
    for (const variables of [
      { c: conv.id, t: 'second', k: key },
      { c: other.id, t: 'first', k: key },
    ]) {
      const res = await bg.gql(SEND_KEYED, variables);
      const error = expectError(res, 'IDEMPOTENCY_KEY_REUSED', { field: 'input.idempotencyKey', retryable: false });
      expect(error.message).toMatch(/different input/);
    }
    await expectNoUpstreamCalls(bg);
  });

  it('a key whose first call the vendor refused (403, closed conversation) is not used up', async () => {
    const closed = await pool.take('CLOSER', ['COMPLETED']);
    const key = `refused-${Date.now()}`;
    await bg.resetStats();
    const first = await bg.gql(SEND_KEYED, { c: closed.id, t: 'too late', k: key });
    const error = expectError(first, 'FORBIDDEN_BY_PROVIDER', { provider: 'CLOSER' });
    expect(error.message).toMatch(/finished|closed/);
    // The retry is a real call again (and refused again), not a replay of the stored refusal.
    const second = await bg.gql(SEND_KEYED, { c: closed.id, t: 'too late', k: key });
    expectError(second, 'FORBIDDEN_BY_PROVIDER', { provider: 'CLOSER' });
    expect(await sends()).toBe(2);
  });

  it('duplicates waiting on a call the vendor refused are not told IDEMPOTENCY_IN_PROGRESS: they get the answer', async () => {
    const closed = await pool.take('CLOSER', ['COMPLETED']);
    const key = `refused-concurrent-${Date.now()}`;
    await bg.resetStats();
    const responses = await Promise.all(Array.from({ length: 5 }, () => bg.gql(SEND_KEYED, { c: closed.id, t: 'too late', k: key })));
    // Every duplicate gets the vendor's answer, every time.
    expect(responses.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(5).fill('FORBIDDEN_BY_PROVIDER'));
    // The duplicates that waited share the one refusal instead of each calling the vendor in turn
    // (the key is released for a later retry, as the previous test shows): 1 real call.
    expect(await sends()).toBe(1);
  });

  it('after an injected 403 the same key is retried and succeeds once the vendor accepts', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const key = `retry-${Date.now()}`;
    await bg.resetStats();
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 403, routes: [ROUTES.closerSend] });
    try {
      expectError(await bg.gql(SEND_KEYED, { c: conv.id, t: 'try again', k: key }), 'FORBIDDEN_BY_PROVIDER', { provider: 'CLOSER' });
    } finally {
      bg.sim('CLOSER').faults.clear();
    }
    const retry = await bg.gql(SEND_KEYED, { c: conv.id, t: 'try again', k: key });
    expect(retry.errors, JSON.stringify(retry.errors)).toBeUndefined();
    expect(retry.data.sendMessage.replayed).toBe(false);
    expect(retry.data.sendMessage.message.text).toBe('try again');
    expect(await sends()).toBe(2);
    // And now it is used: the next call replays.
    const replay = await bg.gql(SEND_KEYED, { c: conv.id, t: 'try again', k: key });
    expect(replay.data.sendMessage).toMatchObject({ replayed: true, message: { id: retry.data.sendMessage.message.id } });
    expect(await sends()).toBe(2);
  });

  it('a failure that may have reached the vendor (503) is stored: the same key replays it, never sends again', async () => {
    const conv = await pool.take('CLOSER', ['ACTIVE']);
    const key = `maybe-${Date.now()}`;
    await bg.resetStats();
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503, routes: [ROUTES.closerSend] });
    try {
      expectError(await bg.gql(SEND_KEYED, { c: conv.id, t: 'maybe', k: key }), 'PROVIDER_UNAVAILABLE', { provider: 'CLOSER' });
    } finally {
      bg.sim('CLOSER').faults.clear();
    }
    const again = await bg.gql(SEND_KEYED, { c: conv.id, t: 'maybe', k: key });
    expectError(again, 'PROVIDER_UNAVAILABLE', { provider: 'CLOSER' });
    expect(await sends()).toBe(1);
  });

  it('keys work for every mutation: a keyed handoff replays its conversation', async () => {
    const conv = await pool.take('BOTONE', ['ACTIVE']);
    const q = `mutation($c: ID!, $k: String) { startHandoff(input: { conversationId: $c, idempotencyKey: $k }) { replayed conversation { id handoff } } }`;
    await bg.resetStats();
    const [a, b] = await Promise.all([bg.gql(q, { c: conv.id, k: 'handoff-key' }), bg.gql(q, { c: conv.id, k: 'handoff-key' })]);
    expect([a.data.startHandoff.replayed, b.data.startHandoff.replayed].sort()).toEqual([false, true]);
    expect(a.data.startHandoff.conversation).toEqual({ id: conv.id, handoff: 'OPERATOR' });
    expect(b.data.startHandoff.conversation).toEqual(a.data.startHandoff.conversation);
    expect((await bg.stats('BOTONE')).routes[ROUTES.botoneStop]).toBe(1);
  });
});
