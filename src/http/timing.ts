import type { ServerResponse } from 'node:http';

/**
 * `Server-Timing` metrics a route adds beside the router's `total` (src/http/router.ts), read when
 * the headers are written: `/graphql` adds `upstream`, the time it had a vendor call in flight,
 * so that a browser's devtools show how much of a slow answer was the vendors' and how much botgraph's.
 */
const extra = new WeakMap<ServerResponse, () => string | null>();

export function addServerTiming(res: ServerResponse, metric: () => string | null): void {
  extra.set(res, metric);
}

/** The `Server-Timing` value for `res`, `total` first. */
export function serverTiming(res: ServerResponse, totalMs: number): string {
  const more = extra.get(res)?.();
  return `total;dur=${totalMs.toFixed(2)}${more ? `, ${more}` : ''}`;
}
