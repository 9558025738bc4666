/**
 * The incremental aggregates: per conversation stream and UTC day of `createdAt`, the summaries of
 * every conversation created that day, read once from the vendor (the backfill) and kept current by
 * events. In memory, or in Redis hashes (`botgraph:stats:<stream>:<day>`) so replicas share them.
 */
import type { Redis } from 'ioredis';
import type { ConvSummary } from './types.js';
import { utcDay } from './time.js';

export interface Segment {
  /** When the backfill read it (epoch ms). A day already over when read is never read again. */
  fetchedAt: number;
  items: ConvSummary[];
}

export interface SegmentStore {
  /** The stored segments of `stream` among `days`. */
  get(stream: string, days: number[]): Promise<Map<number, Segment>>;
  /** Replaces a day's segment with a complete backfill. */
  put(stream: string, day: number, items: ConvSummary[], fetchedAt: number): Promise<void>;
  /**
   * A changed (or new) conversation: written into its stream's segment of its day when that
   * segment is stored, and removed from the same day of `otherStreams` (Bot.one `goto` moves a
   * conversation between bots' streams). Returns whether a stored segment took it.
   */
  upsert(summary: ConvSummary, otherStreams: string[]): Promise<boolean>;
  close(): Promise<void>;
}

export class MemorySegmentStore implements SegmentStore {
  private readonly segments = new Map<string, { fetchedAt: number; items: Map<string, ConvSummary> }>();

  async get(stream: string, days: number[]): Promise<Map<number, Segment>> {
    const out = new Map<number, Segment>();
    for (const day of days) {
      const seg = this.segments.get(`${stream}|${day}`);
      if (seg) out.set(day, { fetchedAt: seg.fetchedAt, items: [...seg.items.values()] });
    }
    return out;
  }

  async put(stream: string, day: number, items: ConvSummary[], fetchedAt: number): Promise<void> {
    this.segments.set(`${stream}|${day}`, { fetchedAt, items: new Map(items.map((i) => [i.id, i])) });
  }

  async upsert(summary: ConvSummary, otherStreams: string[]): Promise<boolean> {
    const day = utcDay(summary.c);
    for (const other of otherStreams) if (other !== summary.s) this.segments.get(`${other}|${day}`)?.items.delete(summary.id);
    const seg = this.segments.get(`${summary.s}|${day}`);
    if (!seg) return false;
    seg.items.set(summary.id, summary);
    return true;
  }

  async close(): Promise<void> {
    this.segments.clear();
  }
}

/** How long Redis keeps a segment nobody read: a day read again after that is still correct. @default 30 days */
const REDIS_TTL_S = 30 * 86_400;
const META = '~at';

/** Writes the field only into a segment that exists (its meta field is set), atomically. */
const UPSERT = `if redis.call('HEXISTS', KEYS[1], '${META}') == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0`;

export class RedisSegmentStore implements SegmentStore {
  constructor(private readonly redis: Redis) {}

  private key(stream: string, day: number): string {
    return `botgraph:stats:${stream}:${day}`;
  }

  async get(stream: string, days: number[]): Promise<Map<number, Segment>> {
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.key(stream, day));
    const results = (await pipeline.exec()) ?? [];
    const out = new Map<number, Segment>();
    days.forEach((day, i) => {
      const [error, hash] = results[i] ?? [null, null];
      if (error || !hash) return;
      const fields = hash as Record<string, string>;
      if (fields[META] === undefined) return;
      const items: ConvSummary[] = [];
      for (const [field, value] of Object.entries(fields)) if (field !== META) items.push(JSON.parse(value) as ConvSummary);
      out.set(day, { fetchedAt: Number(fields[META]), items });
    });
    return out;
  }

  async put(stream: string, day: number, items: ConvSummary[], fetchedAt: number): Promise<void> {
    const key = this.key(stream, day);
    const fields: string[] = [META, String(fetchedAt)];
    for (const item of items) fields.push(item.id, JSON.stringify(item));
    await this.redis
      .multi()
      .del(key)
      .hset(key, ...fields)
      .expire(key, REDIS_TTL_S)
      .exec();
  }

  async upsert(summary: ConvSummary, otherStreams: string[]): Promise<boolean> {
    const day = utcDay(summary.c);
    const pipeline = this.redis.pipeline();
    for (const other of otherStreams) if (other !== summary.s) pipeline.hdel(this.key(other, day), summary.id);
    pipeline.eval(UPSERT, 1, this.key(summary.s, day), summary.id, JSON.stringify(summary));
    const results = (await pipeline.exec()) ?? [];
    const last = results.at(-1);
    return last?.[1] === 1;
  }

  async close(): Promise<void> {}
}
