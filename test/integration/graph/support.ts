/**
 * Shared helpers of the end-to-end graph tests: upstream call counts per simulator route, paging a
 * whole conversation list, reading the parts of a global ID, and the leak checks on errors.
 */
import { expect } from 'vitest';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import type { GraphQLResponse, TestBotgraph } from '../../helpers/botgraph.js';

export const PROVIDERS = ['CLOSER', 'BOTONE', 'CXONE'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Route names as the simulators count them at `/__sim/stats`. */
export const ROUTES = {
  closerBots: 'GET /openapi/bot',
  closerBot: 'GET /openapi/bot/:botId',
  closerConversations: 'GET /openapi/conversations',
  closerBotConversations: 'GET /openapi/bot/:botId/conversation',
  closerConversation: 'GET /openapi/conversation/:id',
  closerMessages: 'GET /openapi/conversation/:id/message',
  closerEndUser: 'GET /openapi/enduser/:id',
  botoneList: 'GET /api/v2/conversations',
  botoneDetail: 'GET /api/v2/conversation/:uuid',
  cxoneExport: 'GET /api/public/conversations',
} as const;

export type Calls = Record<Provider, Record<string, number>>;

/** Every simulator's non-zero route counters since the last `resetStats()`. */
export async function calls(bg: TestBotgraph): Promise<Calls> {
  const out = {} as Calls;
  for (const p of PROVIDERS) {
    const { routes } = await bg.stats(p);
    out[p] = Object.fromEntries(Object.entries(routes).filter(([, n]) => n > 0));
  }
  return out;
}

/** Runs one operation with fresh counters and returns its response and the upstream calls it made. */
export async function measured<T = any>(
  bg: TestBotgraph,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ res: GraphQLResponse<T>; calls: Calls }> {
  await bg.resetStats();
  const res = await bg.gql<T>(query, variables);
  return { res, calls: await calls(bg) };
}

/** The parts of a global ID (`b1|PROVIDER|Type|nativeId|scope…`). Tests may look inside; clients must not. */
export function idParts(id: string): { provider: string; type: string; nativeId: string; scope: string[] } {
  const [, provider, type, nativeId, ...scope] = Buffer.from(id, 'base64url').toString('utf8').split('|').map(decodeURIComponent);
  return { provider: provider!, type: type!, nativeId: nativeId!, scope };
}

/** Builds a global ID the way botgraph does, for IDs of objects that do not exist. */
export function makeId(provider: string, type: string, nativeId: string, ...scope: string[]): string {
  return Buffer.from(['b1', provider, type, nativeId, ...scope].map(encodeURIComponent).join('|'), 'utf8').toString('base64url');
}

/**
 * Which stream a conversation came from, as the merge keys them (`CLOSER:<botId>`, `BOTONE:1446`,
 * `CXONE:1327`). CLOSER ids carry no bot: `closerBotOf` says it (the list's `bot { id }` native id).
 */
export function streamOf(id: string, closerBotOf?: (id: string) => string | undefined): string {
  const { provider, scope } = idParts(id);
  return provider === 'CLOSER' ? `CLOSER:${closerBotOf?.(id) ?? '?'}` : `${provider}:${scope[0]}`;
}

export interface ListedConversation {
  id: string;
  provider: Provider;
  updatedAt: string | null;
  status: string;
  /** Whatever `extraFields` asked for. */
  [field: string]: any;
}

const pageFields = (extra: string) => `totalCount pageInfo { hasNextPage endCursor } nodes { id provider updatedAt status ${extra} }`;

/**
 * Pages a conversation connection to its end. `select` wraps the connection selection into an
 * operation taking `$n: Int, $a: String` (and whatever else `variables` holds) and says where the
 * connection is in the answer. `sizes[i]` is the page size of page i (the last repeats).
 */
export async function pageAll(
  bg: TestBotgraph,
  select: { query: (fields: string) => string; at: (data: any) => any },
  variables: Record<string, unknown>,
  sizes: number[],
  extraFields = '',
): Promise<{ items: ListedConversation[]; totalCount: number; pages: number }> {
  const items: ListedConversation[] = [];
  let after: string | null = null;
  let totalCount = -1;
  let pages = 0;
  for (;;) {
    const n = sizes[Math.min(pages, sizes.length - 1)]!;
    const res = await bg.gql(select.query(pageFields(extraFields)), { ...variables, n, a: after });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const connection = select.at(res.data);
    pages += 1;
    if (totalCount === -1) totalCount = connection.totalCount;
    // The total stays the same on every page (activity is off).
    expect(connection.totalCount).toBe(totalCount);
    expect(connection.nodes.length).toBeLessThanOrEqual(n);
    items.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) break;
    // A page that says more follows is full, and has a cursor.
    expect(connection.nodes.length).toBe(n);
    after = connection.pageInfo.endCursor;
    expect(after).toEqual(expect.any(String));
    if (pages > 200) throw new Error('paging did not end');
  }
  return { items, totalCount, pages };
}

/** `conversations(first: $n, after: $a, filter: $f)` as a `pageAll` selection. */
export const rootList = {
  query: (fields: string) => `query($n: Int, $a: String, $f: ConversationFilter) { conversations(first: $n, after: $a, filter: $f) { ${fields} } }`,
  at: (data: any) => data.conversations,
};

/** Each item exactly once, newest `updatedAt` first, conversations without a time last. */
export function expectMergedOrder(items: ListedConversation[]): void {
  expect(new Set(items.map((c) => c.id)).size).toBe(items.length);
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1]!.updatedAt;
    const b = items[i]!.updatedAt;
    if (a === null) expect(b, `a conversation with a time after one without, at ${i}`).toBeNull();
    else if (b !== null) expect(Date.parse(a), `order at ${i}`).toBeGreaterThanOrEqual(Date.parse(b));
  }
}

/** Secrets of the embedded simulators: none may ever show in a response. */
export const SECRETS = ['closer-demo-key', 'cxone-demo-token', Buffer.from('demo@bot.one:demo').toString('base64'), 'demo@bot.one:demo'];

/** No credential, URL with a query string, or stack trace anywhere in the errors. */
export function expectSafeErrors(errors: GraphQLResponse['errors'], extraSecrets: string[] = []): void {
  const text = JSON.stringify(errors ?? []);
  for (const secret of [...SECRETS, ...extraSecrets]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/https?:\/\/[^"\s]*\?/);
  expect(text).not.toMatch(/\bat [^\s"]+ \(|\.ts:\d+:\d+|node:internal/);
  for (const error of errors ?? []) expect(error.extensions?.stacktrace).toBeUndefined();
}

/**
 * How many conversations each embedded simulator holds, asked of the simulator's own vendor API
 * (not through botgraph): what a complete list must count. CLOSER's one list; Bot.one's per bot;
 * CXone's per export token.
 */
export async function seededTotals(bg: TestBotgraph): Promise<Record<Provider, number>> {
  const closer = bg.sim('CLOSER') as CloserSimulator;
  const botone = bg.sim('BOTONE') as BotoneSimulator;
  const cxone = bg.sim('CXONE') as CxoneSimulator;
  const json = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers });
    expect(res.status, url.replace(/token=[^&]*/, 'token=…')).toBe(200);
    return (await res.json()) as any;
  };
  const closerTotal = (await json(`${closer.url}/openapi/conversations?page=1&limit=1`, { 'X-API-Key': closer.apiKey })).total as number;
  const basic = `Basic ${Buffer.from(`${botone.username}:${botone.password}`).toString('base64')}`;
  let botoneTotal = 0;
  for (const bot of botone.botIds) {
    botoneTotal += (await json(`${botone.url}/api/v2/conversations?BotID=${bot}&PageNumber=1&PageCount=1`, { authorization: basic })).meta.pagination
      .total as number;
  }
  let cxoneTotal = 0;
  for (const token of Object.values(cxone.tokens)) {
    cxoneTotal += (await json(`${cxone.url}/api/public/conversations?token=${encodeURIComponent(token)}&perPage=1`)).total as number;
  }
  return { CLOSER: closerTotal, BOTONE: botoneTotal, CXONE: cxoneTotal };
}
