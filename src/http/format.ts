import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors.js';
import { asTokenLimitError } from '../limits/rules.js';

const CODES = new Set<string>(Object.values(ErrorCode));

/** graphql's "Did you mean …?" hints name fields and types: in production they would leak the schema. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

/**
 * One error policy for HTTP and WebSocket. Errors botgraph raises on purpose are GraphQLErrors
 * with a code and pass through (minus any stack trace). Anything else is a bug: it is logged with
 * its stack and the client sees only INTERNAL_SERVER_ERROR.
 */
export function createFormatError(logger: Logger, options: { production?: boolean } = {}) {
  const policy = (formatted: GraphQLFormattedError): GraphQLFormattedError =>
    options.production ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError || (code !== undefined && code !== 'INTERNAL_SERVER_ERROR')) {
      const { extensions, ...rest } = formatted;
      if (!extensions) return policy(rest);
      const { stacktrace: _stacktrace, http: _http, ...safe } = extensions as Record<string, unknown>;
      // A literal its scalar refuses (a bad DateTime) fails validation, but it is the client's bad input.
      // (Duck-typed: under vitest, Apollo's graphql and ours can be two copies of the module.)
      const cause = (original as { originalError?: { extensions?: Record<string, unknown> } } | null)?.originalError;
      if (safe.code === 'GRAPHQL_VALIDATION_FAILED' && cause?.extensions?.code === ErrorCode.BAD_USER_INPUT) {
        safe.code = ErrorCode.BAD_USER_INPUT;
      }
      // A limit rule's own code (DEPTH_LIMIT_EXCEEDED, …) survives Apollo's GRAPHQL_VALIDATION_FAILED wrapper.
      const own = cause?.extensions?.code;
      if (safe.code === 'GRAPHQL_VALIDATION_FAILED' && typeof own === 'string' && CODES.has(own)) safe.code = own;
      if (safe.code === 'GRAPHQL_PARSE_FAILED') {
        // The parser's error carries the document and where it stopped (on Apollo's wrapper or the original).
        type Located = { source?: { body?: unknown }; positions?: readonly number[] } | null | undefined;
        const located = [original as Located, cause as Located].find((e) => typeof e?.source?.body === 'string');
        const tokens = asTokenLimitError(formatted.message, located?.source?.body as string | undefined, located?.positions?.[0]);
        if (tokens) return { ...rest, message: tokens.message, extensions: tokens.extensions };
      }
      return policy({ ...rest, extensions: safe });
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, retryable: false },
    };
  };
}

/** Formats a GraphQLError outside Apollo (graphql-ws), the way Apollo would, then applies the policy. */
export function formatOutsideApollo(format: ReturnType<typeof createFormatError>, error: GraphQLError): GraphQLFormattedError {
  const base = error.toJSON();
  const original = error.originalError;
  // A resolver's plain Error reaches graphql-ws wrapped in a GraphQLError without a code.
  const formatted =
    base.extensions?.code || original instanceof GraphQLError || !original
      ? base
      : { ...base, extensions: { ...base.extensions, code: 'INTERNAL_SERVER_ERROR' } };
  return format(formatted, original ?? error);
}
