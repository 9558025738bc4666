/**
 * Offset/limit ↔ CLOSER's page/limit. The merge asks streams for arbitrary offsets (it resumes
 * wherever it stopped consuming), while CLOSER only serves fixed-size pages, so a window is mapped
 * onto at most two vendor pages.
 */
import { CLOSER_MAX_LIMIT } from './types.js';

export interface VendorWindow {
  /** Vendor page size for every call of this window. */
  size: number;
  /** 1-based vendor pages to read, in order (one or two). */
  pages: number[];
  /** How many items of the first page precede `offset`. */
  skip: number;
  /** Items wanted; may be less than the caller's limit when that exceeds CLOSER's largest page. */
  take: number;
}

/**
 * Picks a page size for `[offset, offset + limit)`. It prefers the smallest size in
 * `[limit, 100]` whose single page covers the whole window (one call); if none does, two pages of
 * size `limit`. A limit above 100 is served as 100 items (`Up to limit` in the stream contract).
 */
export function vendorWindow(offset: number, limit: number, maxLimit = CLOSER_MAX_LIMIT): VendorWindow {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  const take = Math.min(Math.max(1, Math.floor(limit)), maxLimit);
  const last = offset + take - 1;
  for (let size = take; size <= maxLimit; size += 1) {
    if (Math.floor(offset / size) === Math.floor(last / size)) {
      const page = Math.floor(offset / size);
      return { size, pages: [page + 1], skip: offset - page * size, take };
    }
  }
  const first = Math.floor(offset / take);
  return { size: take, pages: [first + 1, first + 2], skip: offset - first * take, take };
}
