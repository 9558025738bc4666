/**
 * The CLOSER provider as the server wires it: one shared client per process, one datasource (with
 * fresh DataLoaders) per GraphQL request.
 */
import type { Logger } from 'pino';
import type { UpstreamSettings } from '../../datasources/http.js';
import type { CloserConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { CloserClient } from './client.js';
import { CloserDatasource } from './datasource.js';
import { buildRuntime, deriveCapabilities, implementedWrites } from '../types.js';

export { CloserClient, CLOSER_API_KEY_HEADER } from './client.js';
export type { CloserClientOptions, CloserConversationFilter, CloserEndUserFilter, CloserSlice } from './client.js';
export { CloserDatasource, CLOSER_STREAM_KEY, statusGroups } from './datasource.js';
export { vendorWindow } from './paging.js';

/** CLOSER's reads; its writes are what `CloserDatasource` implements, plus webhooks. No tracker, files or creation. */
export const CLOSER_READS: readonly CapabilityName[] = ['READ_MESSAGES'];
const WRITES = implementedWrites(CloserDatasource.prototype);
/** What CLOSER's Open API and webhooks let botgraph do, derived. */
export const CLOSER_CAPABILITIES: readonly CapabilityName[] = deriveCapabilities({
  reads: CLOSER_READS,
  writes: WRITES,
  files: false,
  webhooks: true,
});

export interface CloserRuntimeOptions {
  /** CLOSER's base URL (required here: the embedded simulator's URL when there is none) and API key. */
  config: CloserConfig & { baseUrl: string };
  /** Timeouts and retries of every upstream call. */
  upstream: UpstreamSettings;
  /** `SIMULATOR` when `baseUrl` is the embedded simulator. */
  mode: 'SIMULATOR' | 'REMOTE';
  /** @default no logging */
  logger?: Logger;
  /** The first retry's base delay in ms; tests shorten it. @default 100 */
  baseDelayMs?: number;
}

export function createCloserRuntime(options: CloserRuntimeOptions): ProviderRuntime {
  const client = new CloserClient({
    config: options.config,
    upstream: options.upstream,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
  });
  return buildRuntime({
    provider: 'CLOSER',
    mode: options.mode,
    // The Open API is unversioned (paths carry no version, the vendor names none).
    apiVersion: null,
    reads: CLOSER_READS,
    writes: WRITES,
    webhooks: true,
    client,
    datasource: () => new CloserDatasource(client),
  });
}
