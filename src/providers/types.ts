/**
 * The provider contract: everything botgraph knows about a vendor, it learns from that vendor's one
 * `ProviderAdapter` (`src/providers/<vendor>/adapter.ts`). Resolvers, subscriptions and http know only
 * this file and the registry; a new vendor is one folder plus one line in `registry.ts`.
 * docs/architecture.md walks through what a fourth vendor implements.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { SimulatorConfig } from '../config.js';
import type { UpstreamSettings } from '../datasources/http.js';
import type { ProviderDatasource, ProviderRuntime, ProviderWriter } from '../datasources/types.js';
import type { Env } from '../env.js';
import type { ChangeReason, EntityChangedEvent } from '../events/bus.js';
import type { CapabilityName, ConversationModel, MessageModel } from '../models.js';
import type { SimulatorAdmin, SimulatorHandle } from '../simulators/common/options.js';

/** A vendor write: the methods of `ProviderWriter` that change something at the vendor. */
export type WriteName = Exclude<keyof ProviderWriter, 'invalidateConversation' | 'customBlockConversation'>;

/**
 * Which capability each write gives (null: a write no capability names, decided by presence alone).
 * "Unsupported" is said one way: a write is supported exactly when the runtime lists it in `writes`.
 */
export const WRITE_CAPABILITY: Readonly<Record<WriteName, CapabilityName | null>> = {
  sendMessage: 'SEND_MESSAGES',
  sendMessageToEndUser: 'SEND_MESSAGES',
  sendRichMessage: 'RICH_MESSAGES',
  sendRichMessageToEndUser: 'RICH_MESSAGES',
  setHandoff: 'HANDOFF',
  transferToBot: 'TRANSFER',
  transferToFlow: 'TRANSFER',
  createConversation: 'CREATE_CONVERSATIONS',
  updateConversation: null,
  completeCustomBlock: 'CUSTOM_BLOCKS',
  sendCustomBlockMessage: 'CUSTOM_BLOCKS',
};

const WRITES = Object.keys(WRITE_CAPABILITY) as WriteName[];

/** The writes a datasource class implements: the `ProviderWriter` methods its prototype has. */
export function implementedWrites(prototype: object): WriteName[] {
  return WRITES.filter((name) => typeof (prototype as Record<string, unknown>)[name] === 'function');
}

/** Every capability in the order `ProviderInfo.capabilities` lists them. */
const CAPABILITY_ORDER: readonly CapabilityName[] = [
  'READ_MESSAGES',
  'SEND_MESSAGES',
  'RICH_MESSAGES',
  'HANDOFF',
  'TRANSFER',
  'CREATE_CONVERSATIONS',
  'TRACKER_EVENTS',
  'FILES',
  'CUSTOM_BLOCKS',
  'WEBHOOKS',
];

/** Capabilities derived, never listed by hand: reads as declared, the rest from the writes, files and webhooks. */
export function deriveCapabilities(facts: {
  reads: readonly CapabilityName[];
  writes: Iterable<WriteName>;
  files: boolean;
  webhooks: boolean;
}): CapabilityName[] {
  const have = new Set<CapabilityName>(facts.reads);
  for (const write of facts.writes) {
    const capability = WRITE_CAPABILITY[write];
    if (capability) have.add(capability);
  }
  if (facts.files) have.add('FILES');
  if (facts.webhooks) have.add('WEBHOOKS');
  return CAPABILITY_ORDER.filter((c) => have.has(c));
}

/**
 * A runtime from what a vendor is: its client and datasource, with capabilities and writes derived
 * in one place. Every vendor's `createXRuntime` ends here.
 */
export function buildRuntime<X extends object = object>(parts: {
  provider: ProviderRuntime['provider'];
  mode: ProviderRuntime['mode'];
  /** The vendor's API version where it has one to report (Bot.one's v1/v2); null when unversioned. */
  apiVersion: string | null;
  reads: readonly CapabilityName[];
  writes: readonly WriteName[];
  /** Whether it pushes events (a webhook receiver). */
  webhooks: boolean;
  client: { close(): Promise<void> };
  /** A fresh datasource (fresh DataLoaders): called once per request. */
  datasource: () => ProviderDatasource;
  openFile?: ProviderRuntime['openFile'];
  /** Extra members of a vendor's own runtime type (Bot.one's `client`). */
  extra?: X;
}): ProviderRuntime & X {
  return {
    ...(parts.extra as X),
    provider: parts.provider,
    mode: parts.mode,
    capabilities: deriveCapabilities({ reads: parts.reads, writes: parts.writes, files: parts.openFile !== undefined, webhooks: parts.webhooks }),
    writes: new Set(parts.writes),
    apiVersion: parts.apiVersion,
    forRequest: parts.datasource,
    ...(parts.openFile ? { openFile: parts.openFile } : {}),
    close: () => parts.client.close(),
  };
}

/**
 * The runtime of a vendor whose capabilities do not depend on its config (CLOSER, CXone; Bot.one's
 * follow its API version, so it calls `buildRuntime` itself): its facts once, the capabilities
 * derived from them, and `create`, which makes one client per process and hands out a fresh
 * datasource per request. Such a vendor's API is unversioned (`apiVersion: null`) and serves no files.
 */
export function staticRuntime<O extends RuntimeOptions<unknown>, C extends { close(): Promise<void> }>(facts: {
  provider: ProviderRuntime['provider'];
  reads: readonly CapabilityName[];
  /** What its datasource implements: `implementedWrites(XDatasource.prototype)`. */
  writes: readonly WriteName[];
  /** Whether it pushes events (a webhook receiver). */
  webhooks: boolean;
  client: (options: O) => C;
  datasource: (client: C) => ProviderDatasource;
}): { capabilities: readonly CapabilityName[]; create(options: O): ProviderRuntime } {
  const { provider, reads, writes, webhooks } = facts;
  return {
    capabilities: deriveCapabilities({ reads, writes, files: false, webhooks }),
    create(options) {
      const client = facts.client(options);
      return buildRuntime({
        provider,
        mode: options.mode,
        apiVersion: null,
        reads,
        writes,
        webhooks,
        client,
        datasource: () => facts.datasource(client),
      });
    },
  };
}

/** Documented text limits the resolvers check before any call (BAD_USER_INPUT naming the field). */
export interface TextLimits {
  /** A message's text. */
  text: number;
  /** One tag. */
  tag: number;
  /** Conversation notes. */
  notes: number;
}

/** What `createRuntime` gets: the vendor's config with a base URL (the embedded simulator's, when none is configured). */
export interface RuntimeOptions<C> {
  config: C & { baseUrl: string };
  /** Timeouts, retries, the provider's circuit breaker and the metrics observer of every call. */
  upstream: UpstreamSettings;
  /** `SIMULATOR` when `baseUrl` is the embedded simulator. */
  mode: 'SIMULATOR' | 'REMOTE';
  logger?: Logger;
}

/** What the embedded simulators share: botgraph's simulator knobs, on loopback with a free port. */
export interface EmbeddedSimulatorOptions extends SimulatorConfig {
  host: string;
  port: number;
  admin: SimulatorAdmin;
}

/** An embedded simulator as the registry holds it. */
export interface EmbeddedSimulator<C> {
  handle: SimulatorHandle;
  /** The vendor config pointed at the simulator: its URL, and its demo credentials where none were given. */
  config: C & { baseUrl: string };
  /** Called once botgraph listens (the CLOSER simulator then posts its webhooks to botgraph). */
  attach?(botgraphUrl: string): void;
  /** Called first at shutdown, before anything closes. */
  detach?(): void;
}

/** A simulator module, loaded with a dynamic `import()` only when its provider has no base URL. */
export interface SimulatorModule<C> {
  startEmbedded(config: C, options: EmbeddedSimulatorOptions): Promise<EmbeddedSimulator<C>>;
  /**
   * `npm run simulators`: the simulator on its own, with its demo credentials. `webhookUrl` is where a
   * simulator that pushes events posts them. `describe` is the line printed for people.
   */
  startStandalone(options: EmbeddedSimulatorOptions & { webhookUrl?: string }): Promise<{ handle: SimulatorHandle; describe(): string }>;
}

/** How announced changes reach subscribers; the dedupe keys are the ones pollers and mutations use. */
export interface LiveEventSink {
  conversation(conversation: ConversationModel, reason: ChangeReason): Promise<void>;
  handoffRequested(conversation: ConversationModel): Promise<void>;
  message(message: MessageModel): Promise<void>;
  /** A bot, end user or conversation was created, changed or deleted (an `entityChanged` event). */
  changed(change: Omit<EntityChangedEvent, 'kind'>): Promise<void>;
}

/**
 * A provider's pushed events. botgraph's generic route (`src/http/webhooks.ts`) does the HTTP
 * (POST only, the size limit, JSON); the receiver only says who may deliver and what a body means.
 */
export interface WebhookReceiver {
  maxBodyBytes: number;
  /** False: 401, before the body is read. */
  authorize(request: { headers: IncomingHttpHeaders; query: URLSearchParams }): boolean;
  /** The answer to send; `after` runs once it is sent (publishing must not delay the vendor). */
  receive(body: unknown): { status: number; body: unknown; after?: () => Promise<void> };
}

/** The rules the pollers and the event log follow for this vendor's conversations. */
export interface EventRules {
  /**
   * Whether the message count is part of a conversation's version. False where the list a poller
   * reads lacks it (Bot.one) while a detail read has it: counting it would make one state two versions.
   * @default true
   */
  versionCountsMessages?: boolean;
  /**
   * Whether the vendor reports a handoff *request* as a state of its own (`handoff: REQUESTED`).
   * Where it does not, a conversation entering operator state is the request. @default false
   */
  reportsHandoffRequests?: boolean;
  /** When the current handoff began (ms), where the payload says; else the last change is used. */
  handoffSince?(conversation: ConversationModel): number | null;
  /**
   * Whether each poll sweeps the whole list and compares the versions of unfinished conversations,
   * for a vendor whose `updatedAt` misses changes (Bot.one: a handoff moves no time). @default false
   */
  sweepsUnfinished?: boolean;
}

/**
 * One vendor, as botgraph plugs it in. `N` is its `Provider` enum value, `C` its config section.
 */
export interface ProviderAdapter<N extends string = string, C = unknown, S extends string = string> {
  /** The GraphQL `Provider` value, and the first part of every global ID. */
  readonly name: N;
  /** Lowercase: in `BOTGRAPH_PROVIDERS`, `/files/<slug>/…`, `/webhooks/<slug>` and `Config[slug]`. */
  readonly slug: S;
  /** The vendor's own name, for people (logs, the simulators CLI). */
  readonly label: string;

  readonly config: {
    /** The environment variables it reads, for docs and errors. */
    readonly env: readonly string[];
    /** Reads its section from the environment `src/config.ts` hands it; throws ConfigError naming the variable. */
    parse(env: Env): C;
    /** The configured vendor URL; null: botgraph embeds the simulator. */
    baseUrl(config: C): string | null;
  };

  /** Read capabilities (writes, files and webhooks are derived from what the adapter implements). */
  readonly reads: readonly CapabilityName[];
  /**
   * The writes its datasource implements (`implementedWrites(XDatasource.prototype)`): the most it
   * can do. A runtime may do fewer (Bot.one on API v1); `ProviderRuntime.writes` is what it does.
   */
  readonly writes: readonly WriteName[];
  /** Limits tighter than botgraph's own (`src/resolvers/validate.ts`); absent ones are botgraph's. */
  readonly limits?: Partial<TextLimits>;
  /** Why every write is unsupported, when that is the vendor's nature (CXone: a read-only export). */
  readonly unsupportedReason?: string;
  /** Rules for the pollers and the event log. */
  readonly events?: EventRules;
  /** Its part in analytics (`src/providers/<vendor>/stats.ts`, docs/stats.md). */
  readonly stats?: import('../stats/types.js').ProviderStatsHooks;
  /** Files served at `/files/<slug>/<id>`: the vendor file id inside a vendor file URL, if it is one. */
  readonly files?: { fileIdFromUrl(url: string): string | null };
  /**
   * Which of its GETs the shared entity cache may keep (`CACHE_TTL_MS`), and what each is about
   * (src/datasources/cache.ts). Absent: nothing of this vendor is kept.
   */
  readonly cacheTags?: import('../datasources/cache.js').CacheTagger;
  /** Pushed events (`POST /webhooks/<slug>`). */
  readonly webhook?: (deps: { config: C; events: LiveEventSink; logger: Logger }) => WebhookReceiver;

  /**
   * Free-text search (`filter.search`), where the vendor has one: lists pass it upstream, and
   * `matches` says the same of one conversation for live filters, so that `search` means one thing
   * in lists and subscriptions. Absent: lists and subscriptions leave the provider out for a search
   * and name it in `extensions.leftOut`.
   */
  readonly textSearch?: { matches(conversation: ConversationModel, search: string): boolean };
  /** Vendor-only fields of an end user (`EndUser.userKey`, `EndUser.params`), read from its payload. */
  readonly endUserFields?: { userKey(raw: unknown): string | null; params(raw: unknown): unknown };
  /**
   * The vendor's own query language, where clients may pass an expression through (`filter.cxoneQuery`):
   * `check` answers the parser's complaint, or null when the expression is good.
   */
  readonly nativeQuery?: { name: string; check(query: string): Promise<string | null> };
  /** A GraphiQL tab showing what is special about this vendor. */
  readonly example?: string;

  /** The process-wide runtime: the shared client and a fresh datasource per request. */
  createRuntime(options: RuntimeOptions<C>): ProviderRuntime;
  /** The embedded simulator, imported only when needed: production never loads simulator code. */
  loadSimulator(): Promise<SimulatorModule<C>>;
}

/** Types an adapter and keeps its literal name and slug, for `ProviderName` and `Config`. */
export function defineAdapter<const N extends string, C, const S extends string>(adapter: ProviderAdapter<N, C, S>): ProviderAdapter<N, C, S> {
  return adapter;
}
