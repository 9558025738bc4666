import { describe, expect, it } from 'vitest';
import { compareKeysets, indexAfter, keysetOf } from '../../src/datasources/base.js';
import type { ConversationStream, StreamChunk } from '../../src/datasources/types.js';
import { BotgraphError, ErrorCode } from '../../src/errors.js';
import type { ConversationModel, ProviderName } from '../../src/models.js';
import { mergeConversations } from '../../src/pagination/merge.js';
import { conversation as model } from '../helpers/models.js';

function conversation(provider: ProviderName, nativeId: string, updatedAt: number | null): ConversationModel {
  return model({ provider, nativeId, updatedAt: updatedAt === null ? null : new Date(updatedAt) });
}

/** An in-memory stream that records every fetch, so tests can assert how little the merge reads. */
function stream(key: string, items: ConversationModel[], options: { keep?: (c: ConversationModel) => boolean } = {}) {
  const calls: { offset: number; limit: number }[] = [];
  let failing: BotgraphError | null = null;
  const s: ConversationStream & { calls: typeof calls; fail(e: BotgraphError | null): void } = {
    key,
    calls,
    fail(e) {
      failing = e;
    },
    async fetch(offset, limit): Promise<StreamChunk> {
      calls.push({ offset, limit });
      if (failing) throw failing;
      if (!options.keep) {
        const slice = items.slice(offset, offset + limit);
        return { items: slice, total: items.length, done: offset + slice.length >= items.length, state: null };
      }
      // A stream that filters on our side: offsets are vendor positions.
      const out: ConversationModel[] = [];
      const offsets: number[] = [];
      let i = offset;
      for (; i < items.length && out.length < limit; i++) {
        if (options.keep(items[i]!)) {
          out.push(items[i]!);
          offsets.push(i);
        }
      }
      return { items: out, offsets, total: null, done: i >= items.length, state: null };
    },
    async count() {
      return options.keep ? items.filter(options.keep).length : items.length;
    },
  };
  return s;
}

async function pageAll(streams: ConversationStream[], first: number) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await mergeConversations({ streams, first, after, queryKey: 'q', onStreamError: () => {} });
    seen.push(...page.edges.map((e) => `${e.node.provider}:${e.node.nativeId}`));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return seen;
}

describe('mergeConversations', () => {
  const a = stream(
    'A',
    [50, 40, 30, 20, 10].map((t, i) => conversation('CLOSER', `a${i}`, t)),
  );
  const b = stream(
    'B',
    [45, 35, 5].map((t, i) => conversation('BOTONE', `b${i}`, t)),
  );
  const c = stream(
    'C',
    [60, 1, null].map((t, i) => conversation('CXONE', `c${i}`, t)),
  );

  it('yields every conversation once, newest updatedAt first, across pages of any size', async () => {
    const expected = ['c0', 'a0', 'b0', 'a1', 'b1', 'a2', 'a3', 'a4', 'b2', 'c1', 'c2'];
    for (const first of [1, 2, 3, 4, 7, 11, 50]) {
      const seen = await pageAll([a, b, c], first);
      expect(seen.map((s) => s.split(':')[1])).toEqual(expected);
    }
  });

  it('reports the sum of the stream totals', async () => {
    const page = await mergeConversations({ streams: [a, b, c], first: 2, after: null, queryKey: 'q', onStreamError: () => {} });
    expect(await page.totalCount()).toBe(11);
  });

  it('does not read a stream whose head is older than the whole page', async () => {
    const old = stream('OLD', [conversation('CXONE', 'old0', 1), conversation('CXONE', 'old1', 0)]);
    const fresh = stream(
      'FRESH',
      [100, 99, 98, 97, 96, 95].map((t, i) => conversation('CLOSER', `f${i}`, t)),
    );
    const page1 = await mergeConversations({ streams: [fresh, old], first: 2, after: null, queryKey: 'q', onStreamError: () => {} });
    expect(old.calls).toHaveLength(1); // the first page must learn every head
    old.calls.length = 0;
    fresh.calls.length = 0;
    await mergeConversations({ streams: [fresh, old], first: 2, after: page1.pageInfo.endCursor, queryKey: 'q', onStreamError: () => {} });
    expect(old.calls).toHaveLength(0);
    expect(fresh.calls.length).toBeGreaterThan(0);
  });

  it('resumes a locally filtered stream from the vendor offset after the last item it gave', async () => {
    const items = Array.from({ length: 10 }, (_, i) => conversation('BOTONE', `x${i}`, 100 - i));
    const filtered = stream('F', items, { keep: (c) => Number(c.nativeId.slice(1)) % 3 === 0 });
    const seen = await pageAll([filtered], 1);
    expect(seen).toEqual(['BOTONE:x0', 'BOTONE:x3', 'BOTONE:x6', 'BOTONE:x9']);
    const page = await mergeConversations({ streams: [filtered], first: 1, after: null, queryKey: 'q', onStreamError: () => {} });
    expect(await page.totalCount()).toBe(4);
  });

  it('leaves a failing stream out, reports it, and picks it up again on the next page', async () => {
    const good = stream(
      'G',
      [30, 20, 10].map((t, i) => conversation('CLOSER', `g${i}`, t)),
    );
    const bad = stream(
      'BAD',
      [25, 15].map((t, i) => conversation('CXONE', `h${i}`, t)),
    );
    const failure = new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, 'CXONE is unavailable (HTTP 503).', { provider: 'CXONE' });
    bad.fail(failure);
    const errors: BotgraphError[] = [];
    const page = await mergeConversations({ streams: [good, bad], first: 2, after: null, queryKey: 'q', onStreamError: (_s, e) => errors.push(e) });
    expect(page.edges.map((e) => e.node.nativeId)).toEqual(['g0', 'g1']);
    expect(errors).toEqual([failure]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    bad.fail(null);
    const next = await mergeConversations({
      streams: [good, bad],
      first: 10,
      after: page.pageInfo.endCursor,
      queryKey: 'q',
      onStreamError: () => {},
    });
    expect(next.edges.map((e) => e.node.nativeId)).toEqual(['h0', 'h1', 'g2']);
  });

  it('rejects a cursor from another query or a made-up one', async () => {
    const page = await mergeConversations({ streams: [a], first: 1, after: null, queryKey: 'q1', onStreamError: () => {} });
    await expect(
      mergeConversations({ streams: [a], first: 1, after: page.pageInfo.endCursor, queryKey: 'q2', onStreamError: () => {} }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    for (const bogus of ['nope', 'eyJrIjoiY29udmVyc2F0aW9ucyJ9', '%%%']) {
      await expect(mergeConversations({ streams: [a], first: 1, after: bogus, queryKey: 'q1', onStreamError: () => {} })).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
  });

  it('answers first: 0 with no edges but a total', async () => {
    const page = await mergeConversations({ streams: [a, b], first: 0, after: null, queryKey: 'q', onStreamError: () => {} });
    expect(page.edges).toEqual([]);
    expect(await page.totalCount()).toBe(8);
  });
});

describe('mergeConversations: keyset streams under live writes', () => {
  const tie = (c: ConversationModel) => c.nativeId;
  /** A live keyset stream over a list that changes (`updatedAt` descending, then id descending). */
  function live(key: string, items: ConversationModel[], options: { snapshot?: string } = {}) {
    const calls: Array<{ after: unknown; since: unknown }> = [];
    const order = () => [...items].sort((a, b) => compareKeysets(keysetOf(a, tie), keysetOf(b, tie)));
    const s: ConversationStream & { calls: typeof calls } = {
      key,
      calls,
      tieKey: tie,
      async fetch(offset, limit, _state, position): Promise<StreamChunk> {
        calls.push({ after: position?.after ?? null, since: position?.since ?? null });
        let list = order();
        const since = position?.since;
        if (since) list = list.filter((c) => c.updatedAt!.getTime() >= since.updatedFrom && c.createdAt!.getTime() <= (since.createdTo ?? Infinity));
        const after = position?.after;
        const start = after ? indexAfter(list, after, (c) => keysetOf(c, tie)) : offset;
        const out = list.slice(start, start + limit);
        return {
          items: out,
          total: list.length,
          done: start + out.length >= list.length,
          state: null,
          ...(options.snapshot ? { snapshot: options.snapshot } : {}),
        };
      },
      async count() {
        return items.length;
      },
    };
    return s;
  }
  const made = (n: number) =>
    Array.from({ length: n }, (_, i) => conversation('CLOSER', `c${String(i).padStart(3, '0')}`, 1000 - i)).map((c) => ({
      ...c,
      createdAt: new Date(0),
    }));

  it('lists a conversation that moved to the top before the list reached it once, in a catch-up round', async () => {
    const items = made(30);
    const stream = live('L', items);
    const seen: string[] = [];
    let after: string | null = null;
    let clock = 2000;
    for (let page = 0; page < 50; page++) {
      const result = await mergeConversations({ streams: [stream], first: 7, after, queryKey: 'q', onStreamError: () => {} });
      seen.push(...result.edges.map((e) => e.node.nativeId));
      // Between pages: the oldest conversation not listed yet moves to the top; a listed one too.
      const unlisted = [...items].reverse().find((c) => !seen.includes(c.nativeId));
      if (unlisted) unlisted.updatedAt = new Date(clock++);
      const listed = items.find((c) => c.nativeId === seen[0]);
      if (listed) listed.updatedAt = new Date(clock++);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    // Catch-up reads carry `since`; they start at the stream's first head (1000).
    expect(stream.calls.some((c) => (c.since as { updatedFrom: number } | null)?.updatedFrom === 1000)).toBe(true);
  });

  it('a stream read from one snapshot needs no catch-up: no read with `since`', async () => {
    const stream = live('S', made(20), { snapshot: 'one' });
    const seen = await pageAll([stream], 6);
    expect(seen).toHaveLength(20);
    expect(stream.calls.every((c) => c.since === null)).toBe(true);
  });

  it('a live stream that did not change costs one catch-up read at its end, and no empty page', async () => {
    const stream = live('Q', made(12));
    const pages: number[] = [];
    let after: string | null = null;
    for (;;) {
      const result = await mergeConversations({ streams: [stream], first: 4, after, queryKey: 'q', onStreamError: () => {} });
      pages.push(result.edges.length);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(pages).toEqual([4, 4, 4]);
    expect(stream.calls.filter((c) => c.since !== null)).toHaveLength(1);
  });
});
