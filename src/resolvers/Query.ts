import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { enabledProviders } from '../context.js';
import { decodeId } from '../ids.js';
import { checkFirst, offsetConnection } from '../pagination/connection.js';
import { listConversations } from './conversationList.js';
import { loadNode } from './Node.js';
import { BotgraphError, badInput } from '../errors.js';
import type { EndUserModel, MessageModel } from '../models.js';
import type { MessageSearch } from '../datasources/types.js';
import { responsePathAsArray } from 'graphql';
import { inScope, providerInScope, scopedBots } from '../auth/principal.js';

export const Query: QueryResolvers = {
  node: (_parent, { id }, ctx, info) => loadNode(ctx, id, 'id', info),
  nodes: (_parent, { ids }, ctx, info) => {
    if (ids.length > 100) throw badInput('`ids` takes at most 100 IDs.', 'ids');
    // One promise per ID: a bad or failing ID nulls only its own slot, with its own error path.
    return ids.map((id, i) => loadNode(ctx, id, `ids[${i}]`, info)) as never;
  },

  bots: async (_parent, { providers }, ctx, info) => {
    // One rule for every list: a provider named but not enabled is PROVIDER_DISABLED (`enabledProviders`).
    const wanted = enabledProviders(ctx, providers).filter((p) => providerInScope(ctx.principal, p));
    const lists = await Promise.all(
      wanted.map(async (provider) => {
        try {
          return (await ctx.datasource(provider).listBots()).filter((b) => inScope(ctx.principal, b.provider, b.nativeId));
        } catch (error) {
          if (error instanceof BotgraphError && error.provider) {
            ctx.reportPartial(error, [info.path.key]);
            return [];
          }
          throw error;
        }
      }),
    );
    return lists.flat();
  },
  bot: async (_parent, { id }, ctx) => {
    const gid = decodeId(id, 'id', 'Bot');
    if (!inScope(ctx.principal, gid.provider, gid.nativeId)) return null;
    return ctx.datasource(gid.provider).getBot(gid.nativeId);
  },

  conversations: (_parent, args, ctx, info) => listConversations(ctx, info, args),
  conversation: async (_parent, { id }, ctx, info) => {
    decodeId(id, 'id', 'Conversation');
    return loadNode(ctx, id, 'id', info) as never;
  },

  endUsers: async (_parent, { first, after, filter }, ctx) => {
    const size = checkFirst(first, 20);
    const listing = enabledProviders(ctx, filter?.providers);
    const botIds = (filter?.botIds ?? []).map((id, i) => decodeId(id, `filter.botIds[${i}]`, 'Bot'));
    // End users are listed by the providers that can list them (`listEndUsers` not null); the first that does answers.
    const inScopeListing = listing.filter((p) => providerInScope(ctx.principal, p));
    return offsetConnection<EndUserModel>('endUsers', size, after, async (offset, limit) => {
      for (const provider of inScopeListing) {
        let bots = botIds.filter((b) => b.provider === provider).map((b) => b.nativeId);
        if (botIds.length > 0 && bots.length === 0) continue;
        // A bot-scoped principal lists only its bots' end users (pushed down, so totals agree).
        const allowed = scopedBots(ctx.principal, provider);
        if (allowed !== null) {
          bots = bots.length > 0 ? bots.filter((b) => allowed.includes(b)) : allowed;
          if (bots.length === 0) continue;
        }
        const result = await ctx
          .datasource(provider)
          .listEndUsers({ botNativeIds: bots.length ? bots : null, ...(filter?.platform ? { platform: filter.platform } : {}) }, offset, limit);
        if (result) return result;
      }
      return { items: [], total: 0 };
    });
  },
  endUser: async (_parent, { id }, ctx) => {
    decodeId(id, 'id', 'EndUser');
    return loadNode(ctx, id) as never;
  },

  messages: async (_parent, { first, after, filter }, ctx, info) => {
    const size = checkFirst(first, 20);
    const f = filter ?? {};
    // The providers whose datasource can search messages across conversations (CLOSER's
    // `GET /openapi/messages`); the others are said to be left out, never dropped silently.
    const able = ctx.enabled.filter((p) => typeof ctx.datasource(p).searchMessages === 'function');
    const search: MessageSearch = {};
    const ids: Array<{ provider: string; field: string }> = [];
    const native = (id: string, field: string, type: 'Conversation' | 'EndUser' | 'Bot') => {
      const ref = decodeId(id, field, type);
      if (!able.includes(ref.provider)) throw badInput(`\`${field}\` is a ${ref.provider} ID; ${ref.provider} cannot search messages.`, field);
      ids.push({ provider: ref.provider, field });
      return ref.nativeId;
    };
    if (f.conversationId) search.conversationNativeId = native(f.conversationId, 'filter.conversationId', 'Conversation');
    if (f.endUserId) search.endUserNativeId = native(f.endUserId, 'filter.endUserId', 'EndUser');
    if (f.botIds?.length) search.botNativeIds = f.botIds.map((id, i) => native(id, `filter.botIds[${i}]`, 'Bot'));
    if (f.fromEndUser !== null && f.fromEndUser !== undefined) search.fromEndUser = f.fromEndUser;
    if (f.from) search.from = f.from;
    if (f.to) search.to = f.to;
    if (search.from && search.to && search.from > search.to) throw badInput('`filter.from` is after `filter.to`.', 'filter.from');
    // IDs narrow the search to their provider.
    const searched = ids.length > 0 ? able.filter((p) => p === ids[0]!.provider) : able;
    if (ids.some((i) => i.provider !== ids[0]!.provider)) throw badInput('The filter names IDs of different providers.', ids[0]!.field);
    const path = responsePathAsArray(info.path);
    for (const provider of ctx.enabled) if (!searched.includes(provider)) ctx.reportLeftOut(provider, 'messages', path);
    // One provider can today (CLOSER); a second would need a merge of the two orders.
    const provider = searched[0];
    return offsetConnection<MessageModel>('messages', size, after, (offset, limit) => {
      const ds = provider === undefined ? undefined : ctx.datasource(provider);
      return ds?.searchMessages ? ds.searchMessages(search, offset, limit) : Promise.resolve({ items: [], total: 0 });
    });
  },

  // A scoped principal sees only the providers its scope names (whole or some of their bots): the
  // others do not exist for it, enabled or not, and their health is not probed on its behalf.
  providers: (_parent, _args, ctx) => ctx.providers().filter((p) => providerInScope(ctx.principal, p.provider)),
};
