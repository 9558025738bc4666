/**
 * docs/clients.md shows exactly the files the client tests run: every snippet block equals its
 * file, and every snippet file under docs/clients/ appears in the guide.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, expectTypeOf } from 'vitest';
import type { ConversationStatus, HandoffState, InboxQuery, SendMessageMutationVariables } from '../../docs/clients/__generated__/graphql.js';
import { embed, snippetPaths } from '../../scripts/embed-snippets.js';

const guide = readFileSync('docs/clients.md', 'utf8');

describe('docs/clients.md', () => {
  it('every snippet block is its file, verbatim (npm run docs:snippets refreshes them)', () => {
    expect(embed(guide, (path) => readFileSync(path, 'utf8'))).toBe(guide);
  });

  it('shows every snippet file under docs/clients/', () => {
    const files = readdirSync('docs/clients')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `docs/clients/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(new Set(snippetPaths(guide))).toEqual(new Set(files));
  });

  it('typed operations: the client preset types results and variables from the schema', () => {
    type Node = InboxQuery['conversations']['edges'][number]['node'];
    expectTypeOf<Node['status']>().toEqualTypeOf<ConversationStatus>();
    expectTypeOf<Node['handoff']>().toEqualTypeOf<HandoffState>();
    expectTypeOf<SendMessageMutationVariables['input']['idempotencyKey']>().toEqualTypeOf<string | null | undefined>();
    // The persisted-documents manifest holds each operation under the hash its document carries.
    const manifest = JSON.parse(readFileSync('docs/clients/__generated__/persisted-documents.json', 'utf8')) as Record<string, string>;
    expect(Object.values(manifest).some((d) => d.startsWith('query Inbox('))).toBe(true);
    for (const [hash] of Object.entries(manifest)) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
