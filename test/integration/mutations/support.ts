/**
 * Shared helpers of the mutation tests: finding conversations to write to, asserting errors and
 * upstream call counts, the bus listener, and the leak checks (no vendor body, URL with a query
 * string, or credential in any answer).
 */
import { expect } from 'vitest';
import type { GraphQLResponse, TestBotgraph } from '../../helpers/botgraph.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';

export const PROVIDERS = ['CLOSER', 'BOTONE', 'CXONE'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Route names as the simulators count them at `/__sim/stats`. */
export const ROUTES = {
  closerSend: 'POST /openapi/conversation/:id/message',
  closerSendToEndUser: 'POST /openapi/message',
  closerManual: 'PUT /openapi/conversation/:id/manual',
  closerNavigation: 'PUT /openapi/conversation/:id/navigation',
  closerUpdate: 'PUT /openapi/conversation/:id',
  botoneSend: 'POST /api/v2/conversation/:uuid/send',
  botoneStop: 'POST /api/v2/conversation/:uuid/stop',
  botoneStart: 'POST /api/v2/conversation/:uuid/start',
  botoneCommand: 'POST /api/v2/conversation/:uuid/command',
  botoneCreateGet: 'GET /api/v2/dialog/:botId/create',
  botoneCreatePost: 'POST /api/v2/dialog/:botId/create',
  botoneComplete: 'POST /api/vertex/v1/complete',
  botoneVertexSend: 'POST /api/vertex/v1/dialog/send_message',
} as const;

/** Builds a global ID the way botgraph does (`b1|PROVIDER|Type|nativeId|scope…`), for crafted IDs. */
export function makeId(provider: string, type: string, nativeId: string, ...scope: string[]): string {
  return Buffer.from(['b1', provider, type, nativeId, ...scope].map(encodeURIComponent).join('|'), 'utf8').toString('base64url');
}

export function idParts(id: string): { provider: string; type: string; nativeId: string; scope: string[] } {
  const [, provider, type, nativeId, ...scope] = Buffer.from(id, 'base64url').toString('utf8').split('|').map(decodeURIComponent);
  return { provider: provider!, type: type!, nativeId: nativeId!, scope };
}

/** Every simulator's total request count since the last `resetStats()`. */
export async function totals(bg: TestBotgraph): Promise<Record<Provider, number>> {
  const out = {} as Record<Provider, number>;
  for (const p of PROVIDERS) out[p] = (await bg.stats(p)).total;
  return out;
}

export async function expectNoUpstreamCalls(bg: TestBotgraph): Promise<void> {
  expect(await totals(bg)).toEqual({ CLOSER: 0, BOTONE: 0, CXONE: 0 });
}

/** The one error of a response, asserted to have `code` (and whatever else `extensions` must hold). */
export function expectError(res: GraphQLResponse, code: string, extensions: Record<string, unknown> = {}) {
  expect(res.errors, JSON.stringify(res)).toBeDefined();
  expect(res.errors).toHaveLength(1);
  const error = res.errors![0]!;
  expect(error.extensions).toMatchObject({ code, ...extensions });
  return error;
}

export const CONVERSATION_FIELDS = `id provider nativeId status handoff updatedAt messageCount tags notes bot { id nativeId }
  collectedData { question answer type variable deleted fileUrl }`;

/** The newest conversations of one provider with one status (`bot` and `tags` included). */
export async function conversationsOf(bg: TestBotgraph, provider: Provider, statuses: string[], first = 20): Promise<Array<Record<string, any>>> {
  const res = await bg.gql(`query($f: ConversationFilter, $n: Int) { conversations(first: $n, filter: $f) { nodes { ${CONVERSATION_FIELDS} } } }`, {
    f: { providers: [provider], statuses },
    n: first,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.conversations.nodes;
}

/**
 * Hands out distinct conversations of one status, so that tests in a file never write to the same
 * one (a handoff in one test must not change what another test sees).
 */
export class ConversationPool {
  private readonly used = new Set<string>();
  constructor(private readonly bg: TestBotgraph) {}

  async take(provider: Provider, statuses: string[], where: (c: Record<string, any>) => boolean = () => true) {
    const nodes = await conversationsOf(this.bg, provider, statuses, 100);
    const found = nodes.find((c) => !this.used.has(c.id) && where(c));
    if (!found) throw new Error(`no unused ${provider} conversation with status ${statuses.join('/')}`);
    this.used.add(found.id);
    return found;
  }
}

export async function readConversation(bg: TestBotgraph, id: string, extra = ''): Promise<Record<string, any>> {
  const res = await bg.gql(`query($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} ${extra} } }`, { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.conversation;
}

/** A conversation's messages, oldest first, every page of them. */
export async function readMessages(bg: TestBotgraph, id: string): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res: GraphQLResponse = await bg.gql(
      `query($id: ID!, $a: String) { conversation(id: $id) { messages(first: 100, after: $a) { pageInfo { hasNextPage endCursor } nodes { id nativeId sender text } } } }`,
      { id, a: after },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const { nodes, pageInfo } = res.data.conversation.messages;
    out.push(...nodes);
    if (!pageInfo.hasNextPage) return out;
    after = pageInfo.endCursor;
  }
  throw new Error('more than 50 pages of messages');
}

/** What the in-process bus delivered, unwrapped from the log envelope when there is one. */
export interface SeenEvent {
  kind: string;
  provider: string;
  conversation?: { nativeId: string; status: string; handoff: string; botNativeId?: string | null };
  message?: { nativeId: string; conversationNativeId: string; text: string | null; sender: string };
  reason?: string;
}

/** Subscribes to `app.infra.events`; `events` fills as they are published, `stop()` unsubscribes. */
export function listen(bg: TestBotgraph): { events: SeenEvent[]; stop: () => void; clear: () => void } {
  const events: SeenEvent[] = [];
  const stop = bg.app.infra.events.subscribe((raw: unknown) => {
    const r = raw as { event?: SeenEvent } & SeenEvent;
    // The bus delivers `{id, event}` log entries (or, in older versions, the bare event).
    events.push(r.event && typeof r.event === 'object' && 'kind' in r.event ? r.event : r);
  });
  return { events, stop, clear: () => void events.splice(0) };
}

/**
 * Asserts that, by now (the caller checks right after the mutation's response, with no wait), the
 * bus has carried a `conversation` event of this conversation in the post-write state, and a
 * `message` event when `message` is given. Other sources (webhooks) may add events of their own, so
 * this looks for the mutation's, not for an exact list.
 */
export function expectAnnounced(
  events: SeenEvent[],
  conversationNativeId: string,
  conversation: Record<string, unknown>,
  message?: Record<string, unknown>,
): void {
  const mine = events.filter((e) => (e.conversation?.nativeId ?? e.message?.conversationNativeId) === conversationNativeId);
  expect(mine, JSON.stringify(mine)).toEqual(
    expect.arrayContaining([expect.objectContaining({ kind: 'conversation', conversation: expect.objectContaining(conversation) })]),
  );
  if (message) {
    expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'message', message: expect.objectContaining(message) })]));
  }
}

/** Strings that must never appear in anything botgraph answers. */
export function secrets(bg: TestBotgraph): string[] {
  const botone = bg.sim('BOTONE') as BotoneSimulator;
  const basic = Buffer.from('demo@bot.one:demo', 'utf8').toString('base64');
  return [
    'closer-demo-key',
    'cxone-demo-token',
    basic,
    `Basic ${basic}`,
    'demo@bot.one:demo',
    'vertex-demo-token',
    ...botone.vertexTokens(),
    // The simulators' own addresses: a vendor URL must never reach a client.
    ...PROVIDERS.map((p) => bg.sim(p).url),
    // Vendor error bodies.
    'Injected failure',
    'X-API-Key',
  ];
}

/** Asserts that a response body holds no credential, vendor URL, vendor body or URL with a query string. */
export function expectNoLeak(bg: TestBotgraph, body: unknown, extra: string[] = []): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const secret of [...secrets(bg), ...extra]) expect(text.includes(secret), `leaked ${secret}: ${text.slice(0, 500)}`).toBe(false);
  expect(text).not.toMatch(/https?:\/\/[^\s"']*\?/);
  expect(text).not.toMatch(/127\.0\.0\.1:\d+/);
}

export const SEND_KEYED = `mutation($c: ID!, $t: String!, $k: String) {
  sendMessage(input: { conversationId: $c, text: $t, idempotencyKey: $k }) { replayed message { id nativeId text } conversation { id status } } }`;

/**
 * Fires `n` identical keyed sendMessage calls at once (one `Promise.all` of fetches), spread round
 * robin over `apps`, and checks the Stripe semantics: every call answers the same message, exactly
 * one of them is not a replay. Returns the responses.
 */
export async function concurrentSends(apps: TestBotgraph[], conversationId: string, key: string, n = 20) {
  const text = `exactly once ${key}`;
  const responses = await Promise.all(
    Array.from({ length: n }, (_, i) => apps[i % apps.length]!.gql(SEND_KEYED, { c: conversationId, t: text, k: key })),
  );
  for (const res of responses) expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const payloads = responses.map((r) => r.data.sendMessage);
  const messageIds = new Set(payloads.map((p) => p.message.id));
  expect(messageIds.size).toBe(1);
  expect(payloads.filter((p) => p.replayed === false)).toHaveLength(1);
  expect(payloads.filter((p) => p.replayed === true)).toHaveLength(n - 1);
  for (const p of payloads) expect(p.message.text).toBe(text);
  return { payloads, messageId: [...messageIds][0] as string, text };
}
