import type { Context } from '../context.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import type { ConversationModel, ProviderName } from '../models.js';
import type { NodeModel } from '../resolvers/typeOf.js';
import { nodeTypeName } from '../resolvers/typeOf.js';
import { inScope, providerInScope, scopedBots } from './principal.js';

/**
 * Scopes in the resolvers: outside its scope a conversation, bot or end user does not exist for
 * the principal. Lists push the scope down to the datasource (as a bot filter), so vendor totals
 * count only what is in scope; by-id reads answer null; mutations NOT_FOUND; subscriptions filter
 * every event (live and replayed) with `conversationVisible`.
 */

export function conversationVisible(ctx: Pick<Context, 'principal'>, c: Pick<ConversationModel, 'provider' | 'botNativeId'>): boolean {
  return inScope(ctx.principal, c.provider, c.botNativeId);
}

/** Whether a node exists for the principal. A message is visible when its conversation is. */
export async function nodeVisible(ctx: Context, model: NodeModel): Promise<boolean> {
  const { principal } = ctx;
  if (principal.scope === null) return true;
  const provider = model.provider;
  if (!providerInScope(principal, provider)) return false;
  if (scopedBots(principal, provider) === null) return true;
  const type = nodeTypeName(model);
  switch (type) {
    case 'Bot':
      return inScope(principal, provider, (model as { nativeId: string }).nativeId);
    case 'Conversation':
    case 'EndUser':
      return inScope(principal, provider, (model as { botNativeId: string | null }).botNativeId);
    case 'Message': {
      const m = model as { conversationNativeId: string; conversationIdScope: string[] };
      const conversation = await ctx.datasource(provider).getConversation(m.conversationNativeId, m.conversationIdScope);
      return conversation !== null && conversationVisible(ctx, conversation);
    }
  }
}

export function notFound(provider: ProviderName, what: string): BotgraphError {
  return new BotgraphError(ErrorCode.NOT_FOUND, `${provider} has no such ${what}.`, { provider });
}

/**
 * For a mutation: NOT_FOUND unless the conversation is in scope. With a whole-provider scope this
 * costs nothing; with bots it reads the conversation (a read, never a write) to learn its bot.
 */
export async function requireConversationInScope(ctx: Context, provider: ProviderName, nativeId: string, idScope: string[]): Promise<void> {
  if (ctx.principal.scope === null) return;
  if (!providerInScope(ctx.principal, provider)) throw notFound(provider, 'conversation');
  if (scopedBots(ctx.principal, provider) === null) return;
  const conversation = await ctx.datasource(provider).getConversation(nativeId, idScope);
  if (!conversation || !conversationVisible(ctx, conversation)) throw notFound(provider, 'conversation');
}

export function requireBotInScope(ctx: Context, provider: ProviderName, botNativeId: string): void {
  if (!inScope(ctx.principal, provider, botNativeId)) throw notFound(provider, 'bot');
}

export async function requireEndUserInScope(ctx: Context, provider: ProviderName, nativeId: string, idScope: string[]): Promise<void> {
  if (ctx.principal.scope === null) return;
  if (!providerInScope(ctx.principal, provider)) throw notFound(provider, 'end user');
  if (scopedBots(ctx.principal, provider) === null) return;
  const user = await ctx.datasource(provider).getEndUser(nativeId, idScope);
  if (!user || !inScope(ctx.principal, provider, user.botNativeId)) throw notFound(provider, 'end user');
}

/** A provider-wide operation (Bot.one's custom-block token names no bot): only for a provider-wide scope. */
export function requireProviderInScope(ctx: Context, provider: ProviderName, what: string): void {
  if (ctx.principal.scope === null) return;
  if (scopedBots(ctx.principal, provider) !== null || !providerInScope(ctx.principal, provider)) throw notFound(provider, what);
}

/**
 * Narrows a per-provider bot filter to the principal's scope. Returns the providers left and the
 * bots per provider (a provider absent from the map: all its bots).
 */
export function narrowToScope(
  ctx: Pick<Context, 'principal'>,
  providers: ProviderName[],
  bots: Map<ProviderName, string[]>,
): { providers: ProviderName[]; bots: Map<ProviderName, string[]> } {
  const { principal } = ctx;
  if (principal.scope === null) return { providers, bots };
  const narrowed = new Map(bots);
  const kept: ProviderName[] = [];
  for (const provider of providers) {
    if (!providerInScope(principal, provider)) continue;
    const allowed = scopedBots(principal, provider);
    if (allowed !== null) {
      const wanted = narrowed.get(provider);
      const only = wanted ? wanted.filter((b) => allowed.includes(b)) : allowed;
      if (only.length === 0) {
        narrowed.delete(provider);
        continue;
      }
      narrowed.set(provider, only);
    }
    kept.push(provider);
  }
  return { providers: kept, bots: narrowed };
}
