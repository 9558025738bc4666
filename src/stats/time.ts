/**
 * Calendar arithmetic in an IANA timezone with nothing but `Intl`: the local parts of an instant,
 * and the instant a local bucket (hour, day, ISO week) starts at. Offsets are found by asking Intl
 * for the local time of a guess and correcting, which handles DST gaps and 45-minute zones. The
 * CXone simulator's time values use `isTimeZone` and `offsetAt` from here as well.
 */
import { badInput } from '../errors.js';

export type TimeBucketName = 'HOUR' | 'DAY' | 'WEEK';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA zone name that this Node's Intl knows (`UTC`, `Europe/Prague`, …). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The timezone as given when Intl knows it (UTC when absent), or BAD_USER_INPUT (field `timezone`). */
export function checkTimeZone(timeZone: string | null | undefined): string {
  if (timeZone === null || timeZone === undefined || timeZone === '') return 'UTC';
  // Validated by Intl, answered as asked: ICU's canonical names are older ones (`Asia/Katmandu`).
  if (timeZone.length > 64 || !isTimeZone(timeZone)) {
    throw badInput('`timezone` must be an IANA timezone name such as `Europe/Moscow`.', 'timezone');
  }
  return timeZone;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday as string] as number,
  };
}

/**
 * The zone's offset from UTC at `ms`, in ms (local = UTC + offset). Seconds are dropped: no modern
 * zone has them. The CXone simulator converts its timestamps with it too.
 */
export function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a local wall time. In a DST gap (a local time that does not exist) the instant
 * after the gap; in an overlap, the earlier one.
 */
export function instantOf(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  let guess = wall - offsetAt(wall, timeZone);
  // Two corrections settle every real zone (the offset at the guess may differ from the first).
  for (let i = 0; i < 2; i++) {
    const next = wall - offsetAt(guess, timeZone);
    if (next === guess) break;
    guess = next;
  }
  const earlier = guess - 3_600_000;
  if (wall - offsetAt(earlier, timeZone) === earlier) return earlier;
  return guess;
}

/** The start of the bucket holding `ms`. */
export function bucketStart(ms: number, bucket: TimeBucketName, timeZone: string): number {
  const p = localParts(ms, timeZone);
  switch (bucket) {
    case 'HOUR': {
      // Hours are whole in every zone with a whole- or half-hour offset; for 45-minute zones the
      // local hour still starts at local :00.
      const start = instantOf(p.year, p.month, p.day, p.hour, timeZone);
      return start <= ms ? start : ms - ((ms - start) % 3_600_000);
    }
    case 'DAY':
      return instantOf(p.year, p.month, p.day, 0, timeZone);
    case 'WEEK': {
      const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - (p.weekday - 1)));
      return instantOf(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, timeZone);
    }
  }
}

/** The UTC day (ms at 00:00Z) holding `ms`: the unit the aggregates are stored in. */
export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

export const DAY_MS = 86_400_000;
