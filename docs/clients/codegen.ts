// GraphQL Codegen for clients (part of botgraph's codegen.ts; `npm run codegen`). The client
// preset scans the `graphql()` calls and writes typed documents plus a persisted-documents
// manifest (sha256 → document) that botgraph loads with PERSISTED_OPERATIONS_FILE; the
// fragment-matcher plugin writes `possibleTypes` for Apollo Client and Graphcache.
import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

export const clientOutputs: CodegenConfig['generates'] = {
  'docs/clients/__generated__/': {
    documents: ['docs/clients/*.ts', 'examples/console/src/**/*.ts'],
    preset: 'client',
    presetConfig: {
      fragmentMasking: false,
      persistedDocuments: { hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex') },
    },
    config: { useTypeImports: true, enumsAsTypes: true, emitLegacyCommonJSImports: false, scalars: { DateTime: 'string', JSON: 'unknown' } },
  },
  'docs/clients/__generated__/possible-types.ts': {
    plugins: ['fragment-matcher'],
    config: { useExplicitTyping: true },
  },
};
