import type { CxoneConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { CxoneClient, type CxoneClientOptions } from './client.js';
import { CxoneDatasource } from './datasource.js';
import { implementedWrites, staticRuntime, type RuntimeOptions } from '../types.js';

export { CxoneClient } from './client.js';
export { CxoneDatasource } from './datasource.js';

/** The runtime's options: the client's ({@link CxoneClientOptions}: `cache`, `now`) plus the mode. */
export type CxoneRuntimeOptions = RuntimeOptions<CxoneConfig> & Omit<CxoneClientOptions, keyof RuntimeOptions<CxoneConfig>>;

export const CXONE_READS: readonly CapabilityName[] = ['READ_MESSAGES', 'TRACKER_EVENTS'];

// The export is unversioned, and read-only: `CxoneDatasource` implements no write, so no sending,
// no handoff, no creation.
const CXONE = staticRuntime({
  provider: 'CXONE',
  reads: CXONE_READS,
  writes: implementedWrites(CxoneDatasource.prototype),
  webhooks: false,
  client: (options: CxoneRuntimeOptions) => new CxoneClient(options),
  datasource: (client) => new CxoneDatasource(client),
});

export const CXONE_CAPABILITIES: readonly CapabilityName[] = CXONE.capabilities;

export function createCxoneRuntime(options: CxoneRuntimeOptions): ProviderRuntime {
  return CXONE.create(options);
}
