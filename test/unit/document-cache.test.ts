/**
 * The guard's document cache (src/limits/documents.ts), used by graphql-ws: one parse and one
 * validation per document text, the same answers as without it, refusals never kept.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DocumentCache } from '../../src/limits/documents.js';
import { buildBotgraphSchema } from '../../src/schema.js';

const schema = buildBotgraphSchema();
const limits = loadConfig({}).limits;
const QUERY = `subscription($id: ID!) { messageAdded(conversationId: $id) { id text } }`;

describe('DocumentCache', () => {
  it('hands back the same parsed document for the same text: parsed and validated once', () => {
    const cache = new DocumentCache(schema, limits);
    const first = cache.check(QUERY);
    const second = cache.check(QUERY);
    expect('document' in first && 'document' in second).toBe(true);
    expect((second as { document: unknown }).document).toBe((first as { document: unknown }).document);
    expect(cache.sizeNow).toBe(1);
  });

  it('refuses what the guard refuses, with its codes, and keeps no refusal', () => {
    const cache = new DocumentCache(schema, limits);
    const invalid = cache.check(`{ nope }`);
    expect('errors' in invalid && invalid.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const unparsable = cache.check(`{ conversations(`);
    expect('errors' in unparsable && unparsable.errors[0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const shallow = new DocumentCache(schema, { ...limits, maxDepth: 2 });
    const tooDeep = shallow.check(`{ conversations(first: 1) { nodes { id } } }`);
    expect('errors' in tooDeep && tooDeep.errors[0]!.extensions.code).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(shallow.sizeNow).toBe(0);
    expect(cache.sizeNow).toBe(0);
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const cache = new DocumentCache(schema, limits, 2);
    const a = `{ bots { id } }`;
    const b = `{ bots { name } }`;
    const c = `{ bots { id name } }`;
    const kept = cache.check(a);
    cache.check(b);
    cache.check(a); // a is now the most recent
    cache.check(c); // b goes
    expect(cache.sizeNow).toBe(2);
    expect((cache.check(a) as { document: unknown }).document).toBe((kept as { document: unknown }).document);
  });
});
