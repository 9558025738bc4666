/**
 * The socket itself: graphql-transport-ws close codes, the per-socket operation limit, queries and
 * mutations over the socket, the same validation and error codes as HTTP, and a draining shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { ackedSocket, collect, rawSocket, subscribed, subscribersOf, waitFor, wsClient } from '../../helpers/live.js';
import { FAST_POLLS, SUB_CONVERSATIONS, SUB_HANDOFFS, SUB_MESSAGES, conversationsOf, errorsOf, makeId, type Conv } from './support.js';

const MAX = 5;
const INIT_TIMEOUT = 300;

let bg: TestBotgraph;
let client: Client;
let closer: Conv[];

beforeAll(async () => {
  // CXone disabled, to see PROVIDER_DISABLED.
  bg = await startTestBotgraph({
    ...FAST_POLLS,
    BOTGRAPH_PROVIDERS: 'closer,botone',
    WS_MAX_SUBSCRIPTIONS: String(MAX),
    WS_CONNECTION_INIT_TIMEOUT_MS: String(INIT_TIMEOUT),
  });
  client = wsClient(bg);
  closer = (await conversationsOf(bg, 'CLOSER', ['ACTIVE'])).filter((c) => c.handoff === 'BOT');
});

afterAll(async () => {
  await client?.dispose();
});

/** One operation over a fresh graphql-ws subscription, to its end: its events and errors. */
async function once(query: string, variables: Record<string, unknown> = {}) {
  const c = collect(client, query, variables);
  await c.ended();
  return { events: c.events, errors: errorsOf(c), results: c.results };
}

describe('protocol', () => {
  it(`closes a socket that sends no connection_init within WS_CONNECTION_INIT_TIMEOUT_MS with 4408`, async () => {
    const opened = Date.now();
    const socket = await rawSocket(bg);
    const closed = await socket.closed;
    expect(closed.code).toBe(4408);
    expect(closed.reason).toBe('Connection initialisation timeout');
    expect(Date.now() - opened).toBeGreaterThanOrEqual(INIT_TIMEOUT - 20);
    expect(Date.now() - opened).toBeLessThan(INIT_TIMEOUT + 1_000);
  });

  it('closes on a connection_init whose payload is not an object with 4400 (graphql-ws: invalid message)', async () => {
    for (const payload of ['token', 42, true]) {
      const socket = await rawSocket(bg);
      socket.send({ type: 'connection_init', payload });
      expect(await socket.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
    }
    // Not JSON at all: the same.
    const junk = await rawSocket(bg);
    junk.send('{not json');
    expect((await junk.closed).code).toBe(4400);
  });

  it('acknowledges an object or absent payload; a second connection_init is 4429; subscribe before ack is 4401', async () => {
    const withPayload = await rawSocket(bg);
    withPayload.send({ type: 'connection_init', payload: { token: 'x' } });
    await withPayload.next((m) => m.type === 'connection_ack', 'ack');
    withPayload.send({ type: 'connection_init' });
    expect((await withPayload.closed).code).toBe(4429);

    const early = await rawSocket(bg);
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await early.closed).code).toBe(4401);

    // The legacy subscriptions-transport-ws protocol is not spoken: no subprotocol is agreed.
    await expect(rawSocket(bg, 'graphql-ws')).rejects.toThrow(/no subprotocol/);
  });
});

describe('limits', () => {
  it(`accepts ${MAX} operations on one socket and refuses the next with TOO_MANY_SUBSCRIPTIONS`, async () => {
    const c = wsClient(bg);
    try {
      const subs = closer.slice(0, MAX).map((conv) => collect(c, SUB_MESSAGES, { id: conv.id }));
      await subscribed(bg, MAX, 'msg:CLOSER');
      const extra = collect(c, SUB_CONVERSATIONS);
      await extra.ended();
      expect(errorsOf(extra)).toHaveLength(1);
      expect(errorsOf(extra)[0]!.extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: MAX, value: MAX + 1 });
      // One completes: there is room for one more.
      subs[0]!.stop();
      await waitFor(() => subscribersOf(bg, 'msg:CLOSER') === MAX - 1, 'the completed one to leave');
      const again = collect(c, SUB_HANDOFFS);
      // Holding its topic server-side, it was accepted (a refusal comes before that).
      await subscribed(bg, 1, 'conv:CLOSER');
      expect(again.error).toBeUndefined();
      expect(again.completed).toBe(false);
      // The socket and the other subscriptions lived on past the refusal: the completion and the new
      // subscription above went over it after the refusal, and none of them ended.
      expect(subs.slice(1).every((s) => s.error === undefined && !s.completed)).toBe(true);
      expect(subscribersOf(bg, 'msg:CLOSER')).toBe(MAX - 1);
    } finally {
      await c.dispose();
    }
  });
});

describe('queries and mutations over the socket', () => {
  it('runs a query and a mutation and gets what HTTP gets', async () => {
    const q = `{ providers { provider enabled } }`;
    const overWs = await once(q);
    const overHttp = await bg.gql(q);
    expect(overWs.errors).toEqual([]);
    expect(overWs.events).toHaveLength(1);
    expect({ providers: overWs.events[0] }).toEqual(overHttp.data);

    const conv = closer.at(-1)!;
    const m = await once(`mutation($id: ID!) { startHandoff(input: {conversationId: $id}) { conversation { id handoff } } }`, { id: conv.id });
    expect(m.errors).toEqual([]);
    expect(m.events[0]).toEqual({ conversation: { id: conv.id, handoff: 'OPERATOR' } });
  });

  it('validates like HTTP: too deep → DEPTH_LIMIT_EXCEEDED, bad syntax → GRAPHQL_PARSE_FAILED, unknown field → GRAPHQL_VALIDATION_FAILED', async () => {
    let inner = 'id';
    for (let i = 0; i < 5; i++) inner = `conversation { messages { nodes { ${inner} } } }`;
    const deepQuery = `{ conversations(first: 1) { nodes { messages { nodes { ${inner} } } } } }`;
    const deepSubscription = `subscription { messageAdded(conversationId: "${closer[0]!.id}") { ${inner} } }`;
    for (const [query, code] of [
      [deepQuery, 'DEPTH_LIMIT_EXCEEDED'],
      [deepSubscription, 'DEPTH_LIMIT_EXCEEDED'],
      ['subscription { conversationUpdated { id ', 'GRAPHQL_PARSE_FAILED'],
      ['subscription { conversationUpdated { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
    ] as const) {
      const ws = await once(query);
      const http = await bg.gql(query);
      expect(ws.errors[0]?.extensions?.code, query).toBe(code);
      expect(http.errors?.[0]?.extensions?.code, query).toBe(code);
      expect(ws.events).toEqual([]);
    }
    const deep = await once(deepQuery);
    expect(deep.errors[0]!.message).toMatch(/has \d+ levels of nesting; the limit is 13/);
    expect(deep.errors[0]!.extensions).toMatchObject({ limit: 13, value: expect.any(Number) });
    // No stack trace leaks on the socket.
    expect(JSON.stringify(deep.errors)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('bad IDs → BAD_USER_INPUT; an unknown conversation → NOT_FOUND; a disabled provider → PROVIDER_DISABLED', async () => {
    const bot = makeId('CLOSER', 'Bot', closer[0]!.bot!.nativeId);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [SUB_MESSAGES, { id: 'not-an-id' }, 'BAD_USER_INPUT'],
      [SUB_MESSAGES, { id: 'bm90IGEgYm90Z3JhcGggaWQ' }, 'BAD_USER_INPUT'],
      [SUB_MESSAGES, { id: bot }, 'BAD_USER_INPUT'],
      [SUB_CONVERSATIONS, { f: { botIds: ['%%%'] } }, 'BAD_USER_INPUT'],
      [SUB_CONVERSATIONS, { f: { search: ' ' } }, 'BAD_USER_INPUT'],
      // Lists only: a live event cannot be matched against CXone's query language, so it is refused.
      [SUB_CONVERSATIONS, { f: { cxoneQuery: 'channel = sms' } }, 'BAD_USER_INPUT'],
      [SUB_MESSAGES, { id: makeId('CLOSER', 'Conversation', 'ffffffffffffffffffffffff') }, 'NOT_FOUND'],
      [SUB_MESSAGES, { id: makeId('CXONE', 'Conversation', 'chat;1', '1327', '1700000000') }, 'PROVIDER_DISABLED'],
      [SUB_CONVERSATIONS, { f: { providers: ['CXONE'] } }, 'PROVIDER_DISABLED'],
      [SUB_CONVERSATIONS, { f: { botIds: [makeId('CXONE', 'Bot', '1327')] } }, 'PROVIDER_DISABLED'],
      [SUB_HANDOFFS, { p: ['CLOSER', 'CXONE'] }, 'PROVIDER_DISABLED'],
    ];
    for (const [query, variables, code] of cases) {
      const r = await once(query, variables).catch((error) => {
        throw new Error(`${JSON.stringify(variables)}: ${(error as Error).message}`);
      });
      expect(r.events, JSON.stringify(variables)).toEqual([]);
      expect(r.errors, JSON.stringify(variables)).toHaveLength(1);
      expect(r.errors[0]!.extensions?.code, `${JSON.stringify(variables)}: ${JSON.stringify(r.errors)}`).toBe(code);
    }
    // A refused subscription holds no poller.
    await waitFor(() => subscribersOf(bg) === 0, 'no subscribers', 3_000);
  });
});

describe('shutdown', () => {
  it('app.close() closes every socket with 1001 and stops every poller', async () => {
    const other = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer' });
    const socket = await ackedSocket(other);
    socket.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { conversationUpdated { id } }' } });
    const idle = await ackedSocket(other);
    const c = wsClient(other);
    const viaClient = collect(c, 'subscription { handoffRequested { id } }');
    await subscribed(other, 2, 'conv:CLOSER');
    expect(other.app.live.pollers.snapshot()).toHaveLength(1);

    await other.close();
    expect((await socket.closed).code).toBe(1001);
    expect((await idle.closed).code).toBe(1001);
    await viaClient.ended();
    expect((viaClient.error as { code?: number }).code).toBe(1001);
    expect(other.app.live.pollers.snapshot()).toEqual([]);
    // Nothing listens any more.
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
    await c.dispose();
  });
});
