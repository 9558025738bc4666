/**
 * Counts requests by route (`"GET /openapi/bot/:botId"`). The upstream-call budgets of the graph
 * and the subscriptions are asserted against these counts, so every route is listed, even at zero.
 */
export class RequestStats {
  private counts = new Map<string, number>();

  constructor(private readonly knownRoutes: readonly string[]) {
    this.reset();
  }

  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.counts = new Map(this.knownRoutes.map((k) => [k, 0]));
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  snapshot(): { total: number; routes: Record<string, number> } {
    return { total: this.total(), routes: Object.fromEntries(this.counts) };
  }
}
