import { z } from 'zod';

/**
 * What a simulator should do wrong, and how often. Tests and benchmarks set these to make a
 * simulator behave like a vendor on a bad day. Rates are probabilities per request, from 0 to 1;
 * tests use 0 or 1 so that outcomes are certain.
 */
export const faultConfigSchema = z
  .object({
    /** Fixed delay before every response, in ms. @default 0 */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Extra random delay of up to this many ms. @default 0 */
    jitterMs: z.number().int().min(0).max(600_000).optional(),
    /** Share of requests answered with `errorStatus` instead of the real response. @default 0 */
    errorRate: z.number().min(0).max(1).optional(),
    /** The status sent for injected errors. @default 500 */
    errorStatus: z.number().int().min(400).max(599).optional(),
    /** Share of requests answered 429 with a `Retry-After` header. @default 0 */
    rateLimitRate: z.number().min(0).max(1).optional(),
    /** The `Retry-After` value sent with injected 429s, in seconds. @default 1 */
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Share of requests that never get an answer: the socket stays open until the client gives up. @default 0 */
    hangRate: z.number().min(0).max(1).optional(),
    /** Share of successful JSON responses whose body is cut short into invalid JSON. @default 0 */
    malformedRate: z.number().min(0).max(1).optional(),
    /**
     * Limits the faults to these routes, named as in the stats (`"GET /openapi/bot"`).
     * @default all routes
     */
    routes: z.array(z.string()).optional(),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultConfigSchema>;

export type FaultDecision =
  { kind: 'none' } | { kind: 'hang' } | { kind: 'rateLimit'; retryAfterSeconds: number } | { kind: 'error'; status: number };

/** Holds one simulator's current faults; the admin endpoint and in-process callers both go through it. */
export class FaultController {
  private config: FaultConfig;

  constructor(
    initial: FaultConfig = {},
    private readonly random: () => number = Math.random,
  ) {
    this.config = faultConfigSchema.parse(initial);
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  /** Replaces the whole configuration. Throws a ZodError on a bad value. */
  set(config: FaultConfig): FaultConfig {
    this.config = faultConfigSchema.parse(config);
    return this.get();
  }

  clear(): void {
    this.config = {};
  }

  applies(routeKey: string): boolean {
    const routes = this.config.routes;
    return routes === undefined || routes.includes(routeKey);
  }

  delayMs(routeKey: string): number {
    if (!this.applies(routeKey)) return 0;
    const { latencyMs = 0, jitterMs = 0 } = this.config;
    return latencyMs + (jitterMs > 0 ? Math.floor(this.random() * jitterMs) : 0);
  }

  /** Decides, before the handler runs, whether this request is hung, rate limited or failed. */
  decide(routeKey: string): FaultDecision {
    if (!this.applies(routeKey)) return { kind: 'none' };
    const c = this.config;
    if (c.hangRate && this.random() < c.hangRate) return { kind: 'hang' };
    if (c.rateLimitRate && this.random() < c.rateLimitRate) {
      return { kind: 'rateLimit', retryAfterSeconds: c.retryAfterSeconds ?? 1 };
    }
    if (c.errorRate && this.random() < c.errorRate) return { kind: 'error', status: c.errorStatus ?? 500 };
    return { kind: 'none' };
  }

  /** Decides, after the handler ran, whether its JSON body is sent broken. */
  malformed(routeKey: string): boolean {
    if (!this.applies(routeKey)) return false;
    const rate = this.config.malformedRate;
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}
