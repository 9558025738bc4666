/**
 * The simulators' one history helper (src/simulators/common/history.ts): starts stay in the window,
 * follow the local time of day, and draw the same number of values whatever the hour of `now`, so that
 * a seed gives the same data relative to `now` at any time of day.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HISTORY_DAYS, HOUR_MS, historyStarts, recentStarts, TIME_OF_DAY_WEIGHTS } from '../../src/simulators/common/history.js';
import { deriveRng } from '../../src/simulators/common/rng.js';

const NOW = Date.UTC(2026, 11, 3, 11, 7, 13, 250);

describe('historyStarts', () => {
  it('keeps every start in the 90 days before now, outside the quiet window, oldest first, rounded', () => {
    const quietMs = 4 * HOUR_MS;
    const starts = historyStarts(deriveRng(1, 'test'), 2_000, { now: NOW, utcOffsetHours: 9, quietMs, resolutionMs: 1000 });
    expect(starts).toHaveLength(2_000);
    for (const t of starts) {
      expect(t).toBeGreaterThanOrEqual(NOW - HISTORY_DAYS * DAY_MS);
      expect(t).toBeLessThanOrEqual(NOW - quietMs);
      expect(t % 1000).toBe(0);
    }
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('follows the local time of day: the busiest local hour gets many times the quietest', () => {
    const offset = 3;
    const byHour = new Array<number>(24).fill(0);
    for (const t of historyStarts(deriveRng(2, 'test'), 20_000, { now: NOW, utcOffsetHours: offset, quietMs: 0 })) {
      byHour[new Date(t + offset * HOUR_MS).getUTCHours()]! += 1;
    }
    const weight = (h: number) => TIME_OF_DAY_WEIGHTS.find(([hour]) => hour === h)![1];
    const busiest = TIME_OF_DAY_WEIGHTS.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const quietest = TIME_OF_DAY_WEIGHTS.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    expect(weight(busiest) / weight(quietest)).toBeGreaterThan(10);
    expect(byHour[busiest]! / byHour[quietest]!).toBeGreaterThan(10);
  });

  it('grows towards now when asked: the last 10 days hold more than the first 10', () => {
    const starts = historyStarts(deriveRng(3, 'test'), 10_000, { now: NOW, utcOffsetHours: 0, quietMs: 0, growth: 2 });
    const first = starts.filter((t) => t < NOW - 80 * DAY_MS).length;
    const last = starts.filter((t) => t > NOW - 10 * DAY_MS).length;
    expect(last / first).toBeGreaterThan(1.5);
  });

  it('draws as many values at any hour of now, so what is drawn after it does not move', () => {
    const after = (now: number) => {
      const rng = deriveRng(4, 'test');
      historyStarts(rng, 500, { now, utcOffsetHours: 9, quietMs: 4 * HOUR_MS });
      return rng.next();
    };
    const values = new Set(Array.from({ length: 24 }, (_, h) => after(NOW + h * HOUR_MS)));
    expect(values.size).toBe(1);
  });
});

describe('recentStarts', () => {
  it('lies between the two ages given, oldest first', () => {
    const starts = recentStarts(deriveRng(5, 'test'), 50, NOW, 5 * 60_000, 30 * 60_000, 1000);
    for (const t of starts) {
      expect(t).toBeGreaterThanOrEqual(NOW - 30 * 60_000 - 1000);
      expect(t).toBeLessThanOrEqual(NOW - 5 * 60_000);
    }
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });
});
