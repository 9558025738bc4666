import type { ConversationModel } from '../../models.js';

/**
 * A page of the export as fetched: the conversations at export positions `start …`, and how to go
 * on from its end.
 */
export interface Batch {
  start: number;
  items: ConversationModel[];
  /** The scroll id that fetches the page after this one; null when the export ended. */
  nextScrollId: string | null;
  /** True when nothing follows this batch in the export. */
  done: boolean;
  /** The export's total for the query, as the vendor reported it. */
  total: number | null;
  /** botgraph's id of the export (one search and its scroll) the batch belongs to. */
  exportId?: string;
}

export interface BatchCacheOptions {
  /**
   * How long a batch stays usable, in ms. Shorter than the vendor's scroll lifetime (a few minutes),
   * so that a batch never outlives the scroll it continues. @default 60000
   */
  ttlMs?: number;
  /** The most conversations kept over all batches; the least recently used batches go first. @default 2000 */
  maxItems?: number;
  /** @default Date.now */
  now?: () => number;
  /** Told whether each `find` hit (metrics: `botgraph_cache_hits_total{cache="cxone_batches"}`). @default none */
  onLookup?: (hit: boolean) => void;
}

interface Entry {
  prefix: string;
  batch: Batch;
  expiresAt: number;
}

/**
 * Process-wide cache of recently fetched export pages, keyed by stream (bot + query + export) and offset.
 *
 * Why: the merge reads a few items ahead of what it hands out, so the next GraphQL page often resumes
 * at an offset *behind* the scroll's position. A scroll cannot be rewound (an Elasticsearch scroll
 * only moves forward), so without this the stream would have to restart the export and skip ahead.
 */
export class BatchCache {
  private readonly entries = new Map<string, Entry>();
  private items = 0;
  private readonly ttlMs: number;
  private readonly maxItems: number;
  private readonly now: () => number;
  private readonly onLookup: ((hit: boolean) => void) | undefined;

  constructor(options: BatchCacheOptions = {}) {
    this.onLookup = options.onLookup;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxItems = options.maxItems ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  put(prefix: string, batch: Batch): void {
    const key = `${prefix}\u0000${batch.start}`;
    this.remove(key);
    this.entries.set(key, { prefix, batch, expiresAt: this.now() + this.ttlMs });
    this.items += batch.items.length;
    for (const [oldest] of this.entries) {
      if (this.items <= this.maxItems || this.entries.size <= 1) break;
      this.remove(oldest);
    }
  }

  /**
   * The batch holding export position `offset`, or the batch that ends exactly there when nothing
   * follows it (so that "the end" is answered without a call).
   */
  find(prefix: string, offset: number): Batch | undefined {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.remove(key);
        continue;
      }
      if (entry.prefix !== prefix) continue;
      const { start, items, done } = entry.batch;
      const end = start + items.length;
      if ((offset >= start && offset < end) || (done && offset === end)) {
        // Refresh its place in the LRU order.
        this.entries.delete(key);
        this.entries.set(key, entry);
        this.onLookup?.(true);
        return entry.batch;
      }
    }
    this.onLookup?.(false);
    return undefined;
  }

  clear(): void {
    this.entries.clear();
    this.items = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.items -= entry.batch.items.length;
  }
}
