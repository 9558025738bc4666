/**
 * Intervals for measures computed from a sample of a group's conversations (docs/stats.md,
 * "Estimates"). The sample is treated as a simple random sample without replacement of the group:
 * message reads are taken in a fixed pseudo-random order (a hash of the conversation id), so the
 * conversations read are unrelated to what they contain. A stream cut short by STATS_MAX_CALLS read
 * the vendor's order (newest updated first) instead, which is no random sample (`partial`).
 *
 * - means and totals: normal interval with the finite-population correction,
 *   ȳ ± z·s/√n·√(1 − n/N), a total being N times the mean (with N's own bounds when the count is estimated);
 * - ratios over turns (fallback rate, intent confidence): the ratio estimator over conversations as
 *   clusters, r ± z·√((1 − n/N)/n)·s_d / x̄ with d = y − r·x;
 * - a stream cut short (the vendor's order, not random): see `partial`.
 * - percentiles (nearest rank): distribution-free, the sample's order statistics at ranks
 *   n·p ∓ z·√(n·p·(1 − p)) (an end past the sample is unbounded: null).
 */

export interface EstimateModel {
  /** `exact`; `sample`: a pseudo-random sample, with a statistical interval; `partial`: a part in the vendor's order, only what is certain. */
  method: 'exact' | 'sample' | 'partial';
  value: number;
  low: number | null;
  high: number | null;
  /** 1 when exact. */
  confidence: number;
  exact: boolean;
  sample: number;
  population: number;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9 after refinement). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let q: number;
  let x: number;
  if (p < low) {
    q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

/** z of a two-sided interval at `confidence`. */
export function zOf(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

const exactly = (value: number, n: number): EstimateModel => ({
  method: 'exact',
  value,
  low: value,
  high: value,
  confidence: 1,
  exact: true,
  sample: n,
  population: n,
});

function fpc(n: number, population: number): number {
  return population > n ? Math.sqrt(1 - n / population) : 0;
}

function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.POSITIVE_INFINITY };
}

/**
 * The total of a measure over a group of `population` conversations (between `populationLow` and
 * `populationHigh` when the group's count is itself estimated), from `values` measured on a sample
 * of them. Never below what the sample itself adds up to (every value is ≥ 0).
 */
export function totalEstimate(
  values: readonly number[],
  population: { count: number; low: number; high: number },
  confidence: number,
): EstimateModel | null {
  const n = values.length;
  if (n === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  if (n >= population.high) return exactly(sum, n);
  const { mean, sd } = meanAndSd(values);
  const margin = Number.isFinite(sd) ? zOf(confidence) * (sd / Math.sqrt(n)) * fpc(n, population.low) : Number.POSITIVE_INFINITY;
  const high = population.high * (mean + margin);
  return {
    method: 'sample',
    value: mean * population.count,
    low: Math.max(sum, population.low * Math.max(0, mean - margin)),
    high: Number.isFinite(high) ? high : null,
    confidence,
    exact: false,
    sample: n,
    population: population.count,
  };
}

/**
 * Σy / Σx over a group, from (y, x) pairs of the sampled conversations (clusters), of a group of
 * `population` conversations. Null when no sampled conversation has any x.
 */
export function ratioEstimate(
  ys: readonly number[],
  xs: readonly number[],
  population: number,
  confidence: number,
  clamp?: [number, number],
): EstimateModel | null {
  const n = ys.length;
  const sx = xs.reduce((a, b) => a + b, 0);
  if (n === 0 || sx === 0) return null;
  const r = ys.reduce((a, b) => a + b, 0) / sx;
  if (n >= population) return exactly(r, n);
  const xbar = sx / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((ys[i] as number) - r * (xs[i] as number)) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.POSITIVE_INFINITY;
  const margin = (zOf(confidence) * fpc(n, population) * sd) / (Math.sqrt(n) * xbar);
  let low = r - margin;
  let high = r + margin;
  if (clamp) {
    low = Math.max(clamp[0], low);
    high = Math.min(clamp[1], high);
  }
  return {
    method: 'sample',
    value: r,
    low: Number.isFinite(low) ? low : (clamp?.[0] ?? null),
    high: Number.isFinite(high) ? high : (clamp?.[1] ?? null),
    confidence,
    exact: false,
    sample: n,
    population,
  };
}

/** The mean of a measure over a group, from the values of a sample (the ratio estimator with x = 1). */
export function meanEstimate(values: readonly number[], population: number, confidence: number): EstimateModel | null {
  return ratioEstimate(
    values,
    values.map(() => 1),
    population,
    confidence,
  );
}

/**
 * The nearest-rank percentile `p` of a group, from a sample's sorted values: the order statistics
 * around rank n·p give a distribution-free interval.
 */
export function percentileEstimate(sorted: readonly number[], p: number, population: number, confidence: number): EstimateModel | null {
  const n = sorted.length;
  if (n === 0) return null;
  const at = (rank: number) => sorted[Math.min(n, Math.max(1, rank)) - 1] as number;
  const value = at(Math.ceil(p * n));
  if (n >= population) return exactly(value, n);
  const spread = zOf(confidence) * Math.sqrt(n * p * (1 - p));
  const lowRank = Math.floor(n * p - spread);
  const highRank = Math.ceil(n * p + spread) + 1;
  return {
    method: 'sample',
    value,
    low: lowRank >= 1 ? at(lowRank) : null,
    high: highRank <= n ? at(highRank) : null,
    confidence,
    exact: false,
    sample: n,
    population,
  };
}

/**
 * A stream cut short by STATS_MAX_CALLS read a part of the group in the vendor's order (newest
 * updated first), which is not a random sample: no interval is claimed beyond what is certain. A
 * total is at least what was read (`low`); nothing else is bounded (null ends).
 */
export function partial(estimate: EstimateModel | null, kind: 'total' | 'other', certainLow?: number): EstimateModel | null {
  if (estimate === null || estimate.exact) return estimate;
  return { ...estimate, method: 'partial', low: kind === 'total' ? (certainLow ?? null) : null, high: null, confidence: 1 };
}
