import { BrokenCircuitError, CircuitState, SamplingBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { BotgraphError, ErrorCode, UnreachableCaseError } from '../errors.js';
import type { ProviderName } from '../models.js';

/** How a provider's circuit breaker decides (config: `BREAKER_*`). */
export interface BreakerSettings {
  /** Opens when more than this share of calls in the window failed. @default 0.5 */
  failureRatio: number;
  /** The sliding window the ratio is measured over, in ms. @default 10000 */
  windowMs: number;
  /** No opening before this many calls in the window (a single failure is not an outage). @default 5 */
  minCalls: number;
  /** After opening, one probe call is let through after this long, in ms. @default 5000 */
  halfOpenAfterMs: number;
}

/** What `providers { circuit }` and `/readyz` report. */
export type CircuitName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export function circuitName(state: CircuitState): CircuitName {
  switch (state) {
    case CircuitState.Closed:
      return 'CLOSED';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'OPEN';
    case CircuitState.HalfOpen:
      return 'HALF_OPEN';
    default:
      throw new UnreachableCaseError(state);
  }
}

/** Failures that say the vendor is unwell. A 4xx (bad input, 404, 429, 401) is the vendor answering. */
function countsAsFailure(error: unknown): boolean {
  return error instanceof BotgraphError && (error.code === ErrorCode.PROVIDER_UNAVAILABLE || error.code === ErrorCode.PROVIDER_TIMEOUT);
}

/**
 * One circuit breaker per provider, shared by every client and token of that provider in the
 * process (cockatiel's SamplingBreaker). Each upstream attempt runs through it; while it is open a
 * call fails at once with PROVIDER_UNAVAILABLE and `extensions.circuit: "open"`, without touching
 * the network, so an outage costs the vendor `minCalls` calls plus one probe per `halfOpenAfterMs`.
 */
export class ProviderBreaker {
  readonly policy: CircuitBreakerPolicy;
  private readonly listeners = new Set<(state: CircuitName) => void>();

  constructor(
    readonly provider: ProviderName,
    readonly settings: BreakerSettings,
  ) {
    this.policy = circuitBreaker(handleWhen(countsAsFailure), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new SamplingBreaker({
        threshold: settings.failureRatio,
        duration: settings.windowMs,
        // SamplingBreaker counts a minimum rate; botgraph documents a minimum count per window.
        minimumRps: settings.minCalls / (settings.windowMs / 1000),
      }),
    });
    this.policy.onStateChange((state) => {
      for (const listener of this.listeners) listener(circuitName(state));
    });
  }

  get state(): CircuitName {
    return circuitName(this.policy.state);
  }

  onStateChange(listener: (state: CircuitName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs one upstream attempt through the breaker. */
  async execute<T>(attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // cockatiel makes calls that arrive during the half-open probe wait for it and then go out;
    // botgraph refuses them at once instead, so a probe is one call and nobody waits on a sick vendor.
    if (this.policy.state === CircuitState.HalfOpen) throw this.openError();
    try {
      return await this.policy.execute(({ signal }) => attempt(signal));
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.openError();
      throw error;
    }
  }

  openError(): BotgraphError {
    return new BotgraphError(
      ErrorCode.PROVIDER_UNAVAILABLE,
      `${this.provider} is failing; botgraph stopped calling it for a moment (circuit open). Retry shortly.`,
      { provider: this.provider, circuit: 'open', notSent: true },
    );
  }
}

/** One breaker per enabled provider. */
export type Breakers = Map<ProviderName, ProviderBreaker>;
