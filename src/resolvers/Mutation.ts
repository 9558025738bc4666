import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import type { ProviderWriter } from '../datasources/types.js';
import type { ChangeReason } from '../events/bus.js';
import { BotgraphError, ErrorCode, badInput } from '../errors.js';
import { checkIdempotencyKey, runIdempotent } from '../idempotency/run.js';
import { decodeId, type GlobalId } from '../ids.js';
import type { ConversationModel, MessageModel, ProviderName } from '../models.js';
import { adapterOf, providerImplementing } from '../providers/registry.js';
import type { WriteName } from '../providers/types.js';
import { requireBotInScope, requireConversationInScope, requireEndUserInScope, requireProviderInScope } from '../auth/scope.js';
import {
  checkJsonObject,
  checkJsonValue,
  checkMessage,
  checkNotes,
  checkTags,
  checkText,
  checkToken,
  limitsOf,
  type CheckedMessage,
} from './validate.js';

/**
 * The vendor write a mutation needs, or UNSUPPORTED_BY_PROVIDER before anything is sent. Said one
 * way: the runtime's `writes` (what its adapter implements, narrowed by API version) lists it or not.
 */
function writer<K extends WriteName>(ctx: Context, provider: ProviderName, method: K, what: string): NonNullable<ProviderWriter[K]> {
  const ds = ctx.datasource(provider);
  const runtime = ctx.runtime(provider);
  const fn = ds[method];
  if (!runtime.writes.has(method) || typeof fn !== 'function') {
    const adapter = adapterOf(provider);
    // "Not with API v1" only for a write the adapter has on another version; otherwise the API lacks it.
    const why =
      adapter.unsupportedReason ??
      (runtime.apiVersion && adapter.writes.includes(method) ? `not with API ${runtime.apiVersion}` : 'its API has no such operation');
    throw new BotgraphError(ErrorCode.UNSUPPORTED_BY_PROVIDER, `${provider} cannot ${what}: ${why}.`, { provider });
  }
  return (fn as (...args: unknown[]) => unknown).bind(ds) as NonNullable<ProviderWriter[K]>;
}

/** Custom blocks are addressed by token, not by ID: they go to the provider that implements them. */
function tokenWriter<K extends WriteName>(ctx: Context, method: K, what: string): NonNullable<ProviderWriter[K]> {
  const provider = providerImplementing(method);
  if (!provider) throw new BotgraphError(ErrorCode.UNSUPPORTED_BY_PROVIDER, `No provider can ${what}.`);
  // A custom-block token names no bot: only a principal that sees the whole provider may use one.
  requireProviderInScope(ctx, provider, 'custom block');
  return writer(ctx, provider, method, what);
}

/** Reads the conversation again after a write, past any cached copy from earlier in the request. */
async function reread(ctx: Context, provider: ProviderName, nativeId: string, scope: string[]): Promise<ConversationModel> {
  const ds = ctx.datasource(provider);
  ds.invalidateConversation?.(nativeId);
  const conversation = await ds.getConversation(nativeId, scope);
  if (!conversation) throw new BotgraphError(ErrorCode.NOT_FOUND, `${provider} no longer has this conversation.`, { provider });
  return conversation;
}

/**
 * Tells subscribers at once, so a console sees its own action without waiting for a poll. The
 * dedupe keys are the ones pollers and webhooks use, so the same change is not announced twice.
 */
async function announce(ctx: Context, conversation: ConversationModel, reason: ChangeReason, message?: MessageModel | null) {
  try {
    if (message) await ctx.events.message(message);
    await ctx.events.conversation(conversation, reason);
  } catch (error) {
    // The write succeeded; a bus hiccup must not turn it into an error the client would retry.
    ctx.logger.warn({ err: error }, 'could not publish a mutation event');
  }
}

/**
 * Idempotency keys are namespaced by principal: one client cannot replay, block or probe another's
 * key. A key never holds a space, so `<principal> <key>` cannot collide. (Keys of the anonymous principal of an open deployment are shared, as everything there is.)
 */
function ownKey(ctx: Context, key: string | null): string | null {
  return key === null ? null : `${ctx.principal.name} ${key}`;
}

/**
 * The part of a send's input its idempotency key is bound to: the checked text (as before rich sends
 * existed, so a text send's fingerprint is unchanged) or the checked rich message, so that the same
 * key with another card or place is IDEMPOTENCY_KEY_REUSED.
 */
function sentInput(checked: CheckedMessage): Record<string, unknown> {
  return checked.rich ? { text: checked.rich.text, content: checked.rich.content } : { text: checked.text };
}

function conversationRef(id: string, field: string): GlobalId {
  return decodeId(id, field, 'Conversation');
}

export const Mutation: MutationResolvers = {
  sendMessage: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const ref = conversationRef(input.conversationId, 'input.conversationId');
    const checked = checkMessage(input, 'input', limitsOf(ref.provider).text);
    await requireConversationInScope(ctx, ref.provider, ref.nativeId, ref.scope);
    const target = { nativeId: ref.nativeId, idScope: ref.scope };
    // Rich content needs its own write (RICH_MESSAGES): a provider without it is refused here, with no call.
    let send: () => Promise<MessageModel | null>;
    if (checked.rich) {
      const [rich, message] = [writer(ctx, ref.provider, 'sendRichMessage', 'send media, cards or locations'), checked.rich];
      send = () => rich(target, message);
    } else {
      const [plain, text] = [writer(ctx, ref.provider, 'sendMessage', 'send messages'), checked.text];
      send = () => plain(target, text);
    }
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'sendMessage',
      key: ownKey(ctx, key),
      input: { conversationId: input.conversationId, ...sentInput(checked) },
      execute: async (wrote) => {
        const message = await send();
        wrote();
        const conversation = await reread(ctx, ref.provider, ref.nativeId, ref.scope);
        await announce(ctx, conversation, 'message', message);
        return { message, conversation };
      },
    });
  },

  sendMessageToEndUser: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const user = decodeId(input.endUserId, 'input.endUserId', 'EndUser');
    const checked = checkMessage(input, 'input', limitsOf(user.provider).text);
    await requireEndUserInScope(ctx, user.provider, user.nativeId, user.scope);
    let send: () => Promise<MessageModel>;
    if (checked.rich) {
      const [rich, message] = [writer(ctx, user.provider, 'sendRichMessageToEndUser', 'send media, cards or locations to an end user'), checked.rich];
      send = () => rich(user.nativeId, message);
    } else {
      const [plain, text] = [writer(ctx, user.provider, 'sendMessageToEndUser', 'send messages to an end user'), checked.text];
      send = () => plain(user.nativeId, text);
    }
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'sendMessageToEndUser',
      key: ownKey(ctx, key),
      input: { endUserId: input.endUserId, ...sentInput(checked) },
      execute: async (wrote) => {
        const message = await send();
        wrote();
        const conversation = await reread(ctx, user.provider, message.conversationNativeId, message.conversationIdScope);
        await announce(ctx, conversation, 'message', message);
        return { message, conversation };
      },
    });
  },

  startHandoff: (_parent, { input }, ctx) => handoff(ctx, input, true),
  endHandoff: (_parent, { input }, ctx) => handoff(ctx, input, false),

  transferConversation: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const ref = conversationRef(input.conversationId, 'input.conversationId');
    const hasBot = input.targetBotId !== null && input.targetBotId !== undefined;
    const hasFlow = input.targetFlowId !== null && input.targetFlowId !== undefined;
    if (hasBot === hasFlow)
      throw badInput('Give exactly one of `targetBotId` and `targetFlowId`.', hasBot ? 'input.targetFlowId' : 'input.targetBotId');
    const target = hasBot
      ? decodeId(input.targetBotId as string, 'input.targetBotId', 'Bot')
      : decodeId(input.targetFlowId as string, 'input.targetFlowId', 'Flow');
    const field = hasBot ? 'input.targetBotId' : 'input.targetFlowId';
    let node: string | undefined;
    if (input.targetNodeId !== null && input.targetNodeId !== undefined) {
      if (!hasFlow) throw badInput('`targetNodeId` needs `targetFlowId` (a node is a node of a flow).', 'input.targetNodeId');
      node = input.targetNodeId.trim();
      if (node.length === 0 || node.length > 100) throw badInput('`input.targetNodeId` must be 1 to 100 characters.', 'input.targetNodeId');
    }
    if (target.provider !== ref.provider) {
      throw badInput(`The target belongs to ${target.provider}, the conversation to ${ref.provider}.`, field);
    }
    await requireConversationInScope(ctx, ref.provider, ref.nativeId, ref.scope);
    if (hasBot) requireBotInScope(ctx, target.provider, target.nativeId);
    const run = hasBot
      ? writer(ctx, ref.provider, 'transferToBot', 'transfer a conversation to another bot')
      : writer(ctx, ref.provider, 'transferToFlow', 'transfer a conversation to a flow');
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'transferConversation',
      key: ownKey(ctx, key),
      input: { conversationId: input.conversationId, target: hasBot ? input.targetBotId : input.targetFlowId, ...(node ? { node } : {}) },
      execute: async (wrote) => {
        const vendorMessage =
          (await (run as (c: { nativeId: string; idScope: string[] }, t: string, n?: string) => Promise<string | null | void>)(
            { nativeId: ref.nativeId, idScope: ref.scope },
            target.nativeId,
            ...(node ? [node] : []),
          )) ?? null;
        wrote();
        // A Bot.one conversation's bot travels in its ID scope; after `goto` it is the target bot.
        const scope = hasBot && ref.scope.length > 0 ? [target.nativeId, ...ref.scope.slice(1)] : ref.scope;
        const conversation = await reread(ctx, ref.provider, ref.nativeId, scope);
        await announce(ctx, conversation, 'transfer');
        return { conversation, vendorMessage };
      },
    });
  },

  createConversation: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const bot = decodeId(input.botId, 'input.botId', 'Bot');
    const variables = checkJsonObject(input.variables, 'input.variables');
    const start = input.start ?? false;
    requireBotInScope(ctx, bot.provider, bot.nativeId);
    const create = writer(ctx, bot.provider, 'createConversation', 'create conversations');
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'createConversation',
      key: ownKey(ctx, key),
      input: { botId: input.botId, variables, start },
      execute: async (wrote) => {
        const created = await create(bot.nativeId, variables, start);
        wrote();
        const conversation = await reread(ctx, bot.provider, created.nativeId, created.idScope);
        await announce(ctx, conversation, 'created');
        return { conversation, numericId: created.numericId, uuid: created.uuid };
      },
    });
  },

  updateConversation: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const ref = conversationRef(input.conversationId, 'input.conversationId');
    const patch: { tags?: string[]; notes?: string; params?: Record<string, unknown> } = {};
    const limits = limitsOf(ref.provider);
    if (input.tags !== null && input.tags !== undefined) patch.tags = checkTags(input.tags, 'input.tags', limits.tag);
    if (input.notes !== null && input.notes !== undefined) patch.notes = checkNotes(input.notes, 'input.notes', limits.notes);
    const params = checkJsonObject(input.params, 'input.params');
    if (params) patch.params = params;
    if (Object.keys(patch).length === 0) throw badInput('Give at least one of `tags`, `notes` and `params`.', 'input');
    await requireConversationInScope(ctx, ref.provider, ref.nativeId, ref.scope);
    const update = writer(ctx, ref.provider, 'updateConversation', 'edit conversations');
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'updateConversation',
      key: ownKey(ctx, key),
      input: { conversationId: input.conversationId, ...patch },
      execute: async (wrote) => {
        await update({ nativeId: ref.nativeId, idScope: ref.scope }, patch);
        wrote();
        const conversation = await reread(ctx, ref.provider, ref.nativeId, ref.scope);
        await announce(ctx, conversation, 'updated');
        return { conversation };
      },
    });
  },

  completeCustomBlock: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const token = checkToken(input.token, 'input.token');
    const data = checkJsonValue(input.data, 'input.data');
    const complete = tokenWriter(ctx, 'completeCustomBlock', 'complete custom blocks');
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'completeCustomBlock',
      key: ownKey(ctx, key),
      input: { token, data },
      execute: async () => {
        await complete(token, data);
        const conversation = await blockConversation(ctx, token);
        if (conversation) await announce(ctx, conversation, 'updated');
        return { completed: true, conversation };
      },
    });
  },

  sendCustomBlockMessage: async (_parent, { input }, ctx) => {
    const key = checkIdempotencyKey(input.idempotencyKey);
    const token = checkToken(input.token, 'input.token');
    const text = checkText(input.text, 'input.text');
    const typing = input.typing ?? false;
    const send = tokenWriter(ctx, 'sendCustomBlockMessage', 'send custom block messages');
    return runIdempotent({
      store: ctx.idempotency,
      mutation: 'sendCustomBlockMessage',
      key: ownKey(ctx, key),
      input: { token, text, typing },
      execute: async () => {
        const sent = await send(token, text, typing);
        const conversation = await blockConversation(ctx, token);
        if (conversation) {
          // The bot message the block sent, read back from the conversation (Bot.one has no message read).
          const messages = await ctx.datasource(conversation.provider).listMessages(conversation, 0, 10_000);
          const message = [...messages.items].reverse().find((m) => m.sender === 'BOT' && m.text === text) ?? null;
          await announce(ctx, conversation, 'message', message);
        }
        return { ...sent, conversation };
      },
    });
  },
};

/**
 * The conversation a custom block runs in, when its token names it, read fresh after the write; null
 * when the token does not say, or the conversation cannot be read (the write succeeded either way).
 */
async function blockConversation(ctx: Context, token: string): Promise<ConversationModel | null> {
  // The provider whose custom block this was: the one `tokenWriter` sent it to.
  const provider = providerImplementing('completeCustomBlock');
  if (!provider) return null;
  const ds = ctx.datasource(provider);
  try {
    const ref = (await ds.customBlockConversation?.(token)) ?? null;
    if (!ref) return null;
    return await reread(ctx, provider, ref.nativeId, ref.idScope);
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not read the conversation of a custom block');
    return null;
  }
}

async function handoff(ctx: Context, input: { conversationId: string; idempotencyKey?: string | null }, toOperator: boolean) {
  const key = checkIdempotencyKey(input.idempotencyKey);
  const ref = conversationRef(input.conversationId, 'input.conversationId');
  await requireConversationInScope(ctx, ref.provider, ref.nativeId, ref.scope);
  const set = writer(ctx, ref.provider, 'setHandoff', toOperator ? 'hand a conversation to an operator' : 'give a conversation back to the bot');
  return runIdempotent({
    store: ctx.idempotency,
    mutation: toOperator ? 'startHandoff' : 'endHandoff',
    key: ownKey(ctx, key),
    input: { conversationId: input.conversationId },
    execute: async (wrote) => {
      await set({ nativeId: ref.nativeId, idScope: ref.scope }, toOperator);
      wrote();
      const conversation = await reread(ctx, ref.provider, ref.nativeId, ref.scope);
      await announce(ctx, conversation, 'handoff');
      return { conversation };
    },
  });
}
