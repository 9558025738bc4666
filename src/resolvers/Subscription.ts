import type { ConversationFilter, SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { enabledProviders, type Context } from '../context.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { isConversationDeleted, type BotgraphEvent, type LoggedEvent } from '../events/bus.js';
import { decodeId } from '../ids.js';
import type { ConversationModel, MessageModel, ProviderName } from '../models.js';
import type { Topic } from '../subscriptions/pollers.js';
import { conversationTopic, messageTopic } from '../subscriptions/topics.js';
import { checkSearch } from './validate.js';
import { badInput } from '../errors.js';
import { botsByProvider } from './conversationList.js';
import { conversationVisible, narrowToScope, requireConversationInScope } from '../auth/scope.js';
import { releasing } from '../limits/rate.js';
import { adapterOf } from '../providers/registry.js';
import { responsePathAsArray } from 'graphql';

/**
 * Opens the live stream holding its topics against the principal's cap (LIVE_TOPICS_PER_PRINCIPAL):
 * a topic is one poller upstream, so this bounds the polling one client can cause. With Redis the
 * cap counts the principal's topics on every replica (src/limits/rate.ts).
 */
async function budgeted(
  ctx: Context,
  topics: Topic[],
  match: (e: BotgraphEvent) => boolean,
  since: string | null | undefined,
  ends?: (e: BotgraphEvent) => boolean,
) {
  const release = await ctx.topics.acquire(
    ctx.principalKey,
    topics.map((t) => t.key),
  );
  try {
    return releasing(ctx.live.stream(ctx, topics, match, since, ends), release);
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * The conversation topics that cover `providers` (and, where a provider lists per bot, only `bots`).
 * A topic always watches its whole stream, never narrowed to this subscriber's bots: the poller is
 * shared by topic key (CLOSER's one stream serves every bot), so a narrowed first subscriber would
 * hide other bots' changes from everyone who joins later. The bot filter runs in memory.
 */
function conversationTopics(ctx: Context, providers: ProviderName[], bots: Map<ProviderName, string[]>): Topic[] {
  const topics: Topic[] = [];
  for (const provider of providers) {
    if (!ctx.enabled.includes(provider)) continue;
    const runtime = ctx.runtime(provider);
    const only = bots.get(provider) ?? null;
    for (const stream of ctx.datasource(provider).conversationStreams({}, only)) {
      topics.push(conversationTopic(runtime, stream.key, null));
    }
  }
  return topics;
}

/** The filter applied to each event, in memory: polls and webhooks see every change of a topic. */
function filterMatcher(filter: ConversationFilter, providers: ProviderName[], bots: Map<ProviderName, string[]>) {
  const search = filter.search?.trim().toLowerCase();
  return (c: ConversationModel): boolean => {
    if (!providers.includes(c.provider)) return false;
    const onlyBots = bots.get(c.provider);
    if (bots.size > 0 && (!onlyBots || !c.botNativeId || !onlyBots.includes(c.botNativeId))) return false;
    if (filter.statuses?.length && !filter.statuses.includes(c.status)) return false;
    const created = c.createdAt?.getTime();
    const updated = c.updatedAt?.getTime();
    if (filter.createdFrom && (created === undefined || created < filter.createdFrom.getTime())) return false;
    if (filter.createdTo && (created === undefined || created > filter.createdTo.getTime())) return false;
    if (filter.updatedFrom && (updated === undefined || updated < filter.updatedFrom.getTime())) return false;
    if (filter.updatedTo && (updated === undefined || updated > filter.updatedTo.getTime())) return false;
    // The same meaning as in lists: the vendor's text search where it has one; the others are left out (and named).
    if (search && !adapterOf(c.provider).textSearch?.matches(c, search)) return false;
    return true;
  };
}

const asConversation = (e: LoggedEvent, _args: unknown, ctx: Context): ConversationModel => {
  ctx.fresh();
  return e.event.kind === 'conversation' || e.event.kind === 'handoffRequested'
    ? { ...e.event.conversation, eventCursor: e.id }
    : (undefined as never);
};

export const Subscription: SubscriptionResolvers = {
  messageAdded: {
    subscribe: async (_parent, { conversationId, since }, ctx) => {
      const ref = decodeId(conversationId, 'conversationId', 'Conversation');
      const runtime = ctx.runtime(ref.provider);
      if (!runtime.capabilities.includes('READ_MESSAGES')) {
        throw new BotgraphError(ErrorCode.UNSUPPORTED_BY_PROVIDER, `${ref.provider} cannot read messages.`, { provider: ref.provider });
      }
      // Out of scope, the conversation does not exist: NOT_FOUND, as for an unknown one.
      await requireConversationInScope(ctx, ref.provider, ref.nativeId, ref.scope);
      await ctx.live.checkConversation(ctx, ref.provider, ref.nativeId, ref.scope);
      // The conversation's deletion (a CLOSER `bot.conversation.deleted`) is the stream's last event:
      // it resolves to the terminal error CONVERSATION_DELETED, then the subscription completes.
      const deleted = (e: BotgraphEvent) => isConversationDeleted(e, ref.provider, ref.nativeId);
      const match = (e: BotgraphEvent) =>
        (e.kind === 'message' && e.provider === ref.provider && e.message.conversationNativeId === ref.nativeId) || deleted(e);
      return budgeted(ctx, [messageTopic(runtime, ctx.live.bus, ref.nativeId, ref.scope)], match, since, deleted) as never;
    },
    resolve: (e: LoggedEvent, _args: unknown, ctx: Context): MessageModel => {
      ctx.fresh();
      if (e.event.kind === 'entityChanged') {
        throw new BotgraphError(ErrorCode.CONVERSATION_DELETED, `${e.event.provider} deleted this conversation; the subscription ends.`, {
          provider: e.event.provider,
          details: { eventCursor: e.id },
        });
      }
      return e.event.kind === 'message' ? { ...e.event.message, eventCursor: e.id } : (undefined as never);
    },
  },

  conversationUpdated: {
    subscribe: async (_parent, { filter, since }, ctx, info) => {
      const f = filter ?? {};
      checkSearch(f.search);
      // A live event is matched in botgraph, which cannot evaluate CXone's query language: refused,
      // never silently ignored.
      if (f.cxoneQuery !== null && f.cxoneQuery !== undefined) {
        throw badInput('`filter.cxoneQuery` applies to lists only; subscriptions cannot evaluate it.', 'filter.cxoneQuery');
      }
      const bots = botsByProvider(f);
      // A bot of a disabled provider is refused as such, not left to match nothing forever.
      enabledProviders(ctx, [...bots.keys()]);
      let providers = enabledProviders(ctx, f.providers);
      if (bots.size > 0) providers = providers.filter((p) => bots.has(p));
      const matches = filterMatcher(f, providers, bots);
      // Said, as lists say it: every event of this subscription names the providers its search leaves out.
      if (f.search) for (const p of providers) if (!adapterOf(p).textSearch) ctx.reportLeftOut(p, 'search', responsePathAsArray(info.path));
      // Every event, live or replayed after `since`, is also checked against the principal's scope.
      const match = (e: BotgraphEvent) => e.kind === 'conversation' && matches(e.conversation) && conversationVisible(ctx, e.conversation);
      const visible = narrowToScope(ctx, providers, bots);
      return budgeted(ctx, conversationTopics(ctx, visible.providers, visible.bots), match, since) as never;
    },
    resolve: asConversation,
  },

  handoffRequested: {
    subscribe: async (_parent, { providers, since }, ctx) => {
      const wanted = enabledProviders(ctx, providers);
      const match = (e: BotgraphEvent) => e.kind === 'handoffRequested' && wanted.includes(e.provider) && conversationVisible(ctx, e.conversation);
      const visible = narrowToScope(ctx, wanted, new Map());
      return budgeted(ctx, conversationTopics(ctx, visible.providers, visible.bots), match, since) as never;
    },
    resolve: asConversation,
  },
};
