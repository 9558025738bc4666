/**
 * Bot.one as a botgraph provider: the process-wide runtime (one client, static capabilities) that
 * hands out a fresh `BotoneDatasource` per GraphQL request.
 */
import type { BotoneConfig } from './config.js';
import type { CapabilityName } from '../../models.js';
import type { UpstreamStream } from '../../datasources/http.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { BotoneClient } from './client.js';
import { BotoneDatasource } from './datasource.js';
import { PROVIDER } from './mapper.js';
import { buildRuntime, deriveCapabilities, implementedWrites, type RuntimeOptions, type WriteName } from '../types.js';

export { BotoneClient, MAX_PAGE_SIZE } from './client.js';
export type { BotoneClientOptions } from './client.js';
export { BotoneDatasource } from './datasource.js';

export const BOTONE_READS: readonly CapabilityName[] = ['READ_MESSAGES'];

/** What API v1 can write: create conversations; and custom blocks, since Vertex has no v1/v2 split. */
const V1_WRITES: readonly WriteName[] = ['createConversation', 'completeCustomBlock', 'sendCustomBlockMessage'];

/**
 * v2 is the full API (every write `BotoneDatasource` implements). Vertex (custom blocks) has no
 * v1/v2 split (its paths are `/api/vertex/v1/…` whatever the API version), so v1 has it too.
 */
export function botoneWrites(apiVersion: 'v1' | 'v2'): WriteName[] {
  const all = implementedWrites(BotoneDatasource.prototype);
  return apiVersion === 'v1' ? all.filter((w) => V1_WRITES.includes(w)) : all;
}

/** Derived from the writes of the API version; files are served on v1 and v2 alike. */
export function botoneCapabilities(apiVersion: 'v1' | 'v2'): CapabilityName[] {
  return deriveCapabilities({ reads: BOTONE_READS, writes: botoneWrites(apiVersion), files: true, webhooks: false });
}

/** The runtime's options: the client's ({@link BotoneClientOptions}) plus the mode. */
export type BotoneRuntimeOptions = RuntimeOptions<BotoneConfig>;

export interface BotoneRuntime extends ProviderRuntime {
  /** The shared client (tests and tools); the file route goes through `openFile`. */
  readonly client: BotoneClient;
  openFile(fileId: string): Promise<UpstreamStream>;
}

export function createBotoneRuntime(options: BotoneRuntimeOptions): BotoneRuntime {
  const client = new BotoneClient(options);
  return buildRuntime({
    provider: PROVIDER,
    mode: options.mode,
    apiVersion: client.apiVersion,
    reads: BOTONE_READS,
    writes: botoneWrites(client.apiVersion),
    webhooks: false,
    client,
    datasource: () => new BotoneDatasource(client),
    // Files are served on v1 and v2 alike (`GET /api/{v1|v2}/file/{id}`), so this is always present.
    openFile: (fileId) => client.fileStream(fileId),
    extra: { client },
  }) as BotoneRuntime;
}
