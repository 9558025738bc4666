/**
 * Each vendor error, injected with the simulators' fault knobs on the write route only, maps to its
 * botgraph code with `extensions.provider`; a write is never retried (exactly 1 request to its
 * route, whatever the failure), and no answer carries a vendor body, URL or credential.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import type { FaultConfig } from '../../../src/simulators/common/faults.js';
import { ROUTES, conversationsOf, expectError, expectNoLeak, makeId, type Provider } from './support.js';

let bg: TestBotgraph;
const ids = {} as Record<string, string>;

beforeAll(async () => {
  // Short timeouts, so a hung vendor fails fast.
  bg = await startTestBotgraph({ UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_TOTAL_BUDGET_MS: '800' });
  const [closer, botone] = await Promise.all([conversationsOf(bg, 'CLOSER', ['ACTIVE'], 1), conversationsOf(bg, 'BOTONE', ['ACTIVE'], 1)]);
  ids.closer = closer[0]!.id;
  ids.botone = botone[0]!.id;
});

interface Write {
  name: string;
  provider: Provider;
  route: string;
  query: string;
  variables: () => Record<string, unknown>;
}

const WRITES: Write[] = [
  {
    name: 'CLOSER sendMessage',
    provider: 'CLOSER',
    route: ROUTES.closerSend,
    query: `mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "hello" }) { message { id } } }`,
    variables: () => ({ c: ids.closer }),
  },
  {
    name: 'CLOSER startHandoff',
    provider: 'CLOSER',
    route: ROUTES.closerManual,
    query: `mutation($c: ID!) { startHandoff(input: { conversationId: $c }) { conversation { id } } }`,
    variables: () => ({ c: ids.closer }),
  },
  {
    name: 'CLOSER updateConversation',
    provider: 'CLOSER',
    route: ROUTES.closerUpdate,
    query: `mutation($c: ID!) { updateConversation(input: { conversationId: $c, notes: "n" }) { conversation { id } } }`,
    variables: () => ({ c: ids.closer }),
  },
  {
    name: 'Bot.one sendMessage',
    provider: 'BOTONE',
    route: ROUTES.botoneSend,
    query: `mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "hello" }) { replayed } }`,
    variables: () => ({ c: ids.botone }),
  },
  {
    name: 'Bot.one createConversation (the GET create, which is not safe to repeat either)',
    provider: 'BOTONE',
    route: ROUTES.botoneCreateGet,
    query: `mutation($b: ID!) { createConversation(input: { botId: $b }) { uuid } }`,
    variables: () => ({ b: makeId('BOTONE', 'Bot', '1446') }),
  },
  {
    name: 'Bot.one completeCustomBlock (Vertex)',
    provider: 'BOTONE',
    route: ROUTES.botoneComplete,
    query: `mutation { completeCustomBlock(input: { token: "vertex-demo-token", data: { a: 1 } }) { completed } }`,
    variables: () => ({}),
  },
];

const CASES: Array<{ what: string; faults: FaultConfig; code: string; message?: RegExp }> = [
  { what: '401', faults: { errorRate: 1, errorStatus: 401 }, code: 'PROVIDER_AUTH_FAILED', message: /credentials/ },
  { what: '403', faults: { errorRate: 1, errorStatus: 403 }, code: 'FORBIDDEN_BY_PROVIDER', message: /refused.*(blocked|finished|deleted)/ },
  { what: '404', faults: { errorRate: 1, errorStatus: 404 }, code: 'NOT_FOUND' },
  { what: '400', faults: { errorRate: 1, errorStatus: 400 }, code: 'BAD_USER_INPUT', message: /rejected the request/ },
  { what: '503', faults: { errorRate: 1, errorStatus: 503 }, code: 'PROVIDER_UNAVAILABLE' },
  { what: '429', faults: { rateLimitRate: 1, retryAfterSeconds: 0 }, code: 'PROVIDER_RATE_LIMITED' },
  { what: 'a hang', faults: { hangRate: 1 }, code: 'PROVIDER_TIMEOUT', message: /in time/ },
];

describe('vendor errors on writes', () => {
  for (const c of CASES) {
    it(`${c.what} → ${c.code}, one request per write, nothing leaked`, async () => {
      for (const write of WRITES) {
        const sim = bg.sim(write.provider);
        await bg.resetStats();
        sim.faults.set({ ...c.faults, routes: [write.route] });
        let res;
        const started = Date.now();
        try {
          res = await bg.gql(write.query, write.variables());
        } finally {
          sim.faults.clear();
        }
        const error = expectError(res, c.code, { provider: write.provider });
        expect(error.message, write.name).toContain(write.provider);
        if (c.message) expect(error.message, write.name).toMatch(c.message);
        expect(error.path).toBeDefined();
        // Never retried: one request to the write route, and no other call to that vendor.
        const stats = await bg.stats(write.provider);
        expect(stats.routes[write.route], write.name).toBe(1);
        expect(stats.total, write.name).toBe(1);
        if (c.what === 'a hang') expect(Date.now() - started, write.name).toBeLessThan(2_000);
        expectNoLeak(bg, res);
      }
    });
  }

  it('a write that failed left the conversation readable and unchanged (no retry landed later)', async () => {
    const READ = `query($id: ID!) { conversation(id: $id) { messages(last: 2) { totalCount nodes { text } } } }`;
    const before = await bg.gql(READ, { id: ids.closer });
    await bg.resetStats();
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503, routes: [ROUTES.closerSend] });
    try {
      expectError(await bg.gql(WRITES[0]!.query, WRITES[0]!.variables()), 'PROVIDER_UNAVAILABLE');
    } finally {
      bg.sim('CLOSER').faults.clear();
    }
    // No fixed wait: a later send of another text on the same route is the marker. botgraph's client
    // retries inside the call, so a retry of the failed send would have reached the route before the
    // marker: with the marker in, the route counts two requests and the conversation holds one
    // message more, the marker's.
    const marker = await bg.gql(`mutation($c: ID!) { sendMessage(input: { conversationId: $c, text: "after the failure" }) { message { id } } }`, {
      c: ids.closer,
    });
    expect(marker.errors, JSON.stringify(marker.errors)).toBeUndefined();
    expect((await bg.stats('CLOSER')).routes[ROUTES.closerSend]).toBe(2);
    const after = await bg.gql(READ, { id: ids.closer });
    expect(after.errors, JSON.stringify(after.errors)).toBeUndefined();
    expect(after.data.conversation.messages.totalCount).toBe(before.data.conversation.messages.totalCount + 1);
    expect(after.data.conversation.messages.nodes.at(-1).text).toBe('after the failure');
  });
});
