/**
 * What the entity-cache and response-cache tests share: the queries they repeat, and one botgraph
 * with the cache on and fast polls, with a graphql-ws client. The TTL is long (60 s), so that
 * "within the TTL" never races the clock: what makes a read fresh there is invalidation.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { wsClient } from '../../helpers/live.js';
import { FAST_POLLS } from '../subscriptions/support.js';

export const INBOX = `{ conversations(first: 10) { totalCount nodes { id provider title status updatedAt fetchedAt bot { name } endUser { name } messages(first: 3) { nodes { sender text } } } } }`;
export const NODE = `query($id: ID!) { node(id: $id) { id ... on Conversation { status handoff fetchedAt messages(last: 3) { nodes { text } } } } }`;
export const SEND = `mutation($id: ID!, $text: String!) { sendMessage(input: { conversationId: $id, text: $text }) { message { id text } } }`;

/** Starts botgraph with `CACHE_TTL_MS=60000` before the suite's tests (hooks registered here). */
export function cachedBotgraph(): { readonly bg: TestBotgraph; readonly client: Client } {
  const rig = {} as { bg: TestBotgraph; client: Client };
  beforeAll(async () => {
    rig.bg = await startTestBotgraph({ CACHE_TTL_MS: '60000', ...FAST_POLLS });
    rig.client = wsClient(rig.bg);
  });
  afterAll(async () => {
    await rig.client?.dispose();
  });
  return rig;
}
