import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BotgraphError, ErrorCode } from '../errors.js';

/**
 * Trusted documents (`PERSISTED_OPERATIONS_FILE`). Two manifest formats are read:
 * - GraphQL Codegen's client preset (`persistedDocuments: true`): `{ "<hash>": "<document>" }`;
 * - Apollo's persisted query manifest: `{ format: "apollo-persisted-query-manifest", operations: [{ id, body }] }`.
 * A client names a document by `documentId` (codegen; `sha256:<hash>` too) or
 * `extensions.persistedQuery.sha256Hash` (Apollo), or sends a document that is in the file.
 * With `PERSISTED_OPERATIONS_ONLY=true`, any other document is refused for non-admin principals.
 */
const apolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.number().optional(),
  operations: z.array(z.looseObject({ id: z.string().min(1), body: z.string().min(1) })),
});
const codegenManifest = z.record(z.string().min(1), z.string().min(1));

export class PersistedOperations {
  private readonly byId = new Map<string, string>();
  private readonly documents = new Set<string>();

  constructor(entries: Iterable<[string, string]>) {
    for (const [id, document] of entries) {
      this.byId.set(id, document);
      this.documents.add(document);
    }
  }

  /** Throws an Error naming the problem; the caller names the variable. */
  static fromFile(path: string): PersistedOperations {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read ${path} as JSON (${(error as Error).message})`, { cause: error });
    }
    const apollo = apolloManifest.safeParse(json);
    if (apollo.success) return new PersistedOperations(apollo.data.operations.map((o) => [o.id, o.body]));
    const codegen = codegenManifest.safeParse(json);
    if (codegen.success) return new PersistedOperations(Object.entries(codegen.data));
    throw new Error(`${path} is neither a { hash: document } map nor an Apollo persisted query manifest`);
  }

  get size(): number {
    return this.byId.size;
  }

  has(document: string): boolean {
    return this.documents.has(document);
  }

  /**
   * The request with its document filled in from the manifest when it names one by id; unchanged
   * otherwise. An unknown id is PERSISTED_OPERATION_REQUIRED's sibling: NOT_FOUND would be wrong,
   * the client's manifest and the server's differ, so the message says so.
   */
  resolve<T extends { query?: unknown; documentId?: unknown; extensions?: unknown }>(request: T): T {
    const extensions: unknown = request.extensions;
    const persisted = typeof extensions === 'object' && extensions !== null ? (extensions as { persistedQuery?: { sha256Hash?: unknown } }) : null;
    const hash = persisted?.persistedQuery?.sha256Hash;
    const id = typeof request.documentId === 'string' ? request.documentId.replace(/^sha256:/, '') : typeof hash === 'string' ? hash : null;
    if (id === null || (typeof request.query === 'string' && request.query !== '')) return request;
    const document = this.byId.get(id);
    if (document === undefined) {
      throw new BotgraphError(ErrorCode.PERSISTED_OPERATION_REQUIRED, 'No persisted operation has this id; the client and server manifests differ.', {
        details: { http: { status: 400 } },
      });
    }
    const { persistedQuery: _persisted, ...otherExtensions } = (extensions ?? {}) as Record<string, unknown>;
    const { documentId: _id, extensions: _extensions, ...rest } = request as Record<string, unknown>;
    return { ...rest, query: document, ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}) } as T;
  }
}

export function persistedRequired(): BotgraphError {
  return new BotgraphError(
    ErrorCode.PERSISTED_OPERATION_REQUIRED,
    'This deployment only runs persisted operations; send a `documentId` from its manifest.',
    {
      details: { http: { status: 400 } },
    },
  );
}

/** The hash codegen and Apollo use for a document. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}
