import type { Resolvers } from '../__generated__/resolvers-types.js';

/** Relay connections: `nodes` is the edges' nodes, `totalCount` is computed only when asked. */
const connection = {
  nodes: <T>(c: { edges: { node: T }[] }) => c.edges.map((e) => e.node),
  totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount(),
};

export const connections: Pick<Resolvers, 'ConversationConnection' | 'MessageConnection' | 'EndUserConnection'> = {
  ConversationConnection: connection,
  MessageConnection: connection,
  EndUserConnection: connection,
};
