import { describe, expect, it } from 'vitest';
import { setBounded } from '../../src/bounded.js';

describe('setBounded', () => {
  it('keeps at most `max` entries, dropping those set or touched longest ago', () => {
    const map = new Map<string, number>();
    for (const [i, key] of ['a', 'b', 'c'].entries()) setBounded(map, key, i, 3);
    setBounded(map, 'a', 0, 3); // touched: now the newest
    setBounded(map, 'd', 3, 3);
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    expect(map.get('a')).toBe(0);
  });

  it('trims a map already over the bound down to it', () => {
    const map = new Map([1, 2, 3, 4, 5].map((n) => [n, n] as const));
    setBounded(map, 6, 6, 2);
    expect([...map.keys()]).toEqual([5, 6]);
  });
});
