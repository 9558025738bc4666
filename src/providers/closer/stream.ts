/**
 * One CLOSER conversation list as a merge stream (the same shape as every vendor's: a class in
 * `stream.ts` built from an options object). Every filter runs at CLOSER, so the vendor's order and
 * total are the stream's: offsets are positions in the vendor list and `total` is exact.
 */
import type { ListMemo } from '../../datasources/base.js';
import type { ConversationStream, StreamChunk } from '../../datasources/types.js';
import type { ConversationModel } from '../../models.js';
import type { CloserClient, CloserConversationFilter } from './client.js';

export interface CloserStreamOptions {
  /** `CLOSER` or `CLOSER:<status group>`: goes into cursors. */
  key: string;
  filter: CloserConversationFilter;
  client: CloserClient;
  /** The request's list memo: a page asked twice costs one call. */
  lists: ListMemo;
  /**
   * Primes the by-id loaders with a page, unless a write happened while it was read (then the page
   * answers its own caller, but may be stale for anyone else). `generation` counts writes.
   */
  generation(): number;
  prime(items: ConversationModel[]): void;
}

export class CloserStream implements ConversationStream {
  readonly key: string;

  constructor(private readonly options: CloserStreamOptions) {
    this.key = options.key;
  }

  private listKey(...parts: unknown[]): string {
    return JSON.stringify([this.key, this.options.filter, ...parts]);
  }

  async fetch(offset: number, limit: number): Promise<StreamChunk> {
    const { client, filter, lists } = this.options;
    const generation = this.options.generation();
    const slice = await lists.get(this.listKey('fetch', offset, limit), () => client.listConversations(filter, offset, limit));
    if (generation === this.options.generation()) this.options.prime(slice.items);
    return {
      items: slice.items,
      total: slice.total,
      done: slice.items.length === 0 || offset + slice.items.length >= slice.total,
      state: null,
    };
  }

  async count(): Promise<number> {
    const { client, filter, lists } = this.options;
    const page = await lists.get(this.listKey('count'), () => client.conversationsPage(filter, 1, 1));
    return page.total;
  }
}
