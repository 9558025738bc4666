/**
 * TopicBudget against a fake Redis that holds the take open: a renewal that runs meanwhile renews
 * every topic held locally, the pending one too, so a refused take must remove what that renewal
 * added. Before, the refused topic stayed a member and counted against the principal's cap (the
 * replica topic-cap test saw 4 topics for a cap of 3 now and then).
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { TopicBudget } from '../../src/limits/rate.js';

class FakeRedis {
  readonly members = new Set<string>();
  private openTake: (() => void) | undefined;
  taking = false;

  async eval(script: string, _keys: number, _key: string, ...args: Array<string | number>): Promise<unknown> {
    if (script.includes('ZREMRANGEBYSCORE')) {
      // The take: wait until the test lets it answer, then refuse (the cap is full elsewhere).
      this.taking = true;
      await new Promise<void>((resolve) => (this.openTake = resolve));
      return [0, 4];
    }
    // The renewal: ARGV lease ms, replica, topics…
    const [, replica, ...topics] = args;
    for (const t of topics) this.members.add(`${t}|${replica}`);
    return 1;
  }

  async zrem(_key: string, ...members: string[]): Promise<number> {
    for (const m of members) this.members.delete(m);
    return members.length;
  }

  answerTake(): void {
    this.openTake?.();
  }
}

const logger = { warn() {} } as unknown as Logger;

describe('TopicBudget with Redis', () => {
  it('a refused take leaves no member behind, even when a renewal ran while it waited', async () => {
    const redis = new FakeRedis();
    const budget = new TopicBudget(3, { redis: redis as never, leaseMs: 60_000, logger });
    try {
      const refused = budget.acquire('viewer', ['msg:CLOSER:4']).then(
        () => null,
        (error: unknown) => error,
      );
      while (!redis.taking) await new Promise((r) => setImmediate(r));
      await (budget as unknown as { renew(): Promise<void> }).renew();
      expect([...redis.members]).toEqual([`msg:CLOSER:4|${budget.replica}`]);
      redis.answerTake();
      expect(await refused).toMatchObject({ code: 'TOPIC_LIMIT_EXCEEDED' });
      expect([...redis.members]).toEqual([]);
      expect(budget.count('viewer')).toBe(0);
    } finally {
      await budget.close();
    }
  });
});
