import type { CxoneConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { CxoneClient, type CxoneClientOptions } from './client.js';
import { CxoneDatasource } from './datasource.js';
import { buildRuntime, deriveCapabilities, implementedWrites, type RuntimeOptions } from '../types.js';

export { CxoneClient } from './client.js';
export { CxoneDatasource } from './datasource.js';

/** The runtime's options: the client's ({@link CxoneClientOptions}: `cache`, `now`) plus the mode. */
export type CxoneRuntimeOptions = RuntimeOptions<CxoneConfig> & Omit<CxoneClientOptions, keyof RuntimeOptions<CxoneConfig>>;

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
  const client = new CxoneClient(options);
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
