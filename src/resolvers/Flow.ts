import type { FlowResolvers } from '../__generated__/resolvers-types.js';
import { encodeId } from '../ids.js';

export const Flow: FlowResolvers = {
  // The bot travels in the ID so that a transfer to this flow can check it belongs to the conversation's bot.
  id: (flow) => encodeId({ provider: flow.provider, type: 'Flow', nativeId: flow.nativeId, scope: [flow.botNativeId] }),
  nodes: (flow) => flow.nodes ?? [],
  raw: (flow) => flow.raw ?? null,
};
