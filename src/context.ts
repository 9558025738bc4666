import type { GraphQLError } from 'graphql';
import { OPEN_PRINCIPAL, type Principal } from './auth/principal.js';
import type { Logger } from 'pino';
import type { ProviderDatasource, ProviderInfoModel, ProviderRuntime } from './datasources/types.js';
import type { IdempotencyStore } from './idempotency/store.js';
import { PROVIDERS } from './providers/registry.js';
import type { LiveEventSink } from './providers/types.js';
import { liveEventSink } from './subscriptions/announce.js';
import { BotgraphError, ErrorCode } from './errors.js';
import type { ProviderName } from './models.js';
import type { Infra } from './infra.js';
import type { CircuitName } from './datasources/breaker.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { CursorCodec } from './pagination/cursors.js';
import type { Holdable } from './subscriptions/cohorts.js';
import type { OperationScope } from './observability/operation.js';
import type { LiveService } from './subscriptions/live.js';
import { TopicBudget } from './limits/rate.js';
import type { StatsService } from './stats/service.js';

/**
 * Per-request state. Datasources (and so their DataLoaders) are made lazily, once per request and
 * provider, so a query that touches one provider builds nothing for the others.
 */
export interface Context {
  /**
   * Who runs this operation: decided once per HTTP request, once per WebSocket at connection_init
   * (src/auth/authenticate.ts). Its role gates mutations; its scope hides what is outside it.
   */
  principal: Principal;
  /** The bucket the principal's operations and live topics are counted in (src/limits/rate.ts). */
  principalKey: string;
  /** Distinct live topics per principal, shared by every context of this process. */
  topics: TopicBudget;
  /** The state of a provider's circuit breaker (`Query.providers { circuit }`); null without one. */
  circuit(provider: ProviderName): CircuitName | null;
  /** The runtime of an enabled provider (capabilities, writes, mode); PROVIDER_DISABLED otherwise. */
  runtime(provider: ProviderName): ProviderRuntime;
  /** Every provider botgraph knows, in registry order, with its runtime when enabled (`Query.providers`). */
  providers(): ProviderInfoModel[];
  /** Idempotency keys, shared by every request (and replica, with Redis). */
  idempotency: IdempotencyStore;
  /** Announces a change to subscribers, with the dedupe keys pollers use. */
  events: LiveEventSink;
  /** Subscriptions: the event log and the shared pollers. */
  live: LiveService;
  /** Analytics (src/stats/): set by the server on every context it makes. */
  stats?: StatsService;
  logger: Logger;
  /** The operation this context serves: request id, deadline, upstream call count. */
  operation?: OperationScope;
  /** The enabled providers, in configuration order. */
  enabled: ProviderName[];
  /** The datasource of an enabled provider; PROVIDER_DISABLED otherwise. */
  datasource(provider: ProviderName): ProviderDatasource;
  /**
   * Errors of one provider inside a list that still returned the others' data. A plugin appends
   * them to the response's `errors`, one per provider and path.
   */
  partialErrors: GraphQLError[];
  /**
   * Drops this context's datasources (and their DataLoader caches). A subscription keeps one
   * context for its whole life; each event must be resolved with fresh reads, not the first event's.
   */
  fresh(): void;
  reportPartial(error: BotgraphError, path: ReadonlyArray<string | number>): void;
  /**
   * Providers a list left out because they cannot apply its filter (`search`, `cxoneQuery`): a
   * plugin puts them in the response's `extensions.leftOut` (`[{provider, filter, path}]`).
   */
  leftOut: Array<{ provider: ProviderName; filter: string; path: Array<string | number> }>;
  reportLeftOut(provider: ProviderName, filter: string, path: ReadonlyArray<string | number>): void;
  /**
   * Conversation lists still reading in this request (settled, never rejecting). By-id reads wait
   * for them: a list primes the loaders, so a `conversation(id)` beside the list costs no call.
   */
  pendingLists: Set<Promise<void>>;
  /**
   * The live streams this context's subscription opened. A cohort of subscribers sharing them
   * (src/subscriptions/cohorts.ts) adds each member as a holder of their topics.
   */
  liveStreams: Holdable[];
  /** This request's view of the compact cursor table; its writes are awaited before the response leaves. */
  cursors: CursorCodec;
}

export function providerDisabled(provider: ProviderName): BotgraphError {
  return new BotgraphError(ErrorCode.PROVIDER_DISABLED, `${provider} is not enabled in this deployment.`, { provider });
}

/** The providers a filter names, or every enabled one when it names none; PROVIDER_DISABLED for one not enabled. */
export function enabledProviders(ctx: Pick<Context, 'enabled'>, wanted: readonly ProviderName[] | null | undefined): ProviderName[] {
  const providers = wanted?.length ? [...new Set(wanted)] : ctx.enabled;
  for (const p of providers) if (!ctx.enabled.includes(p)) throw providerDisabled(p);
  return providers;
}

const UNLIMITED_TOPICS = new TopicBudget(Number.POSITIVE_INFINITY);

export function createContext(
  registry: ProviderRegistry,
  infra: Infra,
  live: LiveService,
  logger: Logger,
  operation?: OperationScope,
  principal: Principal = OPEN_PRINCIPAL,
  guard: { principalKey: string; topics: TopicBudget } = { principalKey: principal.name, topics: UNLIMITED_TOPICS },
): Context {
  const datasources = new Map<ProviderName, ProviderDatasource>();
  const partialErrors: GraphQLError[] = [];
  const reported = new Set<string>();
  const leftOut: Context['leftOut'] = [];
  return {
    principal,
    principalKey: guard.principalKey,
    topics: guard.topics,
    circuit: (provider) => registry.breakers.get(provider)?.state ?? null,
    runtime(provider) {
      const runtime = registry.runtimes.get(provider);
      if (!runtime) throw providerDisabled(provider);
      return runtime;
    },
    providers: () => PROVIDERS.map((provider) => ({ provider, runtime: registry.runtimes.get(provider) ?? null })),
    idempotency: infra.idempotency,
    events: liveEventSink(infra.events),
    live,
    logger,
    ...(operation ? { operation } : {}),
    enabled: [...registry.runtimes.keys()],
    datasource(provider) {
      let ds = datasources.get(provider);
      if (!ds) {
        const runtime = registry.runtimes.get(provider);
        if (!runtime) {
          throw providerDisabled(provider);
        }
        ds = runtime.forRequest();
        datasources.set(provider, ds);
      }
      return ds;
    },
    partialErrors,
    leftOut,
    reportLeftOut(provider, filter, path) {
      const key = `left|${provider}|${filter}|${path.join('.')}`;
      if (reported.has(key)) return;
      reported.add(key);
      leftOut.push({ provider, filter, path: [...path] });
    },
    pendingLists: new Set(),
    liveStreams: [],
    cursors: infra.cursors.forRequest(),
    fresh() {
      datasources.clear();
    },
    reportPartial(error, path) {
      // A failure once per provider and path (its other streams most likely failed alike); a
      // truncation once per truncated list (each names its bot), beside any failure.
      const kind = error.code === ErrorCode.PROVIDER_LIST_TRUNCATED ? `${error.code}|${JSON.stringify(error.details ?? {})}` : 'failed';
      const key = `${kind}|${error.provider ?? ''}|${path.join('.')}`;
      if (reported.has(key)) return;
      reported.add(key);
      partialErrors.push(
        new BotgraphError(error.code, error.message, {
          ...(error.provider ? { provider: error.provider } : {}),
          ...(error.circuit ? { circuit: error.circuit } : {}),
          ...(error.details ? { details: { ...error.details } } : {}),
          path,
        }),
      );
    },
  };
}
