/**
 * Bot.one as a botgraph provider: the process-wide runtime (one client, static capabilities) that
 * hands out a fresh `BotoneDatasource` per GraphQL request.
 */
import type { Logger } from 'pino';
import type { BotoneConfig } from '../../config.js';
import type { UpstreamSettings } from '../../datasources/http.js';
import type { CapabilityName } from '../../models.js';
import type { UpstreamStream } from '../../datasources/http.js';
import type { ProviderRuntime } from '../../datasources/types.js';
import { BotoneClient } from './client.js';
import { BotoneDatasource } from './datasource.js';
import { PROVIDER } from './mapper.js';

export { BotoneClient, MAX_PAGE_SIZE } from './client.js';
export { BotoneDatasource, planPages } from './datasource.js';

/**
 * v2 is the full API; v1 can read, create conversations and download files. Vertex (custom blocks)
 * has no v1/v2 split (its paths are `/api/vertex/v1/…` whatever the API version), so both have it.
 */
export function botoneCapabilities(apiVersion: 'v1' | 'v2'): CapabilityName[] {
  return apiVersion === 'v1'
    ? ['READ_MESSAGES', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS']
    : ['READ_MESSAGES', 'SEND_MESSAGES', 'HANDOFF', 'TRANSFER', 'CREATE_CONVERSATIONS', 'FILES', 'CUSTOM_BLOCKS'];
}

export interface BotoneRuntimeOptions {
  /** The account and bots; `baseUrl` is the simulator's URL in SIMULATOR mode. */
  config: BotoneConfig & { baseUrl: string };
  upstream: UpstreamSettings;
  /** Whether `baseUrl` is the embedded simulator or a real instance; reported, not acted on. */
  mode: 'SIMULATOR' | 'REMOTE';
  /** @default undefined (no upstream logging) */
  logger?: Logger;
}

export interface BotoneRuntime extends ProviderRuntime {
  /** The shared client (tests and tools); the file route goes through `openFile`. */
  readonly client: BotoneClient;
  openFile(fileId: string): Promise<UpstreamStream>;
}

export function createBotoneRuntime(options: BotoneRuntimeOptions): BotoneRuntime {
  const client = BotoneClient.fromConfig(options.config, options.upstream, options.logger);
  return {
    provider: PROVIDER,
    mode: options.mode,
    capabilities: botoneCapabilities(client.apiVersion),
    apiVersion: client.apiVersion,
    client,
    forRequest: () => new BotoneDatasource(client),
    // Files are served on v1 and v2 alike (`GET /api/{v1|v2}/file/{id}`), so this is always present.
    openFile: (fileId) => client.fileStream(fileId),
    close: () => client.close(),
  };
}
