import type { Context } from '../context.js';
import { BotgraphError, ErrorCode, badInput } from '../errors.js';
import type { ProviderName } from '../models.js';
import { parseDateTime } from '../resolvers/scalars.js';
import { compareEventIds, parseEventId, type BotgraphEvent, type EventBus, type LoggedEvent } from '../events/bus.js';
import type { Holdable } from './cohorts.js';
import type { PollerRegistry, Topic } from './pollers.js';

/** The most events one resume replays; a client further behind should re-query first. */
export const MAX_REPLAY = 5_000;

/**
 * Turns `since` into the event id to replay after: an `eventCursor` from an earlier event, or an
 * ISO 8601 time (everything logged at or after it).
 */
export function resolveSince(since: string | null | undefined): string | null {
  if (since === null || since === undefined) return null;
  if (parseEventId(since)) return since;
  let time: Date;
  try {
    // The same rule as every DateTime input: ISO 8601 with a zone, or a date; no rolled-over days.
    time = parseDateTime(since);
  } catch {
    throw badInput('`since` must be an `eventCursor` from an earlier event or an ISO 8601 time with a zone.', 'since');
  }
  return `${Math.max(0, time.getTime() - 1)}-999999999999999`;
}

/**
 * The iterator graphql-ws consumes. It is a class rather than an async generator because a
 * generator parked on `await` cannot be returned from: an unsubscribing client would leak its
 * listener and keep its topics polled.
 */
class LiveIterator implements AsyncIterableIterator<LoggedEvent>, Holdable {
  private readonly queue: LoggedEvent[] = [];
  private pending: ((result: IteratorResult<LoggedEvent>) => void) | undefined;
  private done = false;
  private last: string | null = null;
  private replaying: LoggedEvent[] | null = null;
  private readonly cleanup: Array<() => void> = [];
  private readonly ready: Promise<void>;
  private failure: Error | undefined;
  /** True until the replay (if any) has been read. */
  private readyPending = true;
  /** Set once a terminal event (see `ends`) was handed out. */
  private ended = false;

  constructor(
    bus: EventBus,
    private readonly pollers: PollerRegistry,
    private readonly topics: Topic[],
    private readonly match: (event: BotgraphEvent) => boolean,
    after: string | null,
    private readonly ends: ((event: BotgraphEvent) => boolean) | undefined,
  ) {
    // Listen before reading history, so nothing published in between is lost; the id check in
    // `push` drops what history already gave.
    this.cleanup.push(bus.subscribe((e) => this.match(e.event) && this.push(e)));
    for (const topic of topics) this.cleanup.push(pollers.hold(topic));
    this.ready = after === null ? Promise.resolve() : this.replay(bus, after);
  }

  /**
   * One more holder of this stream's topics, for a subscriber that shares this stream (a cohort
   * member): the pollers count it as a subscriber until the returned release is called.
   */
  hold(): () => void {
    const releases = this.topics.map((topic) => this.pollers.hold(topic));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases) release();
    };
  }

  private async replay(bus: EventBus, after: string): Promise<void> {
    const replayed: LoggedEvent[] = [];
    let cursor = after;
    try {
      for (;;) {
        const page = await bus.history(cursor, 500);
        for (const e of page) if (this.match(e.event)) replayed.push(e);
        if (page.length < 500 || replayed.length >= MAX_REPLAY) break;
        cursor = (page.at(-1) as LoggedEvent).id;
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      return;
    }
    this.replaying = replayed.slice(0, MAX_REPLAY);
  }

  private push(e: LoggedEvent): void {
    if (this.done) return;
    this.queue.push(e);
    this.flush();
  }

  /** Hands the next event to a waiting `next()`: replayed ones first, then live ones, each once. */
  private take(): LoggedEvent | undefined {
    for (;;) {
      const e = this.replaying?.length ? this.replaying.shift() : this.queue.shift();
      if (!e) return undefined;
      if (this.last !== null && compareEventIds(e.id, this.last) <= 0) continue;
      this.last = e.id;
      // A terminal event is handed out, then the stream is over: the next `next()` completes it.
      if (this.ends?.(e.event)) this.ended = true;
      return e;
    }
  }

  private flush(): void {
    // Until the replay is read, live events only queue: they must come after it.
    if (!this.pending || this.readyPending) return;
    const e = this.take();
    if (e) {
      const resolve = this.pending;
      this.pending = undefined;
      resolve({ value: e, done: false });
    }
  }

  async next(): Promise<IteratorResult<LoggedEvent>> {
    if (this.readyPending) {
      await this.ready;
      this.readyPending = false;
      if (this.failure) {
        await this.return();
        throw this.failure;
      }
    }
    if (this.ended) await this.return();
    if (this.done) return { value: undefined, done: true };
    const e = this.take();
    if (e) return { value: e, done: false };
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  async return(): Promise<IteratorResult<LoggedEvent>> {
    if (!this.done) {
      this.done = true;
      for (const fn of this.cleanup) fn();
      this.queue.length = 0;
      this.pending?.({ value: undefined, done: true });
      this.pending = undefined;
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<LoggedEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LoggedEvent> {
    return this;
  }
}

/** How long a conversation seen to exist is not checked again for new subscribers. @default 60 s */
const KNOWN_TTL_MS = 60_000;

/** Subscriptions' view of the live machinery: the bus, plus the pollers that feed it on demand. */
export class LiveService {
  private readonly known = new Map<string, number>();
  private readonly checking = new Map<string, Promise<void>>();

  constructor(
    readonly bus: EventBus,
    readonly pollers: PollerRegistry,
  ) {
    // A deleted conversation is not "known to exist" any more: the next subscriber is checked again.
    bus.subscribe(({ event }) => {
      if (event.kind === 'entityChanged' && event.entity === 'conversation' && event.change === 'deleted') {
        this.known.delete(`${event.provider}:${event.nativeId}`);
      }
    });
  }

  /**
   * NOT_FOUND for a conversation that does not exist, so a subscriber learns of a wrong ID at once.
   * Checks are shared and remembered: 200 subscribers to one conversation cost one read, not 200.
   */
  async checkConversation(ctx: Context, provider: ProviderName, nativeId: string, scope: string[]): Promise<void> {
    const key = `${provider}:${nativeId}`;
    const now = Date.now();
    if ((this.known.get(key) ?? 0) > now) return;
    // Expired entries are swept now and then, so the map does not grow with every conversation ever watched.
    if (this.known.size > 10_000) for (const [k, until] of this.known) if (until <= now) this.known.delete(k);
    let check = this.checking.get(key);
    if (!check) {
      check = (async () => {
        const conversation = await ctx.datasource(provider).getConversation(nativeId, scope);
        if (!conversation) throw new BotgraphError(ErrorCode.NOT_FOUND, `${provider} has no such conversation.`, { provider });
        this.known.set(key, Date.now() + KNOWN_TTL_MS);
      })().finally(() => this.checking.delete(key));
      this.checking.set(key, check);
    }
    await check;
  }

  /**
   * Events matching `match`, first those logged after `since` (in order), then live ones, each
   * exactly once. Holding the iterator keeps `topics` polled; returning it lets them go.
   */
  stream(
    ctx: Pick<Context, 'liveStreams'>,
    topics: Topic[],
    match: (event: BotgraphEvent) => boolean,
    since: string | null | undefined,
    /** An event after which the stream completes (it is still delivered): a deleted conversation. */
    ends?: (event: BotgraphEvent) => boolean,
  ): AsyncIterableIterator<LoggedEvent> {
    const stream = new LiveIterator(this.bus, this.pollers, topics, match, resolveSince(since), ends);
    // A cohort that shares this stream adds its members as holders through the context.
    ctx.liveStreams.push(stream);
    return stream;
  }
}
