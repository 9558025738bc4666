/**
 * When the seeded conversations of every simulator started: one history helper, so that the three
 * vendors spread their 90 days the same way and differ only in what they say (their customers' time
 * zone, how quiet the last hours are, whether traffic grows). Nothing here reads the clock or
 * Math.random: the same generator and `now` give the same times.
 */
import type { Rng } from './rng.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Every simulator seeds the 90 days before `now` (BaseSimulatorOptions.now). */
export const HISTORY_DAYS = 90;

/**
 * Relative traffic by local hour of day, the one time-of-day weighting of the simulators: quiet at
 * night, busiest at lunch and in the evening, as a consumer-facing bot is used.
 */
export const TIME_OF_DAY_WEIGHTS: ReadonlyArray<readonly [hour: number, weight: number]> = [
  [0, 1],
  [1, 1],
  [2, 0.5],
  [3, 0.3],
  [4, 0.3],
  [5, 0.5],
  [6, 1],
  [7, 2],
  [8, 4],
  [9, 7],
  [10, 9],
  [11, 10],
  [12, 11],
  [13, 10],
  [14, 9],
  [15, 9],
  [16, 8],
  [17, 8],
  [18, 7],
  [19, 8],
  [20, 9],
  [21, 8],
  [22, 5],
  [23, 3],
];

export interface HistoryWindow {
  /** The simulator's `now` (epoch ms); history lies in the HISTORY_DAYS before it. */
  now: number;
  /** The UTC offset of the vendor's customers, in hours: TIME_OF_DAY_WEIGHTS are their local hours. */
  utcOffsetHours: number;
  /** No start lies later than this long before `now`, which leaves room for the conversation itself. */
  quietMs: number;
  /** How much busier the last day is than the first (traffic growing over the quarter). @default 1 */
  growth?: number;
  /** Starts are rounded down to a multiple of this (Bot.one's times are whole seconds). @default 1 */
  resolutionMs?: number;
}

/** One start in the window: a day (weighted by `growth`), a local hour (TIME_OF_DAY_WEIGHTS), a moment in that hour. */
export function historyStart(rng: Rng, window: HistoryWindow): number {
  const { now, quietMs, growth = 1, resolutionMs = 1 } = window;
  const offsetMs = window.utcOffsetHours * HOUR_MS;
  const localMidnight = Math.floor((now + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  // Day 0 is today; the oldest day weighs 1 and today `growth`.
  const days = Array.from({ length: HISTORY_DAYS }, (_, ago) => [ago, 1 + (growth - 1) * (1 - ago / (HISTORY_DAYS - 1))] as const);
  const ago = rng.weighted(days);
  const hour = rng.weighted(TIME_OF_DAY_WEIGHTS);
  let start = Math.floor((localMidnight - ago * DAY_MS + hour * HOUR_MS + rng.int(0, HOUR_MS - 1)) / resolutionMs) * resolutionMs;
  // Outside the window (later today, or before the first day's `now`), the start moves by whole days,
  // keeping its hour. A redraw instead would make the number of draws depend on the time of day of
  // `now`, and so everything drawn after it: the same seed would seed other states at 9:00 and at 17:00.
  while (start > now - quietMs) start -= DAY_MS;
  while (start < now - HISTORY_DAYS * DAY_MS) start += DAY_MS;
  return start;
}

/** `count` starts in the window, oldest first. */
export function historyStarts(rng: Rng, count: number, window: HistoryWindow): number[] {
  return Array.from({ length: count }, () => historyStart(rng, window)).sort((a, b) => a - b);
}

/**
 * `count` starts between `maxAgoMs` and `minAgoMs` before `now`, oldest first: the conversations that
 * are still open when a simulator starts, so a fresh botgraph has live ones to show and watch.
 */
export function recentStarts(rng: Rng, count: number, now: number, minAgoMs: number, maxAgoMs: number, resolutionMs = 1): number[] {
  return Array.from({ length: count }, () => Math.floor((now - rng.int(minAgoMs, maxAgoMs)) / resolutionMs) * resolutionMs).sort((a, b) => a - b);
}
