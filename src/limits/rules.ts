import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, parse, specifiedRules, type DocumentNode, type ValidationContext, type ValidationRule } from 'graphql';
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

export function tokenLimitError(limit: number): BotgraphError {
  return new BotgraphError(ErrorCode.TOKEN_LIMIT_EXCEEDED, `The document has more than ${limit} tokens, the limit.`, { details: { limit } });
}

/** graphql's parser error for too many tokens, as a TOKEN_LIMIT_EXCEEDED; null for any other error. */
export function asTokenLimitError(message: string): BotgraphError | null {
  const match = TOKENS.exec(message);
  return match ? tokenLimitError(Number(match[1])) : null;
}

/** Parses with the token cap (graphql's own: it stops lexing at the limit). */
export function parseLimited(query: string, limits: LimitsConfig): DocumentNode {
  return parse(query, { maxTokens: limits.maxTokens });
}
