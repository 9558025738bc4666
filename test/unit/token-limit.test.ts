/**
 * TOKEN_LIMIT_EXCEEDED carries the limit and the value: the exact token count when the document
 * has at most TOKEN_COUNT_BOUND × the limit, otherwise that bound as a lower bound. The count
 * resumes where graphql's parser stopped and matches graphql's own count (comments skipped).
 */
import { parse, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asTokenLimitError, countTokens, TOKEN_COUNT_BOUND } from '../../src/limits/rules.js';

function refusal(doc: string, maxTokens: number) {
  let error: GraphQLError | undefined;
  try {
    parse(doc, { maxTokens });
  } catch (e) {
    error = e as GraphQLError;
  }
  expect(error).toBeDefined();
  return asTokenLimitError(error!.message, doc, error!.positions?.[0])!;
}

describe('the token limit refusal', () => {
  it('counts exactly up to the bound, as graphql does (comments do not count)', () => {
    const doc = `# a comment\n{ ${'a '.repeat(150)}}`;
    expect(countTokens(doc, 10_000)).toEqual({ count: 152, complete: true });
    // graphql accepts it at exactly its token count, and refuses one less.
    expect(() => parse(doc, { maxTokens: 152 })).not.toThrow();
    const error = refusal(doc, 100);
    expect(error.extensions).toMatchObject({ code: 'TOKEN_LIMIT_EXCEEDED', limit: 100, value: 152 });
    expect(error.extensions.valueIsLowerBound).toBeUndefined();
    expect(error.message).toBe('The document has 152 tokens; the limit is 100.');
  });

  it('beyond the bound, says the value is a lower bound', () => {
    const error = refusal(`{ ${'a '.repeat(10_000)}}`, 100);
    expect(error.extensions).toMatchObject({ code: 'TOKEN_LIMIT_EXCEEDED', limit: 100, value: 100 * TOKEN_COUNT_BOUND, valueIsLowerBound: true });
    expect(error.message).toMatch(/at least 200 tokens/);
  });

  it('without the document, still carries a value (the first token over)', () => {
    expect(asTokenLimitError('Syntax Error: Document contains more that 100 tokens. Parsing aborted.')!.extensions).toMatchObject({
      limit: 100,
      value: 101,
      valueIsLowerBound: true,
    });
    expect(asTokenLimitError('Syntax Error: Unexpected Name "x".')).toBeNull();
  });
});
