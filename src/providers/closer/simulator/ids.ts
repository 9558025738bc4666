import { DAY_MS, HOUR_MS } from '../../../simulators/common/history.js';
import type { Rng } from '../../../simulators/common/rng.js';

/**
 * A 24-hex-char id shaped like a MongoDB ObjectId, as CLOSER's ids are: 8 hex chars of the creation
 * time in seconds, then 16 random ones. Ids made this way sort roughly by creation time, which
 * keeps the `id` tie-breaker of the list orders meaningful.
 */
export function objectId(atMs: number, rng: Rng): string {
  const seconds = Math.max(0, Math.floor(atMs / 1000));
  return seconds.toString(16).padStart(8, '0').slice(-8) + rng.hex(16);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const KST_OFFSET_MS = 9 * HOUR_MS;
const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'] as const;

/** A date as a Korean speaker writes it in chat, in Korean time: `3월 14일(목)`. */
export function koreanDate(ms: number): string {
  const d = new Date(ms + KST_OFFSET_MS);
  return `${d.getUTCMonth() + 1}월 ${d.getUTCDate()}일(${WEEKDAYS[d.getUTCDay()]})`;
}

/** An order number as Korean shops print them: the KST order date, then a 7-digit serial. */
export function orderNumber(ms: number, serial: number): string {
  const d = new Date(ms + KST_OFFSET_MS);
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${ymd}-${String(serial).padStart(7, '0')}`;
}

export { DAY_MS, KST_OFFSET_MS };
