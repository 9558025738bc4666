import type { FaultConfig } from './faults.js';
import type { FaultController } from './faults.js';
import type { RequestStats } from './stats.js';

/** `/__sim/faults` on or off, or on and, like every `/__sim` route, behind an admin token. */
export type SimulatorAdmin = boolean | { token: string };

/** The header an embedded simulator's `/__sim` routes want the admin token in. */
export const SIMULATOR_ADMIN_HEADER = 'x-sim-admin-token';

/** Options every simulator takes. Each vendor adds its own credentials and knobs. */
export interface BaseSimulatorOptions {
  /** The port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The seed of the generated data: the same seed and `now` give the same data. @default 1 */
  seed?: number;
  /** The moment "now" for the seeded history (epoch ms); data spreads over the 90 days before it. @default Date.now() */
  now?: number;
  /** Keeps producing live traffic (new messages, conversations, handoff requests, completions). @default false */
  activity?: boolean;
  /** The mean gap between two pieces of live traffic, in ms. @default 1000 */
  activityIntervalMs?: number;
  /**
   * Serves the `/__sim/faults` admin endpoint. With `{ token }` every `/__sim` route (stats too)
   * also needs the header `x-sim-admin-token: <token>` (botgraph's embedded simulators). @default false
   */
  admin?: SimulatorAdmin;
  /** Faults in force from the start. @default {} */
  faults?: FaultConfig;
}

/** What every started simulator hands back. */
export interface SimulatorHandle {
  /** The base URL to give a client, without a trailing slash. */
  url: string;
  port: number;
  faults: FaultController;
  stats: RequestStats;
  /** Stops the server, the live activity and any webhook delivery. Safe to call twice. */
  close(): Promise<void>;
}
