/**
 * `Server-Timing` on `/graphql`: `total` (the router's) and `upstream`, the wall time the operation
 * had a vendor call in flight, counted once when calls overlap. Over real HTTP to the embedded
 * simulators, with their injected latency: `total − upstream` is botgraph's own time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBotgraph } from '../../helpers/botgraph.js';
import { conversationsOf } from '../subscriptions/support.js';

const NODE = `query($id: ID!) { node(id: $id) { id ... on Conversation { title messages(first: 5) { nodes { text } } } } }`;
const LATENCY_MS = 300;

function timings(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*(\w+);dur=([\d.]+)\s*$/.exec(part);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

describe('Server-Timing', async () => {
  const bg = await startTestBotgraph();
  afterEach(() => bg.sim('CLOSER').faults.clear());
  const post = (query: string, variables?: Record<string, unknown>) =>
    fetch(`${bg.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });

  it('says `upstream` beside `total`: the vendors’ part, the two calls of one wave counted once', async () => {
    const [conv] = await conversationsOf(bg, 'CLOSER', [], 1);
    bg.sim('CLOSER').faults.set({ latencyMs: LATENCY_MS });
    const res = await post(NODE, { id: conv!.id });
    const body = (await res.json()) as { data?: { node?: { messages?: unknown } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.node?.messages).toBeDefined();
    const t = timings(res.headers.get('server-timing'));
    // Two vendor calls (the conversation and its messages), started together: the union of their
    // waits is at least one latency, and no more than the whole answer took (their sum, two
    // latencies, would be more than that).
    expect(t.upstream).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    expect(t.upstream).toBeLessThanOrEqual(t.total!);
  });

  it('has no `upstream` for an operation that called no vendor', async () => {
    const res = await post('{ __typename }');
    expect(res.status).toBe(200);
    const t = timings(res.headers.get('server-timing'));
    expect(t.total).toBeGreaterThanOrEqual(0);
    expect(t.upstream).toBeUndefined();
  });
});
