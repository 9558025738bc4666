/**
 * The acceptance query, end to end over HTTP: one request answers with conversations of all
 * three vendors (each served by its embedded simulator), and `providers` says how each is served
 * and what it can do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { PROVIDERS } from './support.js';

const ACCEPTANCE = `{ conversations(first: 30) { totalCount nodes { provider title status bot { name } endUser { name } messages(first: 5) { nodes { sender text } } } } }`;

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

describe('the unified graph: acceptance', () => {
  it('answers the acceptance query without errors, with conversations of all three providers', async () => {
    const res = await bg.gql(ACCEPTANCE);
    expect(res.errors).toBeUndefined();
    const { totalCount, nodes } = res.data.conversations;
    expect(nodes).toHaveLength(30);
    expect(new Set(nodes.map((n: any) => n.provider))).toEqual(new Set(PROVIDERS));
    // The seeds: 370 CLOSER, ~420 Bot.one, 3 × 130 + the vendor's example for CXone.
    expect(totalCount).toBeGreaterThan(1000);
    for (const node of nodes) {
      expect(node.title).toEqual(expect.any(String));
      expect(node.title.length).toBeGreaterThan(0);
      expect(['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN']).toContain(node.status);
      // Every provider names the bot of each conversation here (Bot.one through its per-bot streams).
      expect(node.bot?.name).toEqual(expect.any(String));
      expect(node.messages.nodes.length).toBeLessThanOrEqual(5);
      for (const m of node.messages.nodes) expect(['END_USER', 'BOT', 'OPERATOR', 'SYSTEM']).toContain(m.sender);
    }
    // CLOSER and CXone know their end users; Bot.one has none.
    for (const node of nodes.filter((n: any) => n.provider !== 'BOTONE')) expect(node.endUser?.name).toEqual(expect.any(String));
    for (const node of nodes.filter((n: any) => n.provider === 'BOTONE')) expect(node.endUser).toBeNull();
    // Messages are real dialogue, for every provider that has any on the page.
    for (const provider of PROVIDERS) {
      const texts = nodes.filter((n: any) => n.provider === provider).flatMap((n: any) => n.messages.nodes.map((m: any) => m.text));
      expect(
        texts.some((t: unknown) => typeof t === 'string' && t.length > 0),
        provider,
      ).toBe(true);
    }
  });

  it('lists the three providers as healthy simulators with their capabilities', async () => {
    const res = await bg.gql(`{ providers { provider enabled mode healthy capabilities apiVersion } }`);
    expect(res.errors).toBeUndefined();
    const byProvider = Object.fromEntries(res.data.providers.map((p: any) => [p.provider, p]));
    expect(Object.keys(byProvider).sort()).toEqual([...PROVIDERS].sort());
    for (const provider of PROVIDERS) {
      expect(byProvider[provider]).toMatchObject({ enabled: true, mode: 'SIMULATOR', healthy: true });
    }
    expect(byProvider.CLOSER.capabilities).toEqual(['READ_MESSAGES', 'SEND_MESSAGES', 'RICH_MESSAGES', 'HANDOFF', 'TRANSFER', 'WEBHOOKS']);
    expect(byProvider.BOTONE.capabilities).toEqual(
      expect.arrayContaining(['READ_MESSAGES', 'SEND_MESSAGES', 'HANDOFF', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS']),
    );
    expect(byProvider.BOTONE.apiVersion).toBe('v2');
    // CXone's export is read-only.
    expect(byProvider.CXONE.capabilities).toEqual(['READ_MESSAGES', 'TRACKER_EVENTS']);
  });

  it('reports an unhealthy provider as healthy: false, and the others still healthy', async () => {
    bg.sim('CXONE').faults.set({ errorRate: 1, errorStatus: 503 });
    try {
      const res = await bg.gql(`{ providers { provider healthy } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data.providers).toEqual([
        { provider: 'CLOSER', healthy: true },
        { provider: 'BOTONE', healthy: true },
        { provider: 'CXONE', healthy: false },
      ]);
    } finally {
      bg.sim('CXONE').faults.clear();
    }
  });
});
