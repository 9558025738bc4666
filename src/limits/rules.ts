import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Lexer,
  parse,
  Source,
  specifiedRules,
  TokenKind,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { LimitsConfig } from '../config.js';
import { BotgraphError, ErrorCode } from '../errors.js';

/**
 * The document limits, one policy for HTTP (Apollo's `validationRules` and `parseOptions`) and
 * WebSocket (graphql-ws's onSubscribe): GraphQL Armor's depth, alias and directive rules, and
 * graphql's own token cap in the parser. Armor memoizes fragments, so a document of doubling
 * fragments costs linear time; each rule reports a code naming the limit, with `limit` and `value`.
 */

type Reject = (context: ValidationContext | null, error: GraphQLError) => void;

function reporter(code: ErrorCode, what: string, limit: number): Reject {
  return (context, error) => {
    const found = /found (\d+)/.exec(error.message);
    const value = found ? Number(found[1]) : null;
    context?.reportError(
      new BotgraphError(code, `The operation has ${value ?? 'too many'} ${what}; the limit is ${limit}.`, { details: { limit, value } }),
    );
  };
}

export function limitRules(limits: LimitsConfig): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    // Introspection (GraphiQL's own query is 13 levels) is deep by design and cheap: not counted.
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      ignoreIntrospection: true,
      onReject: [reporter(ErrorCode.DEPTH_LIMIT_EXCEEDED, 'levels of nesting', limits.maxDepth)],
    }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [reporter(ErrorCode.ALIAS_LIMIT_EXCEEDED, 'aliases', limits.maxAliases)] }),
    maxDirectivesRule({
      ...common,
      n: limits.maxDirectives,
      onReject: [reporter(ErrorCode.DIRECTIVE_LIMIT_EXCEEDED, 'directives', limits.maxDirectives)],
    }),
  ];
}

/** Everything graphql-ws validates with: graphql's rules plus the limits, as Apollo does on HTTP. */
export function allRules(limits: LimitsConfig): ValidationRule[] {
  return [...specifiedRules, ...limitRules(limits)];
}

// (graphql 16 spells it "more that".)
const TOKENS = /Document contains more th(?:an|at) (\d+) tokens/;

/**
 * How far a refusal counts a document's tokens, as a multiple of the limit. graphql's parser stops
 * at the first token over the limit and does not say how many there are; counting a whole 1 MiB
 * body would cost tens of ms of lexing for an error message. So the count goes on from where the
 * parser stopped, up to this bound: exact up to it, and beyond it `value` is a lower bound
 * (`valueIsLowerBound: true`).
 */
export const TOKEN_COUNT_BOUND = 2;

/** The tokens of `source` from `from` on, as graphql's parser counts them (comments skipped), stopping at `cap`. */
export function countTokens(source: string, cap: number, from = 0): { count: number; complete: boolean } {
  const lexer = new Lexer(new Source(from > 0 ? source.slice(from) : source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count >= cap) return { count, complete: false };
    }
  } catch {
    // A lexing error further on: the tokens before it are what can be counted.
    return { count, complete: false };
  }
  return { count, complete: true };
}

/**
 * TOKEN_LIMIT_EXCEEDED with the limit and the value, the document's token count. `position` is where
 * the parser stopped (the start of the first token over the limit): counting resumes there.
 */
export function tokenLimitError(limit: number, source?: string, position?: number): BotgraphError {
  let value = limit + 1;
  let complete = false;
  if (source !== undefined) {
    const resumed = position !== undefined && position > 0 && position < source.length;
    const counted = resumed ? countTokens(source, limit * (TOKEN_COUNT_BOUND - 1), position) : countTokens(source, limit * TOKEN_COUNT_BOUND);
    value = Math.max(value, (resumed ? limit : 0) + counted.count);
    complete = counted.complete;
  }
  const message = complete
    ? `The document has ${value} tokens; the limit is ${limit}.`
    : `The document has at least ${value} tokens; the limit is ${limit}.`;
  return new BotgraphError(ErrorCode.TOKEN_LIMIT_EXCEEDED, message, { details: { limit, value, ...(complete ? {} : { valueIsLowerBound: true }) } });
}

/** graphql's parser error for too many tokens (in `source`, stopped at `position`), as a TOKEN_LIMIT_EXCEEDED; null for any other error. */
export function asTokenLimitError(message: string, source?: string, position?: number): BotgraphError | null {
  const match = TOKENS.exec(message);
  return match ? tokenLimitError(Number(match[1]), source, position) : null;
}

/** Parses with the token cap (graphql's own: it stops lexing at the limit). */
export function parseLimited(query: string, limits: LimitsConfig): DocumentNode {
  return parse(query, { maxTokens: limits.maxTokens });
}
