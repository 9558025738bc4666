/**
 * The CLOSER provider as the server wires it: one shared client per process, one datasource (with
 * fresh DataLoaders) per GraphQL request.
 */
import type { CloserConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { CloserClient } from './client.js';
import { CloserDatasource } from './datasource.js';
import { implementedWrites, staticRuntime, type RuntimeOptions } from '../types.js';

export { CloserClient, CLOSER_API_KEY_HEADER } from './client.js';
export type { CloserClientOptions, CloserConversationFilter, CloserEndUserFilter, CloserSlice } from './client.js';
export { CloserDatasource, CLOSER_STREAM_KEY, statusGroups } from './datasource.js';

/** CLOSER's reads; its writes are what `CloserDatasource` implements, plus webhooks. No tracker, files or creation. */
export const CLOSER_READS: readonly CapabilityName[] = ['READ_MESSAGES'];

/** The runtime's options: the client's ({@link CloserClientOptions}) plus the mode. */
export type CloserRuntimeOptions = RuntimeOptions<CloserConfig>;

// The Open API is unversioned (paths carry no version, the vendor names none).
const CLOSER = staticRuntime({
  provider: 'CLOSER',
  reads: CLOSER_READS,
  writes: implementedWrites(CloserDatasource.prototype),
  webhooks: true,
  client: (options: CloserRuntimeOptions) => new CloserClient(options),
  datasource: (client) => new CloserDatasource(client),
});

/** What CLOSER's Open API and webhooks let botgraph do, derived. */
export const CLOSER_CAPABILITIES: readonly CapabilityName[] = CLOSER.capabilities;

export function createCloserRuntime(options: CloserRuntimeOptions): ProviderRuntime {
  return CLOSER.create(options);
}
