/**
 * Shared bits of the subscription tests: selections, finding conversations, the simulators' own
 * HTTP APIs (to change state behind botgraph's back), and reading errors off a subscription.
 */
import { expect } from 'vitest';
import type { TestBotgraph } from '../../helpers/botgraph.js';
import type { Collected } from '../../helpers/live.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';

/** Short intervals for every test file: a poll every 200 ms, whatever the pace, 300 ms of grace. */
export const FAST_POLLS = {
  POLL_INTERVAL_MS: '200',
  POLL_FAST_INTERVAL_MS: '200',
  POLL_IDLE_INTERVAL_MS: '200',
  POLL_GRACE_MS: '300',
} as const;

export const CONV = 'id nativeId provider status handoff updatedAt eventCursor';
export const MSG = 'id nativeId sender text eventCursor';

export const SUB_CONVERSATIONS = `subscription($f: ConversationFilter, $since: String) { conversationUpdated(filter: $f, since: $since) { ${CONV} } }`;
export const SUB_MESSAGES = `subscription($id: ID!, $since: String) { messageAdded(conversationId: $id, since: $since) { ${MSG} } }`;
export const SUB_HANDOFFS = `subscription($p: [Provider!], $since: String) { handoffRequested(providers: $p, since: $since) { ${CONV} } }`;

export interface Conv {
  id: string;
  nativeId: string;
  provider: string;
  status: string;
  handoff: string;
  updatedAt: string | null;
  eventCursor?: string | null;
  bot?: { id: string; nativeId: string } | null;
}

export interface Msg {
  id: string;
  nativeId: string;
  sender: string;
  text: string | null;
  eventCursor: string | null;
}

/** Conversations of one provider, newest first, with their bot. */
export async function conversationsOf(bg: TestBotgraph, provider: string, statuses: string[], first = 50): Promise<Conv[]> {
  const res = await bg.gql(
    `query($f: ConversationFilter, $n: Int) { conversations(first: $n, filter: $f) { nodes { id nativeId provider status handoff updatedAt bot { id nativeId } } } }`,
    { f: { providers: [provider], statuses }, n: first },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.conversations.nodes;
}

/** Hands out distinct items, so tests of one file never touch the same conversation. */
export function pool<T>(items: T[]): { take(pred?: (item: T) => boolean): T } {
  const left = [...items];
  return {
    take(pred = () => true) {
      const i = left.findIndex(pred);
      if (i < 0) throw new Error('the pool ran out of conversations');
      return left.splice(i, 1)[0] as T;
    },
  };
}

/** Every read a CLOSER poller makes: failing them all blinds the pollers, so only a webhook can tell. Writes stay open. */
export const CLOSER_READS = [
  'GET /openapi/conversations',
  'GET /openapi/conversation/:id',
  'GET /openapi/conversation/:id/message',
  'GET /openapi/messages',
  'GET /openapi/bot/:botId/conversation',
];

export const closerSim = (bg: TestBotgraph) => bg.sim('CLOSER') as CloserSimulator;

/** Calls the CLOSER simulator's Open API directly, with the demo key: botgraph is not involved. */
export async function closerApi(bg: TestBotgraph, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${bg.sim('CLOSER').url}${path}`, {
    method,
    headers: { 'x-api-key': closerSim(bg).apiKey, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`CLOSER ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Calls the Bot.one simulator directly, with the demo account. */
export async function botoneApi(bg: TestBotgraph, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${bg.sim('BOTONE').url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('demo@bot.one:demo').toString('base64')}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`Bot.one ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** A global ID built the way botgraph builds them, for well-formed IDs of things that do not exist. */
export function makeId(provider: string, type: string, nativeId: string, ...scope: string[]): string {
  return Buffer.from(['b1', provider, type, nativeId, ...scope].map(encodeURIComponent).join('|'), 'utf8').toString('base64url');
}

/**
 * The errors a subscription ended with: either the `error` message (graphql-ws `onSubscribe`
 * refusals: validation, limits) or a `next` carrying errors (the resolver's own refusals).
 */
export function errorsOf(c: Collected<unknown>): Array<{ message: string; extensions?: Record<string, any> }> {
  if (Array.isArray(c.error)) return c.error as Array<{ message: string; extensions?: Record<string, any> }>;
  const withErrors = c.results.find((r) => r.errors?.length);
  return [...(withErrors?.errors ?? [])] as Array<{ message: string; extensions?: Record<string, any> }>;
}

export const cursorMs = (cursor: string): number => Number(cursor.split('-')[0]);
