/**
 * The intervals of src/stats/estimate.ts hold the truth as often as they say: simple random samples
 * (without replacement) of a fixed skewed population, drawn with a seeded generator, so the
 * figures are the same on every run. A wrong margin (halved, or without the sample's spread)
 * falls well below the stated level; percentiles of integer data cover more (ties), never less.
 */
import { describe, expect, it } from 'vitest';
import { meanEstimate, normalQuantile, percentileEstimate, ratioEstimate, totalEstimate, zOf } from '../../src/stats/estimate.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const N = 400;
const n = 80;
const TRIALS = 2000;
const random = rng(7);
// Messages per conversation (skewed), user turns and fallback turns per conversation.
const messages = Array.from({ length: N }, () => Math.floor(-Math.log(1 - random()) * 6) + 1);
const turns = messages.map((m) => Math.max(1, Math.round(m / 2)));
const fallbacks = turns.map((t) => Math.floor(t * random() * 0.4));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const nearestRank = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil(p * xs.length) - 1]!;

function sample(draw: () => number): number[] {
  const idx = Array.from({ length: N }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(draw() * (N - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, n);
}

describe('stats estimates', () => {
  it('the normal quantile is right', () => {
    expect(zOf(0.95)).toBeCloseTo(1.959964, 5);
    expect(zOf(0.999)).toBeCloseTo(3.290527, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });

  it('95% intervals of a total, a mean, a ratio and percentiles cover the truth in about 95% of samples', () => {
    const draw = rng(42);
    const hits = { total: 0, mean: 0, ratio: 0, p50: 0, p90: 0 };
    const truth = {
      total: sum(messages),
      mean: sum(messages) / N,
      ratio: sum(fallbacks) / sum(turns),
      p50: nearestRank(messages, 0.5),
      p90: nearestRank(messages, 0.9),
    };
    const inside = (e: { low: number | null; high: number | null } | null, v: number) =>
      e !== null && (e.low === null || e.low <= v) && (e.high === null || v <= e.high);
    for (let t = 0; t < TRIALS; t++) {
      const s = sample(draw);
      const m = s.map((i) => messages[i]!);
      const sorted = [...m].sort((a, b) => a - b);
      if (inside(totalEstimate(m, { count: N, low: N, high: N }, 0.95), truth.total)) hits.total++;
      if (inside(meanEstimate(m, N, 0.95), truth.mean)) hits.mean++;
      if (
        inside(
          ratioEstimate(
            s.map((i) => fallbacks[i]!),
            s.map((i) => turns[i]!),
            N,
            0.95,
            [0, 1],
          ),
          truth.ratio,
        )
      )
        hits.ratio++;
      if (inside(percentileEstimate(sorted, 0.5, N, 0.95), truth.p50)) hits.p50++;
      if (inside(percentileEstimate(sorted, 0.9, N, 0.95), truth.p90)) hits.p90++;
    }
    for (const [what, h] of Object.entries(hits)) {
      expect(h / TRIALS, what).toBeGreaterThan(0.92);
      // Not needlessly wide either (order statistics of tied integers are conservative by nature).
      if (!what.startsWith('p')) expect(h / TRIALS, what).toBeLessThan(0.985);
    }
  });

  it('every conversation measured: exact, low = high = value', () => {
    expect(totalEstimate([1, 2, 3], { count: 3, low: 3, high: 3 }, 0.95)).toEqual({
      method: 'exact',
      value: 6,
      low: 6,
      high: 6,
      confidence: 1,
      exact: true,
      sample: 3,
      population: 3,
    });
    expect(ratioEstimate([1, 0], [2, 2], 2, 0.95)).toMatchObject({ method: 'exact', value: 0.25 });
  });
});
