import { describe, it, expect } from 'vitest';
import { BatchCache } from '../../../src/providers/cxone/cache.js';
import { nextScrollId, quoteQueryValue } from '../../../src/providers/cxone/client.js';
import { compileQuery } from '../../../src/providers/cxone/stream.js';
import type { ConversationModel } from '../../../src/models.js';

describe('compileQuery', () => {
  it('sends the date filters and the search upstream, exactly', () => {
    const q = compileQuery({
      createdFrom: new Date(1_700_000_000_000),
      createdTo: new Date(1_700_000_100_000),
      updatedFrom: new Date(1_700_000_050_000),
      updatedTo: new Date(1_700_000_060_000),
      search: '  refund  ',
    });
    expect(q.upstream).toBe(
      'datetime >= 1700000000000 AND datetime <= 1700000100000 AND lastmessageat >= 1700000050000 AND lastmessageat <= 1700000060000 AND text ~ "refund"',
    );
    expect(q.local).toBeNull();
    expect(compileQuery({}).upstream).toBe('');
    expect(compileQuery({ statuses: ['ACTIVE', 'WITH_OPERATOR', 'COMPLETED', 'INTERRUPTED', 'UNKNOWN'] }).local).toBeNull();
  });

  it('filters statuses and the end user locally, narrowing by handover where exact', () => {
    const m = (status: ConversationModel['status'], endUser = 'u') => ({ status, endUserNativeId: endUser }) as ConversationModel;
    const operator = compileQuery({ statuses: ['WITH_OPERATOR'] });
    expect(operator.upstream).toBe('action = handover');
    expect(operator.local?.(m('WITH_OPERATOR'))).toBe(true);
    expect(operator.local?.(m('COMPLETED'))).toBe(false);
    expect(compileQuery({ statuses: ['ACTIVE', 'INTERRUPTED'] }).upstream).toBe('action != handover');
    // COMPLETED conversations may have had a handover that an agent closed.
    expect(compileQuery({ statuses: ['COMPLETED', 'ACTIVE'] }).upstream).toBe('');
    const user = compileQuery({ endUserNativeId: 'Anne Shirley', statuses: ['ACTIVE'] });
    expect(user.local?.(m('ACTIVE', 'Anne Shirley'))).toBe(true);
    expect(user.local?.(m('ACTIVE', 'Gilbert'))).toBe(false);
    expect(user.local?.(m('INTERRUPTED', 'Anne Shirley'))).toBe(false);
  });

  it('quotes search values so that quotes, backslashes and keywords stay data', () => {
    expect(quoteQueryValue('say "hi" \\ OR x')).toBe('"say \\"hi\\" \\\\ OR x"');
    expect(compileQuery({ search: 'a"b' }).upstream).toBe('text ~ "a\\"b"');
  });
});

describe('nextScrollId', () => {
  it('prefers scroll_id, else reads scrollId or scroll_id from next_page_url', () => {
    expect(nextScrollId({ data: [], scroll_id: 'S1', next_page_url: 'https://x/api?scrollId=S2' })).toBe('S1');
    expect(nextScrollId({ data: [], next_page_url: 'https://x/api/public/conversations?scrollId=S2' })).toBe('S2');
    expect(nextScrollId({ data: [], next_page_url: 'https://x/api/public/conversations?scroll_id=S3' })).toBe('S3');
    expect(nextScrollId({ data: [], next_page_url: null })).toBeNull();
    expect(nextScrollId({ data: [], next_page_url: 'not a url' })).toBeNull();
  });
});

describe('BatchCache', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ nativeId: String(i) }) as ConversationModel);

  it('finds the batch holding an offset, and the end of a finished export', () => {
    const cache = new BatchCache();
    cache.put('p', { start: 0, items: items(10), nextScrollId: 's', done: false, total: 15 });
    cache.put('p', { start: 10, items: items(5), nextScrollId: null, done: true, total: 15 });
    expect(cache.find('p', 3)?.start).toBe(0);
    expect(cache.find('p', 10)?.start).toBe(10);
    expect(cache.find('p', 15)?.done).toBe(true);
    expect(cache.find('p', 16)).toBeUndefined();
    expect(cache.find('other', 3)).toBeUndefined();
  });

  it('expires batches after the TTL and evicts the least recently used beyond maxItems', () => {
    let now = 0;
    const cache = new BatchCache({ ttlMs: 100, maxItems: 20, now: () => now });
    cache.put('p', { start: 0, items: items(10), nextScrollId: 's', done: false, total: null });
    cache.put('p', { start: 10, items: items(10), nextScrollId: 's', done: false, total: null });
    expect(cache.find('p', 0)).toBeDefined(); // now the most recently used
    cache.put('p', { start: 20, items: items(10), nextScrollId: 's', done: false, total: null });
    expect(cache.find('p', 12)).toBeUndefined();
    expect(cache.find('p', 5)).toBeDefined();
    now = 150;
    expect(cache.find('p', 5)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
