// Persisted operations (trusted documents): the client sends only a document's hash; botgraph runs
// the document from its manifest (PERSISTED_OPERATIONS_FILE=docs/clients/__generated__/persisted-documents.json,
// and PERSISTED_OPERATIONS_ONLY=true to refuse anything else).
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { DocumentNode } from 'graphql';

/** Codegen's client preset puts each document's hash in `__meta__.hash`. */
const hashOf = (document: DocumentNode) => (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? '';

/** Apollo Client: `extensions.persistedQuery.sha256Hash` in place of the query text. */
export function createPersistedApolloClient(httpUrl: string, apiKey?: string) {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const persisted = new PersistedQueryLink({ generateHash: hashOf });
  return new ApolloClient({ link: persisted.concat(new HttpLink({ uri: httpUrl, headers })), cache: new InMemoryCache() });
}

/** Any HTTP client: POST `{ documentId, variables }`. */
export async function runPersisted(httpUrl: string, document: DocumentNode, variables: Record<string, unknown>, apiKey?: string) {
  const res = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({ documentId: hashOf(document), variables }),
  });
  return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}
