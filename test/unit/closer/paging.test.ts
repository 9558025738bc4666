import { describe, it, expect } from 'vitest';
import { pageWindow } from '../../../src/datasources/base.js';
import { CLOSER_PAGING } from '../../../src/providers/closer/paging.js';

/** The window CLOSER's client reads for `[offset, offset + limit)` (`readWindow` with CLOSER_PAGING). */
const vendorWindow = (offset: number, limit: number) => pageWindow(offset, limit, CLOSER_PAGING);

/** The vendor positions a window reads, to check it covers exactly [offset, offset + take). */
function covered(offset: number, limit: number): number[] {
  const w = vendorWindow(offset, limit);
  const positions = w.pages.flatMap((p) => Array.from({ length: w.size }, (_, i) => (p - 1) * w.size + i));
  return positions.slice(w.skip, w.skip + w.take);
}

describe('CLOSER paging (pageWindow with CLOSER_PAGING)', () => {
  it('maps aligned windows onto one page of size limit', () => {
    expect(vendorWindow(0, 20)).toEqual({ size: 20, pages: [1], skip: 0, take: 20 });
    expect(vendorWindow(40, 20)).toEqual({ size: 20, pages: [3], skip: 0, take: 20 });
  });

  it('finds a single larger page for an unaligned window when one exists', () => {
    expect(vendorWindow(10, 20)).toEqual({ size: 30, pages: [1], skip: 10, take: 20 });
    expect(vendorWindow(21, 19)).toEqual({ size: 20, pages: [2], skip: 1, take: 19 });
  });

  it('falls back to two pages when no single page up to 100 covers the window', () => {
    expect(vendorWindow(1, 100)).toEqual({ size: 100, pages: [1, 2], skip: 1, take: 100 });
    expect(vendorWindow(150, 99).pages).toHaveLength(2);
  });

  it('caps a window at CLOSER’s largest page of 100', () => {
    expect(vendorWindow(0, 500)).toEqual({ size: 100, pages: [1], skip: 0, take: 100 });
  });

  it('always covers exactly the asked positions, with at most two calls', () => {
    for (let offset = 0; offset < 260; offset += 7) {
      for (const limit of [1, 2, 5, 13, 20, 21, 50, 99, 100]) {
        const w = vendorWindow(offset, limit);
        expect(w.pages.length).toBeLessThanOrEqual(2);
        expect(w.size).toBeLessThanOrEqual(100);
        expect(covered(offset, limit)).toEqual(Array.from({ length: limit }, (_, i) => offset + i));
      }
    }
  });

  it('rejects a negative offset', () => {
    expect(() => vendorWindow(-1, 10)).toThrow(RangeError);
  });
});
