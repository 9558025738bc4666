import { badInput } from '../errors.js';
import type { ProviderName } from '../models.js';
import { compileQuery, parseQuery, QueryError } from '../providers/cxone/simulator/query.js';

/** The longest message botgraph sends: Bot.one's limit. CLOSER's is lower, see `PROVIDER_LIMITS`. */
export const MAX_TEXT_LENGTH = 4096;
/** The largest JSON object (variables, params, block data) botgraph forwards, serialised. */
export const MAX_JSON_BYTES = 16 * 1024;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 64;
export const MAX_NOTES_LENGTH = 10_000;
export const MAX_TOKEN_LENGTH = 4096;

export interface TextLimits {
  text: number;
  tag: number;
  notes: number;
}

/**
 * Where a vendor's documented limits are tighter than botgraph's own (docs/providers/closer.md:
 * `text` 1–4,000 characters, tags of 1–50, notes up to 5,000). Checked before the call, so such
 * input is BAD_USER_INPUT naming the field, not a vendor 400 after an upstream call.
 */
const PROVIDER_LIMITS: Partial<Record<ProviderName, Partial<TextLimits>>> = {
  CLOSER: { text: 4000, tag: 50, notes: 5000 },
};

export function limitsOf(provider: ProviderName): TextLimits {
  return { text: MAX_TEXT_LENGTH, tag: MAX_TAG_LENGTH, notes: MAX_NOTES_LENGTH, ...PROVIDER_LIMITS[provider] };
}

export function checkText(value: string, field: string, max: number = MAX_TEXT_LENGTH): string {
  const text = value.trim();
  if (text.length === 0) throw badInput(`\`${field}\` must not be empty.`, field);
  if (text.length > max) throw badInput(`\`${field}\` is longer than ${max} characters.`, field);
  return text;
}

/** A JSON object (not an array, string or number), small enough to forward. Null stays null. */
export function checkJsonObject(value: unknown, field: string): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput(`\`${field}\` must be a JSON object.`, field);
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_JSON_BYTES) {
    throw badInput(`\`${field}\` is larger than ${MAX_JSON_BYTES} bytes.`, field);
  }
  return value as Record<string, unknown>;
}

/** Any JSON value, small enough to forward (custom block data). */
export function checkJsonValue(value: unknown, field: string): unknown {
  if (value === undefined) return null;
  if (Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8') > MAX_JSON_BYTES) {
    throw badInput(`\`${field}\` is larger than ${MAX_JSON_BYTES} bytes.`, field);
  }
  return value;
}

export function checkTags(tags: readonly string[], field: string, maxLength: number = MAX_TAG_LENGTH): string[] {
  if (tags.length > MAX_TAGS) throw badInput(`\`${field}\` takes at most ${MAX_TAGS} tags.`, field);
  return tags.map((tag, i) => {
    const t = tag.trim();
    if (t.length === 0 || t.length > maxLength) {
      throw badInput(`\`${field}[${i}]\` must be 1 to ${maxLength} characters.`, `${field}[${i}]`);
    }
    return t;
  });
}

export function checkNotes(notes: string, field: string, max: number = MAX_NOTES_LENGTH): string {
  if (notes.length > max) throw badInput(`\`${field}\` is longer than ${max} characters.`, field);
  return notes;
}

export function checkToken(token: string, field: string): string {
  const t = token.trim();
  if (t.length === 0 || t.length > MAX_TOKEN_LENGTH) throw badInput(`\`${field}\` must be 1 to ${MAX_TOKEN_LENGTH} characters.`, field);
  return t;
}

/** The longest free-text search botgraph forwards (CXone's `query`, subscription title match). */
export const MAX_SEARCH_LENGTH = 200;

/** A search term, trimmed: 1 to MAX_SEARCH_LENGTH characters. Null stays null. */
/**
 * A CXone `query` expression, parsed with the grammar of docs/providers/cxone.md (the one the
 * simulator serves) before any call: BAD_USER_INPUT with the parser's message (position included).
 */
export function checkCxoneQuery(value: string | null | undefined, field = 'filter.cxoneQuery'): string | null {
  if (value === null || value === undefined) return null;
  const query = value.trim();
  if (query.length === 0) throw badInput(`\`${field}\` is empty; leave it out instead.`, field);
  try {
    // Values too (counts, times): compiling resolves them, and throws on a bad one.
    const ast = parseQuery(query);
    if (ast) compileQuery(ast, Date.now(), 'UTC');
  } catch (error) {
    if (error instanceof QueryError) throw badInput(`\`${field}\` is not a CXone query: ${error.message}`, field);
    throw error;
  }
  return query;
}

export function checkSearch(value: string | null | undefined, field = 'filter.search'): string | null {
  if (value === null || value === undefined) return null;
  const search = value.trim();
  if (search.length === 0 || search.length > MAX_SEARCH_LENGTH) {
    throw badInput(`\`${field}\` must be 1 to ${MAX_SEARCH_LENGTH} characters.`, field);
  }
  return search;
}
