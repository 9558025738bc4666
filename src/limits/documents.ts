import { GraphQLError, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { LimitsConfig } from '../config.js';
import { setBounded } from '../bounded.js';
import { BotgraphError } from '../errors.js';
import { allRules, asTokenLimitError, parseLimited } from './rules.js';

/** Documents kept parsed and validated, per process. @default 1000 */
export const DOCUMENT_CACHE_SIZE = 1_000;

/** What graphql-ws gets for a document: the parsed and validated document, or the errors to answer. */
export type CheckedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parsing and validation of a document over WebSocket, once per document text (as Apollo's document
 * store does on HTTP): a thousand subscribers, or a client re-subscribing, sending the same text
 * cost one parse and one validation. The checks are those of the guard: the token cap in the
 * parser, graphql's rules and the limits (src/limits/rules.ts), which depend only on the text, the
 * schema and the limits, all fixed for the process. What depends on the principal or the variables
 * (refuseOperation) still runs for every operation. Only documents that passed are kept (an LRU);
 * a refused one is checked again each time, so errors are never shared between requests.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();
  private readonly rules;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: LimitsConfig,
    private readonly size = DOCUMENT_CACHE_SIZE,
  ) {
    this.rules = allRules(limits);
  }

  check(query: string): CheckedDocument {
    const kept = this.documents.get(query);
    if (kept) {
      setBounded(this.documents, query, kept, this.size); // most recently used last
      return { document: kept };
    }
    let document: DocumentNode;
    try {
      document = parseLimited(query, this.limits);
    } catch (error) {
      return { errors: [asTokenLimitError((error as Error).message, query, (error as GraphQLError).positions?.[0]) ?? parseError(error)] };
    }
    const errors = validate(this.schema, document, this.rules);
    if (errors.length > 0) {
      // A limit rule's error carries its own code; graphql's own rules are GRAPHQL_VALIDATION_FAILED.
      return {
        errors: errors.map((e) =>
          e instanceof BotgraphError ? e : new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        ),
      };
    }
    setBounded(this.documents, query, document, this.size);
    return { document };
  }

  get sizeNow(): number {
    return this.documents.size;
  }
}

/** What Apollo answers for a document that does not parse, with the same code and locations. */
export function parseError(error: unknown): GraphQLError {
  const e = error as GraphQLError;
  return new GraphQLError(e.message, {
    ...(e.source ? { source: e.source } : {}),
    ...(e.positions ? { positions: e.positions } : {}),
    extensions: { code: 'GRAPHQL_PARSE_FAILED' },
  });
}
