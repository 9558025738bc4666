/**
 * How a Bot.one listing reads its pages (src/providers/botone/stream.ts, `read`): page 1, then the
 * others in parallel; a later listing of the same upstream filter sends the pages the last one had
 * together with page 1, and page 1 stays the authority on how many there are. The client is a
 * recording one whose answers the test releases, so the order of calls and answers is exact.
 */
import { describe, expect, it } from 'vitest';
import { BotoneClient, MAX_PAGE_SIZE, type BotonePage, type BotonePageRequest } from '../../../src/providers/botone/client.js';
import type { Attribution } from '../../../src/providers/botone/mapper.js';
import { BotoneStream, SnapshotCache } from '../../../src/providers/botone/stream.js';
import { BotgraphError, ErrorCode } from '../../../src/errors.js';
import { conversation } from '../../helpers/models.js';

const ATTRIBUTION: Attribution = { botNativeId: '1446', idScope: ['1446'] };

/** A list of `total` conversations whose pages are answered when the test says so. */
class HeldPagesClient extends BotoneClient {
  /** `call N` when page N is asked for, `answer N` when the test releases it. */
  readonly log: string[] = [];
  total: number;
  /** Pages past the end, or named here, fail instead of answering. */
  failing = new Set<number>();
  private readonly held = new Map<number, () => void>();

  constructor(total: number) {
    super({ config: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', apiVersion: 'v2', botIds: ['1446'] } });
    this.total = total;
  }

  override listConversations(request: BotonePageRequest): Promise<BotonePage> {
    const page = request.page;
    this.log.push(`call ${page}`);
    const total = this.total;
    return new Promise<BotonePage>((resolve, reject) => {
      this.held.set(page, () => {
        this.held.delete(page);
        this.log.push(`answer ${page}`);
        if (this.failing.has(page)) {
          reject(new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, 'BOTONE is unavailable (HTTP 503).', { provider: 'BOTONE' }));
          return;
        }
        const from = (page - 1) * MAX_PAGE_SIZE;
        const items = Array.from({ length: Math.max(0, Math.min(MAX_PAGE_SIZE, total - from)) }, (_, i) =>
          conversation({
            provider: 'BOTONE',
            nativeId: `c${from + i}`,
            title: `#${from + i} Perm`,
            updatedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, from + i)),
          }),
        );
        resolve({ items, total, page, pageSize: MAX_PAGE_SIZE });
      });
    });
  }

  /** Answers every page asked for and not answered yet, page 1 first, until the read settles. */
  async answerAll(read: Promise<unknown>): Promise<void> {
    let settled = false;
    void read.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      const next = [...this.held.keys()].sort((a, b) => a - b)[0];
      if (next !== undefined) this.held.get(next)!();
      await new Promise((r) => setImmediate(r));
    }
  }

  answer(page: number): void {
    this.held.get(page)!();
  }
}

function streamOf(client: HeldPagesClient, cache: SnapshotCache): BotoneStream {
  return new BotoneStream({
    key: 'BOTONE:1446',
    client,
    cache,
    upstream: { botId: '1446' },
    statuses: null,
    attribution: ATTRIBUTION,
    prime: () => undefined,
  });
}

/** Reads a new listing to its end and returns the ids, newest first. */
async function listing(client: HeldPagesClient, cache: SnapshotCache): Promise<string[]> {
  const read = streamOf(client, cache).fetch(0, 1_000, null);
  await client.answerAll(read);
  return (await read).items.map((c) => c.nativeId);
}

const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `c${n - 1 - i}`);
const tick = () => new Promise((r) => setImmediate(r));

describe('Bot.one list pages', () => {
  it('a first listing asks for page 1, then for the others once page 1 said how many there are', async () => {
    const client = new HeldPagesClient(2 * MAX_PAGE_SIZE + 5);
    const cache = new SnapshotCache();
    expect(await listing(client, cache)).toEqual(idsOf(2 * MAX_PAGE_SIZE + 5));
    expect(client.log).toEqual(['call 1', 'answer 1', 'call 2', 'call 3', 'answer 2', 'answer 3']);
  });

  it('a later listing of the same filter asks for every page with page 1: one round trip', async () => {
    const client = new HeldPagesClient(2 * MAX_PAGE_SIZE + 5);
    const cache = new SnapshotCache();
    await listing(client, cache);
    client.log.length = 0;

    const read = streamOf(client, cache).fetch(0, 1_000, null);
    await tick();
    // All three asked for before any answer: pages 2 and 3 no longer wait for page 1.
    expect(client.log).toEqual(['call 1', 'call 2', 'call 3']);
    await client.answerAll(read);
    expect((await read).items.map((c) => c.nativeId)).toEqual(idsOf(2 * MAX_PAGE_SIZE + 5));
    expect(client.log.filter((e) => e.startsWith('call'))).toHaveLength(3);
  });

  it('a list that grew: the pages page 1 names beyond the guess are read after it', async () => {
    const client = new HeldPagesClient(MAX_PAGE_SIZE + 1);
    const cache = new SnapshotCache();
    await listing(client, cache);
    client.total = 3 * MAX_PAGE_SIZE + 1;
    client.log.length = 0;

    expect(await listing(client, cache)).toEqual(idsOf(3 * MAX_PAGE_SIZE + 1));
    expect(client.log).toEqual(['call 1', 'call 2', 'answer 1', 'call 3', 'call 4', 'answer 2', 'answer 3', 'answer 4']);
    // And the next listing guesses the new count.
    client.log.length = 0;
    const read = streamOf(client, cache).fetch(0, 1_000, null);
    await tick();
    expect(client.log).toEqual(['call 1', 'call 2', 'call 3', 'call 4']);
    await client.answerAll(read);
    await read;
  });

  it('a list that shrank: a guessed page past the end is dropped, failing or not, once it ended', async () => {
    const client = new HeldPagesClient(3 * MAX_PAGE_SIZE);
    const cache = new SnapshotCache();
    await listing(client, cache);
    client.total = MAX_PAGE_SIZE - 10;
    client.failing.add(3);
    client.log.length = 0;

    const read = streamOf(client, cache).fetch(0, 1_000, null);
    await tick();
    expect(client.log).toEqual(['call 1', 'call 2', 'call 3']);
    let ended = false;
    void read.finally(() => (ended = true));
    client.answer(1);
    await tick();
    // Page 1 decides; the read still waits for the guessed pages (no call outlives a listing).
    expect(ended).toBe(false);
    client.answer(2);
    client.answer(3);
    // Page 3's failure is nobody's: the items are the list page 1 describes.
    expect((await read).items.map((c) => c.nativeId)).toEqual(idsOf(MAX_PAGE_SIZE - 10));
    expect(client.log.slice(3)).toEqual(['answer 1', 'answer 2', 'answer 3']);
  });

  it('a guessed page that exists and fails fails the listing, as a page read after page 1 would, and the count is forgotten', async () => {
    const client = new HeldPagesClient(2 * MAX_PAGE_SIZE);
    const cache = new SnapshotCache();
    await listing(client, cache);
    client.failing.add(2);
    const read = streamOf(client, cache).fetch(0, 1_000, null);
    await client.answerAll(read);
    await expect(read).rejects.toMatchObject({ code: ErrorCode.PROVIDER_UNAVAILABLE });

    // The failure forgot the count: the next listing asks for page 1 alone, as a first one does.
    client.failing.clear();
    client.log.length = 0;
    expect(await listing(client, cache)).toEqual(idsOf(2 * MAX_PAGE_SIZE));
    expect(client.log).toEqual(['call 1', 'answer 1', 'call 2', 'answer 2']);
  });

  it('another upstream filter has its own count', async () => {
    const client = new HeldPagesClient(2 * MAX_PAGE_SIZE);
    const cache = new SnapshotCache();
    await listing(client, cache);
    client.log.length = 0;
    const other = new BotoneStream({
      key: 'BOTONE:1446',
      client,
      cache,
      upstream: { botId: '1446', createdFrom: new Date('2024-01-01T00:00:00Z') },
      statuses: null,
      attribution: ATTRIBUTION,
      prime: () => undefined,
    });
    const read = other.fetch(0, 1_000, null);
    await tick();
    expect(client.log).toEqual(['call 1']);
    await client.answerAll(read);
    await read;
  });
});
