/**
 * The response cache: a query's whole response, kept in this process and sent again, without
 * executing, for the same principal's identical request (the same bytes: document, operation name
 * and variables).
 *
 * Why it exists: with the entity cache (src/datasources/cache.ts) a repeated inbox costs no
 * upstream call, but botgraph still merges the providers' lists and graphql-js resolves a couple of
 * hundred fields for every request. A dashboard or an inbox that many agents keep open asks the
 * same query again and again; its answer only changes when the vendor data under it does.
 *
 * Why it is never staler than the entity cache: an entry records the entity cache's invalidation
 * sequence taken before the operation executed, and is served only while the sequence still holds
 * that value. The sequence moves on every write botgraph makes and on every event a mutation, a
 * webhook or a poller publishes (with `REDIS_URL`, on any replica: it is one Redis counter, and a
 * lookup is one GET). So a response is served only while nothing that could change it is known to
 * have happened, and for at most `CACHE_TTL_MS` after its oldest vendor read, as the entity cache's
 * own entries; a response built on a clock-derived value (a CXone status) ends when that value
 * would change. The price of one global sequence is that any event drops every kept response; the
 * entity cache's per-tag entries still make the next execution cheap.
 *
 * What is never kept: mutations and subscriptions; responses with errors; operations whose root
 * fields read state that is not vendor data (`providers`: health and circuit breakers;
 * `conversationStats`: the analytics store) or that read past the entity cache (a read a vendor's
 * tagger refuses); operations that read nothing from a vendor (there is nothing to save).
 * Over HTTP the route and Apollo's plugin (below) keep the bytes sent; over graphql-ws, src/http/ws.ts
 * keeps the result under a key of its own (`socketKeyOf`): the two transports never share an entry.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import type { EntityCache } from '../datasources/cache.js';
import type { OperationScope } from '../observability/operation.js';

/**
 * Root fields answered from vendor reads alone (through the entity cache), so that the invalidation
 * sequence and the TTL bound their answers. A root field not named here makes the operation
 * uncacheable: a field added to the schema is safe until someone decides it is cacheable.
 */
const CACHEABLE_ROOT_FIELDS: ReadonlySet<string> = new Set([
  '__typename',
  'node',
  'nodes',
  'bots',
  'bot',
  'conversations',
  'conversation',
  'endUsers',
  'endUser',
  'messages',
]);

/** The largest response kept, in characters of its JSON. @default 1000000 */
export const MAX_RESPONSE_CHARS = 1_000_000;
/** The characters all kept responses may hold together. @default 16000000 */
export const MAX_TOTAL_RESPONSE_CHARS = 16_000_000;

/** A response as it goes on the wire, and what the operation log says of it. */
export interface KeptResponse {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
  operationName: string | null;
}

interface Entry {
  response: KeptResponse;
  /** The invalidation sequence before the operation executed. */
  seq: number;
  /** Epoch ms after which the entry is never served. */
  expiresAt: number;
}

/** Whether every root field of the operation reads vendor data only (see CACHEABLE_ROOT_FIELDS). */
export function cacheableOperation(operation: OperationDefinitionNode | null | undefined): boolean {
  if (!operation || operation.operation !== OperationTypeNode.QUERY) return false;
  // Fragments at the root are rare in clients; a fragment spread or inline fragment is refused
  // rather than resolved, which costs a miss, never a wrong answer.
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CACHEABLE_ROOT_FIELDS.has(s.name.value));
}

/**
 * The body a hit sends: the response as it was, but saying that every read it answers comes from a
 * cache (`cachedReads`, `cachedResponse: true`) and, unchanged, how old its data is (`fetchedAt`).
 */
function keptBody(result: FormattedExecutionResult, reads: number): string {
  const freshness = { ...(result.extensions?.freshness as Record<string, unknown> | undefined), cachedReads: reads, cachedResponse: true };
  // Apollo's own serialisation (prettyJSONStringify): the JSON and a newline.
  return `${JSON.stringify({ ...result, extensions: { ...result.extensions, freshness } })}\n`;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(
    private readonly entities: EntityCache,
    /** The most entries kept; 0 keeps none. */
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    /** Told whether each lookup hit (metrics: `botgraph_cache_hits_total{cache="responses"}`). */
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  get enabled(): boolean {
    return this.entities.enabled && this.entities.ttlMs > 0 && this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * A request as the client sent it: the same bytes from the same principal, with the same headers
   * Apollo decides on (the negotiated response type; the content type and preflight headers of its
   * CSRF prevention, so that a request it would block is never answered from here), are the same
   * operation with the same variables and the same policy decision (src/limits/operation.ts
   * decides on the document, variables and principal alone).
   */
  keyOf(principal: Principal, method: string, headers: IncomingHttpHeaders, request: string): string {
    const preflight = `${headers['apollo-require-preflight'] === undefined ? 0 : 1}${headers['x-apollo-operation-name'] === undefined ? 0 : 1}`;
    return [principal.role, principal.name, principal.scopeKey, method, headers.accept ?? '', headers['content-type'] ?? '', preflight, request].join(
      '\u0000',
    );
  }

  /**
   * A query sent over graphql-ws: the same principal, operation name, variables and document text
   * (the socket's message carries no headers that change the answer).
   */
  socketKeyOf(principal: Principal, request: { query: string; operationName?: string | null; variables?: unknown }): string {
    return [
      principal.role,
      principal.name,
      principal.scopeKey,
      'WS',
      request.operationName ?? '',
      JSON.stringify(request.variables ?? null),
      request.query,
    ].join('\u0000');
  }

  /** The sequence now; null when the cache cannot say (off, or Redis failing): no hit, no store. */
  async sequence(): Promise<number | null> {
    try {
      return await this.entities.sequence();
    } catch {
      return null;
    }
  }

  /**
   * The kept response for `key`, if it is still valid: the sequence (a Redis GET with `REDIS_URL`)
   * is asked only when there is an entry to check.
   */
  async lookup(key: string): Promise<KeptResponse | undefined> {
    const entry = this.entries.get(key);
    const seq = entry === undefined ? null : await this.sequence();
    const hit = entry !== undefined && entry.seq === seq && this.now() < entry.expiresAt;
    this.onLookup?.(hit);
    if (!entry) return undefined;
    if (!hit) {
      this.drop(key, entry);
      return undefined;
    }
    return entry.response;
  }

  /**
   * Marks `op` as one whose response may be kept, with the sequence and time before it executes:
   * a read made after this is kept under a sequence that cannot be newer than what it saw. Only
   * cacheable queries get here (the plugin), so mutations and uncacheable queries never wait for it.
   */
  async begin(op: OperationScope): Promise<void> {
    const seq = await this.sequence();
    if (seq !== null) op.responseCache = { seq, at: this.now() };
  }

  /** Whether what `op` read allows its response to be kept (see the top of this file). */
  mayKeep(
    op: OperationScope | undefined,
  ): op is OperationScope & { responseCache: NonNullable<OperationScope['responseCache']>; oldestRead: number } {
    return op?.responseCache !== undefined && !op.uncacheable && op.oldestRead !== undefined;
  }

  /**
   * Leaves in `op` the body a hit would send, when the response may be kept: it has data, no
   * error, and reads that allow it (`mayKeep`). `keep` stores it; over HTTP the route does, once it
   * knows Apollo's status and headers.
   */
  hold(op: OperationScope | undefined, result: FormattedExecutionResult, operationName: string | null | undefined): void {
    if (!this.mayKeep(op) || result.errors?.length || result.data === undefined || result.data === null) return;
    op.responseCache.body = keptBody(result, op.reads ?? 0);
    op.responseCache.operationName = operationName ?? null;
  }

  /** Keeps the body `hold` left in `op` under `key`, with the status and headers Apollo sent it with. */
  keep(key: string, head: { status: number; headers: ReadonlyArray<readonly [string, string]> }, op: OperationScope | undefined): void {
    if (!this.mayKeep(op) || head.status !== 200) return;
    const { seq, at, body, operationName } = op.responseCache;
    if (body === undefined || body.length > MAX_RESPONSE_CHARS) return;
    const expiresAt = Math.min(Math.min(op.oldestRead, at) + this.entities.ttlMs, op.validUntil ?? Number.POSITIVE_INFINITY);
    if (expiresAt <= this.now()) return;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { response: { ...head, body, operationName: operationName ?? null }, seq, expiresAt });
    this.chars += body.length;
    // A Map iterates in insertion order: the oldest go first while either bound is passed.
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.chars <= MAX_TOTAL_RESPONSE_CHARS) break;
      this.drop(oldest, entry);
    }
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.chars -= entry.response.body.length;
  }
}

/**
 * Apollo's side: before a cacheable query executes, the sequence it starts from
 * (`executionDidStart`, which Apollo awaits before executing); as its response is sent (after the
 * freshness and partial-error plugins shaped it), the body to keep, if it has data, no error, and
 * reads that allow it. The HTTP route stores it with the status and headers Apollo chose. Both go
 * through `OperationScope.responseCache`: Apollo gives plugins a copy of the context, the operation
 * scope is the same object.
 */
export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      if (!cache.enabled) return;
      return {
        async executionDidStart({ operation, contextValue }) {
          if (contextValue.operation && cacheableOperation(operation)) await cache.begin(contextValue.operation);
        },
        async willSendResponse({ response, contextValue, operationName }) {
          if (response.body.kind === 'single') cache.hold(contextValue.operation, response.body.singleResult, operationName);
        },
      };
    },
  };
}
