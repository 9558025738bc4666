/**
 * CxoneStream's batches belong to one export (one search and its scroll). Export positions only
 * mean something within one export, so a page cached by another listing of the same query must
 * never stand in for this export's pages: mixing them made a filtered list promise a next page that
 * came back empty (8 pages for 7 conversations, the EndUser.conversations failure of 2026-12-02).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatchCache } from '../../../src/providers/cxone/cache.js';
import type { CxoneClient, ExportPage } from '../../../src/providers/cxone/client.js';
import { mapConversation } from '../../../src/providers/cxone/mapper.js';
import { CxoneStream } from '../../../src/providers/cxone/stream.js';
import { cxConversationSchema } from '../../../src/providers/cxone/types.js';
import type { ConversationModel } from '../../../src/models.js';

const example = (
  JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8')) as {
    data: unknown[];
  }
).data[0];

function conversation(i: number, customer: string): ConversationModel {
  const raw = cxConversationSchema.parse({
    ...(example as object),
    conversationId: `c${i}`,
    timestamp: 1_000_000 - i * 1000,
    lastMessageAt: 1_000_000 - i * 1000,
    customer: { id: customer, name: customer },
    tracker: { ...(example as { tracker: object }).tracker, name: `7-c${i}` },
  });
  return mapConversation(raw, { botId: '7', now: 1_000_000 });
}

/** An export of `items` that pages by the perPage of its search, scroll ids `<n>:<offset>`. */
function fakeClient(items: ConversationModel[]) {
  const calls: string[] = [];
  let searches = 0;
  const perPageOf = new Map<number, number>();
  const page = (n: number, offset: number): ExportPage => {
    const per = perPageOf.get(n) as number;
    const data = items.slice(offset, offset + per);
    const hasNext = offset + data.length < items.length;
    return { items: data, total: items.length, nextScrollId: `${n}:${offset + data.length}`, hasNext };
  };
  const client = {
    batches: new BatchCache(),
    async botIdOf(key: string) {
      return key;
    },
    async search(_token: string, _query: string, perPage: number) {
      calls.push(`search ${perPage}`);
      searches += 1;
      perPageOf.set(searches, perPage);
      return page(searches, 0);
    },
    async scroll(_token: string, scrollId: string) {
      calls.push(`scroll ${scrollId}`);
      const [n, offset] = scrollId.split(':').map(Number) as [number, number];
      return page(n, offset);
    },
  };
  return { client: client as unknown as CxoneClient, calls };
}

const items = Array.from({ length: 40 }, (_, i) => conversation(i, i === 3 || i === 10 || i === 25 ? 'alice' : `c${i}`));

describe('CxoneStream: batches are per export', () => {
  it('a filtered stream reads its own export, not batches another listing cached, and ends on its last match', async () => {
    const { client, calls } = fakeClient(items);
    // Another listing of the same (empty) upstream query, in pages of 7: batches 0-6, 7-13, …, 35-39.
    const other = new CxoneStream({ client, tokenKey: '7', query: { upstream: '', local: null }, botNativeIds: null, prime: () => {} });
    let chunk = await other.fetch(0, 7, null);
    for (let i = 0; i < 5; i++) chunk = await other.fetch(7 * (i + 1), 7, chunk.state);
    expect(chunk.done).toBe(true);
    expect(calls).toEqual(['search 7', 'scroll 1:7', 'scroll 1:14', 'scroll 1:21', 'scroll 1:28', 'scroll 1:35']);

    // Alice's conversations, one a page: her stream reads one page of 200 (the whole export) once.
    calls.length = 0;
    const alice = new CxoneStream({
      client,
      tokenKey: '7',
      query: { upstream: '', local: (c) => c.endUserNativeId === 'alice' },
      botNativeIds: null,
      prime: () => {},
    });
    const first = await alice.fetch(0, 1, null);
    expect(first.items.map((c) => c.nativeId)).toEqual(['c3']);
    expect(first.done).toBe(false);
    const second = await alice.fetch(first.offsets![0]! + 1, 1, first.state);
    expect(second.items.map((c) => c.nativeId)).toEqual(['c10']);
    expect(second.done).toBe(false);
    const third = await alice.fetch(second.offsets![0]! + 1, 1, second.state);
    expect(third.items.map((c) => c.nativeId)).toEqual(['c25']);
    // Nothing after position 25 of her export matches, and all of it is cached: done, so the list
    // says hasNextPage: false on the page that holds her last conversation. (Read from the other
    // listing's batch 21-27, which is not its export's last, it could not know that.)
    expect(third.done).toBe(true);
    expect(calls).toEqual(['search 200']);
  });
});
