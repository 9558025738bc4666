/**
 * The shared offset→page window (src/datasources/base.ts) with `widenUpTo`, which caps a one-call
 * page at a multiple of the limit. (These cases were Bot.one's `planPages`, a wrapper no code used
 * once Bot.one listed through its sorted snapshot.)
 */
import { describe, expect, it } from 'vitest';
import { pageWindow } from '../../src/datasources/base.js';

/** `pageWindow` in the shape the cases were written in. */
function planPages(offset: number, limit: number): { pageSize: number; firstPage: number; pages: 1 | 2; limit: number } {
  const w = pageWindow(offset, limit, { maxPageSize: 100, widenUpTo: 2 });
  return { pageSize: w.size, firstPage: w.pages[0] as number, pages: w.pages.length as 1 | 2, limit: w.take };
}

describe('pageWindow with widenUpTo: 2 (one page of up to twice the limit)', () => {
  it('uses one page when the window is aligned or fits a page of up to twice the limit', () => {
    expect(planPages(0, 20)).toEqual({ pageSize: 20, firstPage: 1, pages: 1, limit: 20 });
    expect(planPages(40, 20)).toEqual({ pageSize: 20, firstPage: 3, pages: 1, limit: 20 });
    expect(planPages(3, 10)).toEqual({ pageSize: 13, firstPage: 1, pages: 1, limit: 10 });
    const plan = planPages(57, 20);
    expect(plan.pages).toBe(1);
    const start = (plan.firstPage - 1) * plan.pageSize;
    expect(start).toBeLessThanOrEqual(57);
    expect(start + plan.pageSize).toBeGreaterThanOrEqual(77);
  });

  it('falls back to two pages of `limit` and caps the limit at the largest page', () => {
    expect(planPages(150, 100)).toEqual({ pageSize: 100, firstPage: 2, pages: 2, limit: 100 });
    expect(planPages(0, 500)).toEqual({ pageSize: 100, firstPage: 1, pages: 1, limit: 100 });
  });

  it('always covers the whole window for every offset and limit', () => {
    for (let limit = 1; limit <= 100; limit += 7) {
      for (let offset = 0; offset < 400; offset += 3) {
        const plan = planPages(offset, limit);
        const start = (plan.firstPage - 1) * plan.pageSize;
        expect(start).toBeLessThanOrEqual(offset);
        expect(start + plan.pages * plan.pageSize).toBeGreaterThanOrEqual(offset + plan.limit);
        expect(plan.pageSize).toBeLessThanOrEqual(100);
      }
    }
  });
});
