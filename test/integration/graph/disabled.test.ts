/**
 * A provider that is not enabled behaves one way in every list: naming it (in `providers`) is
 * PROVIDER_DISABLED with the provider, for bots, conversations and end users alike; not naming it
 * lists the enabled providers only, without an error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'closer,botone' });
});

const LISTS = {
  bots: `{ bots(providers: [CXONE]) { id } }`,
  conversations: `{ conversations(first: 5, filter: { providers: [CXONE] }) { nodes { id } } }`,
  endUsers: `{ endUsers(first: 5, filter: { providers: [CXONE] }) { nodes { id } } }`,
};

describe('a disabled provider named in a list', () => {
  it.each(Object.entries(LISTS))('%s → PROVIDER_DISABLED naming it, no upstream call', async (field, query) => {
    await bg.resetStats();
    const res = await bg.gql(query);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual([field]);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_DISABLED', provider: 'CXONE', retryable: false });
    expect((await bg.stats('CLOSER')).total + (await bg.stats('BOTONE')).total).toBe(0);
  });

  it('is simply absent when not named', async () => {
    const res = await bg.gql(`{ bots { provider } conversations(first: 50) { nodes { provider } } providers { provider enabled } }`);
    expect(res.errors).toBeUndefined();
    expect(new Set(res.data.bots.map((b: { provider: string }) => b.provider))).toEqual(new Set(['CLOSER', 'BOTONE']));
    expect(res.data.conversations.nodes.some((c: { provider: string }) => c.provider === 'CXONE')).toBe(false);
    expect(res.data.providers).toContainEqual({ provider: 'CXONE', enabled: false });
  });
});
