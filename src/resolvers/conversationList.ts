import { createHash } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { ConversationFilter } from '../__generated__/resolvers-types.js';
import { enabledProviders, type Context } from '../context.js';
import type { ConversationQuery } from '../datasources/types.js';
import { badInput, BotgraphError, ErrorCode } from '../errors.js';
import { decodeId } from '../ids.js';
import type { ConversationModel, ProviderName } from '../models.js';
import { adapterOf } from '../providers/registry.js';
import { checkCxoneQuery, checkSearch } from './validate.js';
import { checkFirst, type ConnectionModel } from '../pagination/connection.js';
import { mergeConversations, readSize } from '../pagination/merge.js';
import { narrowToScope } from '../auth/scope.js';

export interface ListScope {
  /** Only this provider (a bot's or an end user's own list). */
  provider?: ProviderName;
  /** Only these bots, as native ids of `provider`. */
  botNativeIds?: string[];
  endUserNativeId?: string;
}

/** `filter.botIds` as native ids per provider; BAD_USER_INPUT naming the first that is not a Bot ID. */
export function botsByProvider(filter: ConversationFilter): Map<ProviderName, string[]> {
  const bots = new Map<ProviderName, string[]>();
  (filter.botIds ?? []).forEach((id, i) => {
    const bot = decodeId(id, `filter.botIds[${i}]`, 'Bot');
    bots.set(bot.provider, [...(bots.get(bot.provider) ?? []), bot.nativeId]);
  });
  return bots;
}

/**
 * The one entry point for every conversation list (`Query.conversations`, `Bot.conversations`,
 * `EndUser.conversations`): turns the GraphQL filter into per-provider streams and merges them.
 * A provider that fails is left out of the page and reported once as a partial error.
 */
export async function listConversations(
  ctx: Context,
  info: GraphQLResolveInfo,
  args: { first?: number | null; after?: string | null; filter?: ConversationFilter | null },
  scope: ListScope = {},
): Promise<ConnectionModel<ConversationModel>> {
  const first = checkFirst(args.first, 20);
  const filter = args.filter ?? {};

  const query: ConversationQuery = {};
  if (filter.statuses?.length) query.statuses = [...new Set(filter.statuses)];
  if (filter.createdFrom) query.createdFrom = filter.createdFrom;
  if (filter.createdTo) query.createdTo = filter.createdTo;
  if (filter.updatedFrom) query.updatedFrom = filter.updatedFrom;
  if (filter.updatedTo) query.updatedTo = filter.updatedTo;
  for (const [from, to, name] of [
    [query.createdFrom, query.createdTo, 'createdFrom'],
    [query.updatedFrom, query.updatedTo, 'updatedFrom'],
  ] as const) {
    if (from && to && from > to) throw badInput(`\`filter.${name}\` is after its upper bound.`, `filter.${name}`);
  }
  const search = checkSearch(filter.search);
  if (search) query.search = search;
  // Awaited only when given: a by-id read beside this list waits for `pendingLists`, which this
  // function fills before its first await (src/resolvers/Node.ts).
  const cxoneQuery = filter.cxoneQuery === null || filter.cxoneQuery === undefined ? null : await checkCxoneQuery(filter.cxoneQuery);
  if (cxoneQuery) query.cxoneQuery = cxoneQuery;
  if (scope.endUserNativeId) query.endUserNativeId = scope.endUserNativeId;

  let providers = enabledProviders(ctx, scope.provider ? [scope.provider] : filter.providers);

  let bots: Map<ProviderName, string[]>;
  if (scope.botNativeIds && scope.provider) {
    bots = new Map([[scope.provider, scope.botNativeIds]]);
  } else {
    bots = botsByProvider(filter);
    if (bots.size > 0) providers = providers.filter((p) => bots.has(p));
  }
  // Outside the principal's scope nothing exists: pushed down as a bot filter, so the vendors'
  // totals (and `totalCount`) count only what is in scope.
  ({ providers, bots } = narrowToScope(ctx, providers, bots));

  const path = responsePathAsArray(info.path);
  // Started before the first await below: a by-id read beside this list waits for `pendingLists`.
  const perProvider = providers.map((provider) => {
    const ds = ctx.datasource(provider);
    const only = bots.get(provider) ?? null;
    return ds.listStreams
      ? ds.listStreams(query, only, args.after ? undefined : readSize(first))
      : Promise.resolve(ds.conversationStreams(query, only));
  });
  for (const provider of providers) {
    // Said, not dropped silently: a provider that cannot search text or take the query lists nothing for it.
    const adapter = adapterOf(provider);
    const cannot = search && !adapter.textSearch ? 'search' : cxoneQuery && !adapter.nativeQuery ? 'cxoneQuery' : null;
    if (cannot) ctx.reportLeftOut(provider, cannot, path);
  }

  // Each provider's streams are read as soon as they are made: Bot.one's and CXone's lists do not
  // wait for CLOSER's bot list. A provider whose streams cannot be made (CLOSER's bot list failed)
  // is left out as a partial error.
  const groups = perProvider.map((made, i) =>
    made.catch((reason: unknown) => {
      ctx.reportPartial(
        reason instanceof BotgraphError
          ? reason
          : new BotgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error.', { cause: reason, provider: providers[i] as ProviderName }),
        path,
      );
      return [];
    }),
  );
  const result = mergeConversations({
    groups,
    first,
    after: args.after,
    queryKey: (streams) =>
      createHash('sha256')
        .update(JSON.stringify({ query, streams: streams.map((s) => s.key).sort() }))
        .digest('base64url')
        .slice(0, 16),
    cursors: ctx.cursors,
    onStreamError: (_stream, error) => ctx.reportPartial(error, path),
    // A stream that read only part of its list (Bot.one's page cap) says so beside the data.
    onStreamPartial: (_stream, error) => ctx.reportPartial(error, path),
  });
  // By-id reads in the same request wait for this list, which primes their loaders (src/resolvers/Node.ts).
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  ctx.pendingLists.add(settled);
  void settled.then(() => ctx.pendingLists.delete(settled));
  return result;
}
