import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../context.js';
import type { ProviderDatasource } from '../datasources/types.js';
import { nullIfNotFound, UnreachableCaseError } from '../errors.js';
import { decodeId, type GlobalId } from '../ids.js';
import { nodeTypeName, type NodeModel } from './typeOf.js';
import { nodeVisible } from '../auth/scope.js';
import { providerInScope } from '../auth/principal.js';

export const Node: NodeResolvers = {
  __resolveType: (model) => nodeTypeName(model as NodeModel),
};

/** Resolves a global ID to its model through the owning provider's loaders; null when it is gone. */
export async function loadNode(ctx: Context, id: string, field = 'id'): Promise<NodeModel | null> {
  const gid: GlobalId = decodeId(id, field, ['Bot', 'Conversation', 'Message', 'EndUser']);
  // Outside the principal's scope the object does not exist: null, and no vendor call.
  if (!providerInScope(ctx.principal, gid.provider)) return null;
  const ds = ctx.datasource(gid.provider);
  // Sibling root fields start in the same tick: let a conversation list beside this read start, and
  // finish priming the loaders, so that an object it lists costs no by-id call.
  await null;
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
