import type { Logger } from 'pino';
import type { UpstreamSettings } from '../../datasources/http.js';
import type { CxoneConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import type { BatchCacheOptions } from './cache.js';
import { CxoneClient } from './client.js';
import { CxoneDatasource } from './datasource.js';
import { buildRuntime, deriveCapabilities, implementedWrites } from '../types.js';

export { CxoneClient } from './client.js';
export { CxoneDatasource } from './datasource.js';

export interface CxoneRuntimeOptions {
  /** The export's base URL (the embedded simulator's, when botgraph runs one) and the tokens. */
  config: CxoneConfig & { baseUrl: string };
  /** Timeouts and retries of every upstream call. */
  upstream: UpstreamSettings;
  /** Whether `baseUrl` is the embedded simulator. */
  mode: 'SIMULATOR' | 'REMOTE';
  /** @default no logging */
  logger?: Logger;
  /** The stream batch cache. @default 60 s, 2000 conversations */
  cache?: BatchCacheOptions;
  /** The clock statuses are derived against (tests). @default Date.now */
  now?: () => number;
}

export const CXONE_READS: readonly CapabilityName[] = ['READ_MESSAGES', 'TRACKER_EVENTS'];
/** The export is read-only: `CxoneDatasource` implements no write, so no sending, no handoff, no creation. */
const WRITES = implementedWrites(CxoneDatasource.prototype);
export const CXONE_CAPABILITIES: readonly CapabilityName[] = deriveCapabilities({
  reads: CXONE_READS,
  writes: WRITES,
  files: false,
  webhooks: false,
});

export function createCxoneRuntime(options: CxoneRuntimeOptions): ProviderRuntime {
  const client = new CxoneClient({
    baseUrl: options.config.baseUrl,
    tokens: options.config.tokens,
    upstream: options.upstream,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return buildRuntime({
    provider: 'CXONE',
    mode: options.mode,
    // The export is unversioned.
    apiVersion: null,
    reads: CXONE_READS,
    writes: WRITES,
    webhooks: false,
    client,
    datasource: () => new CxoneDatasource(client),
  });
}
