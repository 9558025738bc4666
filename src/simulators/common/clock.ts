/**
 * Every simulator's clock: the `now` option plus the real time elapsed since start, and strictly
 * increasing, so that every write lands after any seeded time and after the previous write,
 * whatever `now` was set to.
 */
export class SimClock {
  private readonly startedAt = Date.now();
  private last: number;

  constructor(private readonly base: number) {
    this.last = base;
  }

  now(): number {
    const t = Math.max(this.base + (Date.now() - this.startedAt), this.last + 1);
    this.last = t;
    return t;
  }
}
