import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { deserialize, serialize } from '../serialize.js';
import { DEDUPE_WINDOW_MS, type BotgraphEvent, type EventBus, type LoggedEvent } from './bus.js';

export interface RedisEventBusOptions {
  /** The stream that holds the log. @default 'botgraph:events' */
  stream?: string;
  /** About how many events the stream keeps for resuming clients. @default 100000 */
  maxLen?: number;
  logger?: Logger;
}

const PUBLISH_ONCE = `if redis.call('set', KEYS[1], '1', 'PX', ARGV[1], 'NX') then
  return redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
end
return false`;

/**
 * The bus shared by replicas: a Redis Stream is both the broker and the log. Every replica reads it
 * with a blocking XREAD from its own last id, so each sees every event once and in one order, and
 * a client that reconnects to another replica resumes from the same ids (XRANGE). Dedupe keys are
 * `SET NX PX`, so a change seen by two replicas, or by a webhook and a poll, is logged once.
 */
export class RedisEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private readonly reader: Redis;
  private readonly stream: string;
  private readonly maxLen: number;
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisEventBusOptions = {},
  ) {
    this.emitter.setMaxListeners(0);
    this.stream = options.stream ?? 'botgraph:events';
    this.maxLen = options.maxLen ?? 100_000;
    // A blocking read holds its connection; commands need another one.
    this.reader = redis.duplicate();
    // The command connection's listener logs outages; this one only keeps ioredis from printing
    // "Unhandled error event" for each reconnect attempt of the reader.
    this.reader.on('error', () => {});
  }

  async start(): Promise<void> {
    const last = await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    let lastId = last[0]?.[0] ?? '0-0';
    this.loop = (async () => {
      while (!this.closed) {
        try {
          const result = await this.reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.stream, lastId);
          for (const [, entries] of result ?? []) {
            for (const [id, fields] of entries) {
              lastId = id;
              const event = this.decode(fields);
              if (event) this.emitter.emit('event', { id, event } satisfies LoggedEvent);
            }
          }
        } catch (error) {
          if (this.closed) return;
          this.options.logger?.warn({ err: { message: (error as Error).message } }, 'event stream read failed; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  private decode(fields: string[]): BotgraphEvent | null {
    const at = fields.indexOf('e');
    const raw = at >= 0 ? fields[at + 1] : undefined;
    if (raw === undefined) return null;
    try {
      return deserialize<BotgraphEvent>(raw);
    } catch {
      return null;
    }
  }

  async publish(event: BotgraphEvent, dedupeKey?: string): Promise<string | null> {
    if (dedupeKey === undefined) return this.redis.xadd(this.stream, 'MAXLEN', '~', this.maxLen, '*', 'e', serialize(event));
    // One script, so the dedupe key and the log entry exist together or not at all: a replica that
    // died (or lost Redis) between the two would otherwise leave a key that suppresses the event
    // forever, and the poller that retries the change on another replica would publish nothing.
    const id = (await this.redis.eval(
      PUBLISH_ONCE,
      2,
      `botgraph:dedupe:${dedupeKey}`,
      this.stream,
      String(DEDUPE_WINDOW_MS),
      String(this.maxLen),
      serialize(event),
    )) as string | null;
    return id ?? null;
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async history(afterId: string, limit: number): Promise<LoggedEvent[]> {
    const entries = await this.redis.xrange(this.stream, `(${afterId}`, '+', 'COUNT', limit);
    const out: LoggedEvent[] = [];
    for (const [id, fields] of entries) {
      const event = this.decode(fields);
      if (event) out.push({ id, event });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader.disconnect();
    await this.loop?.catch(() => {});
    this.emitter.removeAllListeners();
  }
}
