/**
 * Only the work the query selects: CXone's tracker (NLU events, messages) is mapped when
 * `trackerEvents` or `messages` is selected, and once per conversation version, not per request.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { trackersMappedSoFar } from '../../../src/providers/cxone/mapper.js';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

let bg: TestBotgraph;
const LIST = (selection: string) => `{ conversations(first: 10, filter: { providers: [CXONE] }) { nodes { id title status ${selection} } } }`;

beforeAll(async () => {
  bg = await startTestBotgraph({ BOTGRAPH_PROVIDERS: 'cxone' });
});

describe('lazy CXone mapping', () => {
  it('a list without trackerEvents or messages maps no tracker', async () => {
    const before = trackersMappedSoFar();
    const res = await bg.gql(LIST('updatedAt bot { name } endUser { name }'));
    expect(res.errors).toBeUndefined();
    expect(res.data.conversations.nodes).toHaveLength(10);
    expect(trackersMappedSoFar()).toBe(before);
  });

  it('trackerEvents or messages map each conversation once, and a repeated request maps nothing again', async () => {
    const before = trackersMappedSoFar();
    const first = await bg.gql(LIST('trackerEvents { type } messages(first: 2) { nodes { sender text } }'));
    expect(first.errors).toBeUndefined();
    const nodes = first.data.conversations.nodes as Array<{ trackerEvents: unknown[]; messages: { nodes: unknown[] } }>;
    expect(nodes.every((n) => n.trackerEvents.length > 0)).toBe(true);
    expect(nodes.some((n) => n.messages.nodes.length > 0)).toBe(true);
    expect(trackersMappedSoFar() - before).toBe(10);

    const again = await bg.gql(LIST('trackerEvents { type } messages(first: 2) { nodes { sender text } }'));
    expect(again.data).toEqual(first.data);
    expect(trackersMappedSoFar() - before).toBe(10);
  });
});
