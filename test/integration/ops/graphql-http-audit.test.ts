/**
 * The GraphQL-over-HTTP spec audit of graphql-http (its `serverAudits`) against a running
 * botgraph: 0 MUST and 0 SHOULD failures.
 */
import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { startTestBotgraph } from '../../helpers/botgraph.js';

describe('graphql-http audit', async () => {
  const bg = await startTestBotgraph();

  it('passes every MUST and SHOULD', { timeout: 60_000 }, async () => {
    const audits = serverAudits({ url: `${bg.url}/graphql`, fetchFn: fetch });
    const results = [];
    for (const audit of audits) results.push({ ...(await audit.fn()), name: audit.name });
    const failed = results.filter((r) => r.status === 'error' || r.status === 'warn');
    const statuses = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    const must = failed.filter((r) => r.status === 'error');
    const should = failed.filter((r) => r.status === 'warn');
    console.log(
      `[audit] ${results.length} audits: ${JSON.stringify(statuses)}, ${must.length} MUST failures, ${should.length} SHOULD failures` +
        failed.map((r) => `\n  ${r.status}: ${r.name}: ${'reason' in r ? r.reason : ''}`).join(''),
    );
    expect(results.length).toBeGreaterThan(30);
    expect(must.map((r) => r.name)).toEqual([]);
    expect(should.map((r) => r.name)).toEqual([]);
  });
});
