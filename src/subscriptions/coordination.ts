import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Who polls a topic. With one process that is always this process; with Redis exactly one replica
 * holds a topic's lease (`SET NX PX`) and renews it while it has subscribers. A replica that dies
 * stops renewing, and the next interested replica takes the lease once it expires.
 */
export interface LeaseManager {
  /** Takes the lease, or renews it when this replica already holds it. */
  acquire(topic: string): Promise<boolean>;
  release(topic: string): Promise<void>;
  /** This replica's id, for logs and tests. */
  readonly holder: string;
  /**
   * How long a lease lives without renewal; a holder renews well within it, whatever its polling
   * pace (idle topics, back-off). Undefined: leases never expire (one process).
   */
  readonly leaseMs?: number;
}

/** A topic's position: what the last poll saw, so that the next one (on any replica) emits only news. */
export interface WatermarkStore {
  get(topic: string): Promise<string | null>;
  set(topic: string, value: string): Promise<void>;
}

export class LocalLeases implements LeaseManager {
  readonly holder = `local-${process.pid}`;
  async acquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

export class MemoryWatermarks implements WatermarkStore {
  private readonly values = new Map<string, string>();
  async get(topic: string): Promise<string | null> {
    return this.values.get(topic) ?? null;
  }
  async set(topic: string, value: string): Promise<void> {
    this.values.set(topic, value);
  }
}

// Renew or release only a lease we hold: a replica whose lease already passed to another must not
// extend or delete the other's.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisLeases implements LeaseManager {
  readonly holder = `${process.pid}-${randomUUID()}`;

  /**
   * @param leaseMs How long a lease lives without renewal. A dead replica's topics move within
   * about this long plus one poll interval. @default 5000
   */
  constructor(
    private readonly redis: Redis,
    readonly leaseMs = 5_000,
    private readonly prefix = 'botgraph:lease:',
  ) {}

  async acquire(topic: string): Promise<boolean> {
    const key = this.prefix + topic;
    const taken = await this.redis.set(key, this.holder, 'PX', this.leaseMs, 'NX');
    if (taken === 'OK') return true;
    return (await this.redis.eval(RENEW, 1, key, this.holder, String(this.leaseMs))) === 1;
  }

  async release(topic: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + topic, this.holder);
  }
}

export class RedisWatermarks implements WatermarkStore {
  /** @param ttlMs A topic nobody polls for this long forgets its position. @default 1 day */
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = 86_400_000,
    private readonly prefix = 'botgraph:wm:',
  ) {}

  async get(topic: string): Promise<string | null> {
    return this.redis.get(this.prefix + topic);
  }

  async set(topic: string, value: string): Promise<void> {
    await this.redis.set(this.prefix + topic, value, 'PX', this.ttlMs);
  }
}
