/**
 * Upstream calls start as soon as their inputs are known: `node(id)` / `conversation(id)` with
 * `messages` on CLOSER issues the conversation read and the message read in one wave (both need
 * only the id); a merged list reads Bot.one's and CXone's lists while CLOSER's bot list (which
 * only CLOSER's per-bot streams need) is still out. Shown without timing: one read is held back by
 * the simulator, and the others still arrive while it is held.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { waitFor } from '../../helpers/wait.js';
import { ROUTES } from './support.js';

let bg: TestBotgraph;
let closerId: string;
const CONVERSATION = 'GET /openapi/conversation/:id';
const MESSAGES = 'GET /openapi/conversation/:id/message';

beforeAll(async () => {
  // The held read must not time out: 3 s of latency against a 10 s attempt timeout.
  bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer', UPSTREAM_TIMEOUT_MS: '10000', UPSTREAM_TOTAL_BUDGET_MS: '20000' });
  const res = await bg.gql(`{ conversations(first: 1) { nodes { id } } }`);
  closerId = res.data.conversations.nodes[0].id;
});

afterEach(() => bg.sim('CLOSER').faults.clear());

describe('one wave for a conversation and its messages', () => {
  for (const [name, query] of [
    ['node(id)', `query($id: ID!) { node(id: $id) { id ... on Conversation { title messages(first: 3) { totalCount nodes { id text } } } } }`],
    ['conversation(id)', `query($id: ID!) { conversation(id: $id) { id ...M } } fragment M on Conversation { messages { nodes { id } } }`],
  ] as const) {
    it(`${name} with messages reads the messages while the conversation read is still held`, async () => {
      await bg.resetStats();
      bg.sim('CLOSER').faults.set({ latencyMs: 3_000, routes: [CONVERSATION] });
      const answer = bg.gql(query, { id: closerId });
      // The message read is made (and answered) before the held conversation read returns.
      await waitFor(
        () => bg.sim('CLOSER').stats.count(MESSAGES) === 1 && bg.sim('CLOSER').stats.count(CONVERSATION) === 1,
        'both reads to be made',
        2_500,
      );
      const res = await answer;
      expect(res.errors).toBeUndefined();
      const conversation = (res.data.node ?? res.data.conversation) as { id: string; messages: { nodes: unknown[] } };
      expect(conversation.id).toBe(closerId);
      expect(conversation.messages.nodes.length).toBeGreaterThan(0);
      // Still exactly one of each: the resolver took the read already made.
      const stats = await bg.stats('CLOSER');
      expect(stats.routes[CONVERSATION]).toBe(1);
      expect(stats.routes[MESSAGES]).toBe(1);
      expect(stats.total).toBe(2);
    });
  }

  it('messages after a cursor, or not selected, start nothing early', async () => {
    await bg.resetStats();
    const plain = await bg.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: closerId });
    expect(plain.errors).toBeUndefined();
    expect((await bg.stats('CLOSER')).routes[MESSAGES]).toBe(0);
  });
});

describe('a merged list reads each provider as soon as its streams are known', () => {
  let all: TestBotgraph;
  beforeAll(async () => {
    all = await startTestBotgraph({ UPSTREAM_TIMEOUT_MS: '10000', UPSTREAM_TOTAL_BUDGET_MS: '20000' });
  });
  afterEach(() => all?.sim('CLOSER').faults.clear());

  it("reads Bot.one's and CXone's lists while CLOSER's bot list is held", async () => {
    const inbox = `{ conversations(first: 10) { totalCount nodes { id provider bot { name } } } }`;
    await all.resetStats();
    all.sim('CLOSER').faults.set({ latencyMs: 3_000, routes: [ROUTES.closerBots] });
    const answer = all.gql(inbox);
    const botone = all.sim('BOTONE').stats;
    const cxone = all.sim('CXONE').stats;
    const closer = all.sim('CLOSER').stats;
    // Every Bot.one bot's list (3 configured) and every CXone export (3 tokens) is read before
    // CLOSER's bot list answers, which is still the only CLOSER call: this is the instance's first
    // list, so no bot is known yet and the per-bot lists wait for the bot list (later lists send
    // them with it: test/integration/datasources/closer-known-bots.test.ts).
    await waitFor(
      () => botone.count(ROUTES.botoneList) >= 3 && cxone.count(ROUTES.cxoneExport) === 3 && closer.total() === 1,
      "Bot.one's and CXone's lists while CLOSER's bot list is held",
      2_500,
    );
    expect(closer.count(ROUTES.closerBotConversations)).toBe(0);
    const res = await answer;
    expect(res.errors).toBeUndefined();
    expect(res.data.conversations.nodes).toHaveLength(10);
    // Then CLOSER's per-bot lists, one per bot, and nothing read twice.
    expect(closer.count(ROUTES.closerBots)).toBe(1);
    expect(closer.count(ROUTES.closerBotConversations)).toBe((all.sim('CLOSER') as CloserSimulator).botIds.length);
    expect(cxone.count(ROUTES.cxoneExport)).toBe(3);
  });

  it("reads every page of a Bot.one bot's list in one wave once a listing said how many there are", async () => {
    const list = `{ conversations(first: 10, filter: { providers: [BOTONE] }) { nodes { id } } }`;
    // The pages one listing reads, from the simulator: Σ over the bots of ⌈conversations / 100⌉.
    const bots = await all.gql(`{ bots { provider conversations(first: 0) { totalCount } } }`);
    let pages = 0;
    let botone = 0;
    for (const b of bots.data.bots) {
      if (b.provider !== 'BOTONE') continue;
      botone += 1;
      pages += Math.ceil(b.conversations.totalCount / 100);
    }
    expect(pages).toBeGreaterThan(botone);
    const first = await all.gql(list);
    expect(first.errors).toBeUndefined();

    await all.resetStats();
    all.sim('BOTONE').faults.set({ latencyMs: 3_000, routes: [ROUTES.botoneList] });
    const answer = all.gql(list);
    // Every page is asked for while the first pages are held: the later ones no longer wait for them.
    await waitFor(() => all.sim('BOTONE').stats.count(ROUTES.botoneList) === pages, 'every page while the first pages are held', 2_500);
    const res = await answer;
    all.sim('BOTONE').faults.clear();
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual(first.data);
    // And no page twice.
    expect(all.sim('BOTONE').stats.count(ROUTES.botoneList)).toBe(pages);
  });
});
