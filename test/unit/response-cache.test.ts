/**
 * ResponseCache's rules (src/http/responseCache.ts) on a real entity cache in memory, with its own
 * clock: an entry is served only at the sequence it was kept under and before its expiry (the oldest
 * read plus the TTL, or a clock-derived value's end, whichever is first); what must not be kept is
 * not; the bounds evict the oldest first. Which operations qualify is decided on the document.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { makePrincipal } from '../../src/auth/principal.js';
import { EntityCache } from '../../src/datasources/cache.js';
import { ResponseCache, cacheableOperation } from '../../src/http/responseCache.js';
import type { ChangedEntity, EntityChangedEvent } from '../../src/events/bus.js';
import type { ProviderName } from '../../src/models.js';
import type { OperationScope } from '../../src/observability/operation.js';

const TTL = 2_000;
const principal = makePrincipal('dashboard', 'viewer', null);

function setup(maxEntries = 10) {
  let now = 1_000_000;
  const entities = EntityCache.create(TTL, null);
  const lookups: boolean[] = [];
  const cache = new ResponseCache(
    entities,
    maxEntries,
    () => now,
    (hit) => lookups.push(hit),
  );
  const head = { status: 200, headers: [['content-type', 'application/json']] as Array<[string, string]> };
  const op = (extra: Partial<OperationScope> = {}): OperationScope => ({
    requestId: 'r',
    deadline: now + 1e6,
    startedAt: now,
    upstreamCalls: 0,
    oldestRead: now,
    reads: 1,
    ...extra,
  });
  return {
    cache,
    entities,
    lookups,
    head,
    op,
    tick: (ms: number) => (now += ms),
    now: () => now,
    /** An operation as the plugin leaves it: begun (the sequence before it ran), then its body set. */
    async begun(extra: Partial<OperationScope> = {}, body = 'x'): Promise<OperationScope> {
      const started = op(extra);
      await cache.begin(started);
      started.responseCache!.body = body;
      return started;
    },
    async keep(key: string, body: string, extra: Partial<OperationScope> = {}) {
      cache.keep(key, head, await this.begun(extra, body));
    },
    async lookup(key: string) {
      return (await cache.lookup(key))?.body;
    },
  };
}

const changed = (provider: ProviderName, entity: ChangedEntity, nativeId: string): EntityChangedEvent => ({
  kind: 'entityChanged',
  provider,
  entity,
  nativeId,
  change: 'updated',
  at: Date.now(),
});
const operation = (source: string) => parse(source).definitions[0] as OperationDefinitionNode;

describe('ResponseCache', () => {
  it('serves an entry at its sequence only: any invalidation ends it, and it is dropped', async () => {
    const t = setup();
    await t.keep('k', 'one');
    expect(await t.lookup('k')).toBe('one');
    await t.entities.invalidateEvent(changed('CLOSER', 'endUser', 'u1'));
    expect(await t.lookup('k')).toBeUndefined();
    expect(t.cache.size).toBe(0);
    expect(t.lookups).toEqual([true, false]);
  });

  it('ends at the oldest read plus the TTL, or earlier at a clock-derived value’s end', async () => {
    const t = setup();
    await t.keep('old', 'a', { oldestRead: t.now() - 1_500 });
    await t.keep('clock', 'b', { validUntil: t.now() + 300 });
    t.tick(299);
    expect(await t.lookup('old')).toBe('a');
    expect(await t.lookup('clock')).toBe('b');
    t.tick(1);
    expect(await t.lookup('clock')).toBeUndefined();
    t.tick(199);
    expect(await t.lookup('old')).toBe('a');
    t.tick(1);
    expect(await t.lookup('old')).toBeUndefined();
  });

  it('keeps nothing that read past the entity cache, read no vendor, failed, or is already expired', async () => {
    const t = setup();
    await t.keep('uncacheable', 'x', { uncacheable: true });
    await t.keep('no reads', 'x', { oldestRead: undefined });
    await t.keep('expired', 'x', { oldestRead: t.now() - TTL });
    t.cache.keep('500', { ...t.head, status: 500 }, await t.begun());
    // Not begun (a mutation, an uncacheable query), or begun with nothing to keep (errors, no data).
    t.cache.keep('not begun', t.head, t.op());
    const nothing = await t.begun();
    delete nothing.responseCache!.body;
    t.cache.keep('no body', t.head, nothing);
    expect(t.cache.size).toBe(0);
  });

  it('a sequence that moved while the operation ran is never served', async () => {
    const t = setup();
    const running = await t.begun({}, 'stale');
    await t.entities.invalidateEvent(changed('BOTONE', 'bot', '1446'));
    t.cache.keep('k', t.head, running);
    expect(await t.lookup('k')).toBeUndefined();
  });

  it('evicts the oldest entries first beyond maxEntries', async () => {
    const t = setup(2);
    await t.keep('a', '1');
    await t.keep('b', '2');
    await t.keep('c', '3');
    expect([await t.lookup('a'), await t.lookup('b'), await t.lookup('c')]).toEqual([undefined, '2', '3']);
  });

  it('is off with the entity cache off, or with no entries allowed', () => {
    expect(new ResponseCache(EntityCache.create(0, null), 10).enabled).toBe(false);
    expect(new ResponseCache(EntityCache.create(TTL, null), 0).enabled).toBe(false);
    expect(new ResponseCache(EntityCache.create(TTL, null), 1).enabled).toBe(true);
  });

  it('keys on the principal, the method, the headers Apollo decides on and the request bytes', () => {
    const { cache } = setup();
    const body = '{"query":"{ bots { id } }"}';
    const json = { accept: 'application/json', 'content-type': 'application/json' };
    const key = cache.keyOf(principal, 'POST', json, body);
    expect(cache.keyOf(makePrincipal('dashboard', 'viewer', null), 'POST', { ...json, 'user-agent': 'another' }, body)).toBe(key);
    for (const other of [
      cache.keyOf(makePrincipal('other', 'viewer', null), 'POST', json, body),
      cache.keyOf(makePrincipal('dashboard', 'viewer', [{ provider: 'CLOSER', botNativeId: null }]), 'POST', json, body),
      cache.keyOf(principal, 'GET', json, body),
      cache.keyOf(principal, 'POST', { ...json, accept: 'application/graphql-response+json' }, body),
      cache.keyOf(principal, 'POST', { ...json, 'content-type': 'text/plain' }, body),
      cache.keyOf(principal, 'POST', { ...json, 'apollo-require-preflight': 'true' }, body),
      cache.keyOf(principal, 'POST', json, '{"query":"{ bots { name } }"}'),
    ])
      expect(other).not.toBe(key);
  });
});

describe('cacheableOperation', () => {
  it('takes queries whose root fields read vendor data only', () => {
    expect(cacheableOperation(operation('{ conversations(first: 10) { nodes { id } } bots { id } __typename }'))).toBe(true);
    expect(cacheableOperation(operation('query Q($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }'))).toBe(true);
  });

  it('refuses mutations, subscriptions, live state and fragments at the root', () => {
    expect(cacheableOperation(operation('mutation { sendMessage(input: { conversationId: "x", text: "y" }) { message { id } } }'))).toBe(false);
    expect(cacheableOperation(operation('subscription { conversationUpdated { id } }'))).toBe(false);
    expect(cacheableOperation(operation('{ conversations { nodes { id } } providers { healthy } }'))).toBe(false);
    expect(cacheableOperation(operation('{ conversationStats { total } }'))).toBe(false);
    expect(cacheableOperation(operation('{ ... on Query { bots { id } } }'))).toBe(false);
    expect(cacheableOperation(null)).toBe(false);
  });
});
