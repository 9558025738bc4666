import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitName } from '../datasources/breaker.js';
import type { ProviderName } from '../models.js';

/** What UpstreamHttp reports about each attempt; the metrics and the traces both listen. */
export interface UpstreamObserver {
  request(info: {
    provider: ProviderName;
    route: string;
    method: string;
    status: number | 'error' | 'timeout' | 'circuit_open';
    seconds: number;
  }): void;
  retry(info: { provider: ProviderName; route: string }): void;
  /** A cache was consulted (`cache` names it). */
  cacheLookup(cache: string, hit: boolean): void;
}

/** A path with its ids replaced, so that a metric label (or a span name) has a bounded set of values. */
export function routeOf(path: string): string {
  return (
    path
      .split('/')
      // An API version (`v2`) is part of the route; anything else with a digit, or long, is an id.
      .map((segment) => (segment !== '' && !/^v\d{1,2}$/.test(segment) && (/\d/.test(segment) || segment.length > 24) ? ':id' : segment))
      .join('/')
  );
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Operation names come from clients: beyond this many distinct ones, the rest count as `other`. */
const MAX_OPERATION_NAMES = 200;

/**
 * botgraph's Prometheus metrics, on a registry of its own (one per server, so that tests running
 * several servers in one process do not mix them). Names follow Prometheus conventions:
 * `botgraph_` prefix, `_total` counters, `_seconds` histograms, base units.
 */
export class Metrics implements UpstreamObserver {
  readonly registry = new Registry();
  private readonly names = new Set<string>();

  readonly operations = new Counter({
    name: 'botgraph_operations_total',
    help: 'GraphQL operations by name, type (query, mutation, subscription) and outcome (ok, partial, error).',
    labelNames: ['name', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationSeconds = new Histogram({
    name: 'botgraph_operation_duration_seconds',
    help: 'Duration of GraphQL operations (a subscription: until its first result).',
    labelNames: ['name', 'type', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly upstreamRequests = new Counter({
    name: 'botgraph_upstream_requests_total',
    help: 'HTTP requests to vendors, by provider, route (ids replaced by :id), method and status (or error, timeout, circuit_open).',
    labelNames: ['provider', 'route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly upstreamSeconds = new Histogram({
    name: 'botgraph_upstream_request_duration_seconds',
    help: 'Duration of HTTP requests to vendors.',
    labelNames: ['provider', 'route', 'method'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'botgraph_upstream_retries_total',
    help: 'Retried vendor GETs (an attempt after the first).',
    labelNames: ['provider', 'route'] as const,
    registers: [this.registry],
  });
  readonly circuit = new Gauge({
    name: 'botgraph_circuit_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly circuitTransitions = new Counter({
    name: 'botgraph_circuit_transitions_total',
    help: 'Circuit breaker state changes per provider and new state.',
    labelNames: ['provider', 'state'] as const,
    registers: [this.registry],
  });
  /** For caches to count their hits and misses (`cache` names the cache). */
  readonly cacheHits = new Counter({
    name: 'botgraph_cache_hits_total',
    help: 'Cache hits by cache.',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'botgraph_cache_misses_total',
    help: 'Cache misses by cache.',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });
  readonly idempotencyReplays = new Counter({
    name: 'botgraph_idempotency_replays_total',
    help: 'Mutations answered from a stored idempotency result, by mutation.',
    labelNames: ['mutation'] as const,
    registers: [this.registry],
  });
  readonly idempotencyConflicts = new Counter({
    name: 'botgraph_idempotency_conflicts_total',
    help: 'Idempotency keys refused, by mutation and code (IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_IN_PROGRESS, IDEMPOTENCY_OUTCOME_UNKNOWN).',
    labelNames: ['mutation', 'code'] as const,
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'botgraph_websocket_connections',
    help: 'Open graphql-ws connections.',
    registers: [this.registry],
  });
  readonly eventLag = new Histogram({
    name: 'botgraph_event_bus_lag_seconds',
    help: 'From an event entering the event bus to its delivery to a subscriber.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'botgraph_' });
  }

  /** Gauges read at scrape time (pollers, topics, subscribers). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  operationName(name: string | null | undefined): string {
    const n = name && /^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name) ? name : name ? 'other' : 'anonymous';
    if (this.names.has(n) || n === 'anonymous' || n === 'other') return n;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(n);
    return n;
  }

  operation(info: { name: string | null | undefined; type: string; outcome: string; seconds: number }): void {
    const labels = { name: this.operationName(info.name), type: info.type, outcome: info.outcome };
    this.operations.inc(labels);
    this.operationSeconds.observe(labels, info.seconds);
  }

  request(info: { provider: ProviderName; route: string; method: string; status: number | string; seconds: number }): void {
    this.upstreamRequests.inc({ provider: info.provider, route: info.route, method: info.method, status: String(info.status) });
    this.upstreamSeconds.observe({ provider: info.provider, route: info.route, method: info.method }, info.seconds);
  }

  retry(info: { provider: ProviderName; route: string }): void {
    this.upstreamRetries.inc(info);
  }

  cacheLookup(cache: string, hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc({ cache });
  }

  circuitState(provider: ProviderName, state: CircuitName): void {
    this.circuit.set({ provider }, state === 'CLOSED' ? 0 : state === 'HALF_OPEN' ? 1 : 2);
  }

  idempotencyEvents(): { replayed(mutation: string): void; conflict(mutation: string, code: string): void } {
    return {
      replayed: (mutation) => this.idempotencyReplays.inc({ mutation }),
      conflict: (mutation, code) => this.idempotencyConflicts.inc({ mutation, code }),
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
