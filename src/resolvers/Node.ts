import { getArgumentValues, isObjectType, Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import type { ProviderDatasource } from '../datasources/types.js';
import { nullIfNotFound, UnreachableCaseError } from '../errors.js';
import { decodeId, type GlobalId } from '../ids.js';
import { nodeTypeName, type NodeModel } from './typeOf.js';
import { nodeVisible } from '../auth/scope.js';
import { providerInScope } from '../auth/principal.js';

export const Node: NodeResolvers = {
  __resolveType: (model) => nodeTypeName(model),
};

/**
 * The `first` of `messages` selected directly on this field's Conversation (no `after`, no
 * backward paging, no directives), or null. Only then is the read `Conversation.messages` will make
 * known before the conversation is.
 */
function selectedMessagesFirst(info: GraphQLResolveInfo | undefined): number | null {
  if (!info) return null;
  const conversation = info.schema.getType('Conversation');
  if (!isObjectType(conversation)) return null;
  const definition = conversation.getFields().messages;
  if (!definition) return null;
  const visit = (selections: readonly SelectionNode[]): number | null => {
    for (const selection of selections) {
      if (selection.directives?.length) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== 'messages') continue;
        const args = getArgumentValues(definition, selection, info.variableValues) as {
          first?: number | null;
          after?: unknown;
          last?: unknown;
          before?: unknown;
        };
        if (args.after != null || args.last != null || args.before != null) return null;
        const first = args.first ?? 50;
        return Number.isInteger(first) && first >= 0 && first <= 100 ? first : null;
      }
      const typeName =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.typeCondition?.name.value
          : info.fragments[selection.name.value]?.typeCondition.name.value;
      if (typeName !== undefined && typeName !== 'Conversation' && typeName !== 'Node') continue;
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet;
      const found = inner ? visit(inner.selections) : null;
      if (found !== null) return found;
    }
    return null;
  };
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  return visit(selections);
}

/** Resolves a global ID to its model through the owning provider's loaders; null when it is gone. */
export async function loadNode(ctx: Context, id: string, field = 'id', info?: GraphQLResolveInfo): Promise<NodeModel | null> {
  const gid: GlobalId = decodeId(id, field, ['Bot', 'Conversation', 'Message', 'EndUser']);
  // Outside the principal's scope the object does not exist: null, and no vendor call.
  if (!providerInScope(ctx.principal, gid.provider)) return null;
  const ds = ctx.datasource(gid.provider);
  if (gid.type === 'Conversation' && ds.prefetchMessages) {
    // The messages' read needs only the id: start it now, beside the conversation's (one wave).
    const first = selectedMessagesFirst(info);
    if (first !== null) ds.prefetchMessages(gid.nativeId, gid.scope, 0, first === 0 ? 1 : first);
  }
  // Sibling root fields start in the same tick: let a conversation list beside this read start, and
  // finish priming the loaders, so that an object it lists costs no by-id call.
  await Promise.resolve();
  if (ctx.pendingLists.size > 0) await Promise.all(ctx.pendingLists);
  // A vendor 404 on a by-id read means the object is gone: the contract says null.
  const model = await nullIfNotFound(readNode(ds, gid));
  return model && (await nodeVisible(ctx, model)) ? model : null;
}

async function readNode(ds: ProviderDatasource, gid: GlobalId): Promise<NodeModel | null> {
  switch (gid.type) {
    case 'Bot':
      return ds.getBot(gid.nativeId);
    case 'Conversation':
      return ds.getConversation(gid.nativeId, gid.scope);
    case 'Message':
      return ds.getMessage(gid.nativeId, gid.scope);
    case 'EndUser':
      return ds.getEndUser(gid.nativeId, gid.scope);
    case 'Flow':
      return null;
    default:
      throw new UnreachableCaseError(gid.type);
  }
}
