import type { Logger } from 'pino';
import type { BotgraphEvent, EventBus } from '../events/bus.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import type { LeaseManager, WatermarkStore } from './coordination.js';

/** How fast a topic wants to be polled next. */
export type Pace = 'fast' | 'normal' | 'idle';

export interface PollResult {
  events: Array<{ event: BotgraphEvent; dedupeKey: string }>;
  /** The new watermark, stored for the next poll on whichever replica holds the lease. */
  state: string;
  pace: Pace;
}

/** Something worth watching upstream: one conversation's messages, one stream's conversations. */
export interface Topic {
  /** Stable across replicas: the lease and the watermark are stored under it. */
  key: string;
  /** One look upstream. `state` is the last stored watermark, or null for a first look. */
  poll(state: string | null): Promise<PollResult>;
  /** Called when the poller stops, to drop listeners the topic added. */
  dispose?(): void;
}

/** The pacing of the pollers; `startBotgraph` sets it from `LiveConfig`, where the defaults are. */
export interface PollerOptions {
  /** Between polls of a topic (`LiveConfig.pollIntervalMs`). */
  intervalMs: number;
  /** For conversations in a handoff (`LiveConfig.pollFastIntervalMs`). */
  fastIntervalMs: number;
  /** For topics with nothing new for a while (`LiveConfig.pollIdleIntervalMs`). */
  idleIntervalMs: number;
  /** How long a topic keeps polling after its last subscriber left (`LiveConfig.pollGraceMs`). */
  graceMs: number;
  /** The longest back-off after upstream failures. @default 30000 */
  maxBackoffMs?: number;
}

const DEFAULT_MAX_BACKOFF_MS = 30_000;

interface Deps {
  bus: EventBus;
  leases: LeaseManager;
  watermarks: WatermarkStore;
  options: PollerOptions;
  logger: Logger;
}

/**
 * One loop per topic: polls never overlap (the next starts after the last ends), the pace follows
 * the topic's hint, failures back off (honouring `Retry-After`) without ever ending the loop, and
 * only the replica holding the topic's lease polls.
 */
class Poller {
  refs = 0;
  polls = 0;
  private stopped = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private leased = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewal: Promise<void> | undefined;
  private readonly done: Promise<void>;

  constructor(
    readonly topic: Topic,
    private readonly deps: Deps,
    private readonly onStopped: () => void,
  ) {
    this.done = this.run();
  }

  hold(): () => void {
    this.refs++;
    if (this.graceTimer) {
      clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.refs--;
      if (this.refs === 0) {
        this.graceTimer = setTimeout(() => void this.stop(), this.deps.options.graceMs);
        this.graceTimer.unref();
      }
    };
  }

  private async run(): Promise<void> {
    const { bus, leases, watermarks, options, logger } = this.deps;
    let failures = 0;
    let pace: Pace = 'normal';
    const intervalOf = (p: Pace) => (p === 'fast' ? options.fastIntervalMs : p === 'idle' ? options.idleIntervalMs : options.intervalMs);
    while (!this.stopped) {
      let delay = intervalOf(pace);
      try {
        this.leased = await leases.acquire(this.topic.key);
        this.keepLease();
        if (this.leased && !this.stopped) {
          const state = await watermarks.get(this.topic.key);
          this.polls++;
          const result = await this.topic.poll(state);
          for (const { event, dedupeKey } of result.events) await bus.publish(event, dedupeKey);
          await watermarks.set(this.topic.key, result.state);
          pace = result.pace;
          // The pace a poll asks for applies to the wait right after it, not one poll later.
          delay = intervalOf(pace);
          failures = 0;
        }
      } catch (error) {
        failures++;
        const retryAfter = error instanceof BotgraphError ? error.retryAfterMs : undefined;
        const backoff = Math.min(options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, options.intervalMs * 2 ** Math.min(failures, 8));
        delay = Math.max(retryAfter ?? 0, backoff);
        const code = error instanceof BotgraphError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
        logger.warn({ topic: this.topic.key, code, failures, retryInMs: delay }, 'poll failed; subscribers keep their stream');
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.sleepTimer = setTimeout(resolve, delay);
      });
    }
  }

  /**
   * While this replica holds the lease, renews it every third of its life, apart from the polls:
   * a holder that sleeps longer than the lease (backing off from a failing vendor, an idle topic)
   * or whose poll outlasts it must not lose the topic to a second replica that would poll too.
   */
  private keepLease(): void {
    const leaseMs = this.deps.leases.leaseMs;
    if (!this.leased || this.stopped) return this.stopRenewing();
    if (this.renewTimer || leaseMs === undefined || !Number.isFinite(leaseMs)) return;
    this.renewTimer = setInterval(
      () => {
        if (this.renewal || this.stopped) return;
        this.renewal = this.deps.leases
          .acquire(this.topic.key)
          .then(
            (held) => {
              if (this.stopped) return;
              this.leased = held;
              if (!held) this.stopRenewing();
            },
            // Redis unreachable: the lease may lapse; the loop's next acquire decides.
            () => {},
          )
          .finally(() => {
            this.renewal = undefined;
          });
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopRenewing();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.done;
    // A renewal in flight could take the lease again after the release below.
    await this.renewal;
    this.topic.dispose?.();
    // Compare-and-release: a no-op unless this replica holds it, which a late renewal may have made so.
    await this.deps.leases.release(this.topic.key).catch(() => {});
    this.onStopped();
  }
}

/** Shares one poller per topic among every subscriber of this process, reference-counted. */
export class PollerRegistry {
  private readonly pollers = new Map<string, Poller>();

  constructor(private readonly deps: Deps) {}

  /** Starts (or joins) the topic's poller. Call the returned function when the subscriber leaves. */
  hold(topic: Topic): () => void {
    let poller = this.pollers.get(topic.key);
    if (!poller) {
      const created: Poller = new Poller(topic, this.deps, () => {
        if (this.pollers.get(topic.key) === created) this.pollers.delete(topic.key);
      });
      poller = created;
      this.pollers.set(topic.key, poller);
    } else {
      topic.dispose?.();
    }
    return poller.hold();
  }

  /** The topics with a running poller here, and how often each polled; for health and tests. */
  snapshot(): Array<{ topic: string; subscribers: number; polls: number }> {
    return [...this.pollers.values()].map((p) => ({ topic: p.topic.key, subscribers: p.refs, polls: p.polls }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
  }
}
