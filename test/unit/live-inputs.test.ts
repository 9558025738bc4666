import { describe, expect, it } from 'vitest';
import { checkSearch } from '../../src/resolvers/validate.js';
import { resolveSince } from '../../src/subscriptions/live.js';

describe('subscription inputs', () => {
  it('since is an event cursor or an ISO 8601 time, with the same date rules as DateTime', () => {
    expect(resolveSince(undefined)).toBeNull();
    expect(resolveSince('1795251880787-1')).toBe('1795251880787-1');
    expect(resolveSince('2026-11-21T00:00:00Z')).toBe(`${Date.parse('2026-11-21T00:00:00Z') - 1}-999999999999999`);
    expect(resolveSince('2026-11-21')).toBe(`${Date.parse('2026-11-21T00:00:00Z') - 1}-999999999999999`);
    for (const bad of ['2026-02-30', '2026-11-21T24:00:00Z', '2026-11-21T09:00:00', 'yesterday', '12-x']) {
      expect(() => resolveSince(bad), bad).toThrowError(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'since' }) }),
      );
    }
  });

  it('search is trimmed and 1 to 200 characters, for lists and subscriptions alike', () => {
    expect(checkSearch(null)).toBeNull();
    expect(checkSearch('  password ')).toBe('password');
    expect(checkSearch(` ${'x'.repeat(200)} `)).toHaveLength(200);
    for (const bad of ['', '   ', 'x'.repeat(201)]) {
      expect(() => checkSearch(bad)).toThrowError(expect.objectContaining({ extensions: expect.objectContaining({ field: 'filter.search' }) }));
    }
  });
});
