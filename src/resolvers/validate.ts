import { badInput } from '../errors.js';
import type { ProviderName } from '../models.js';
import { ADAPTERS, adapterOf } from '../providers/registry.js';
import type { TextLimits } from '../providers/types.js';

export type { TextLimits } from '../providers/types.js';

/** The longest message botgraph sends. A provider's documented limit may be lower (`ProviderAdapter.limits`). */
export const MAX_TEXT_LENGTH = 4096;
/** The largest JSON object (variables, params, block data) botgraph forwards, serialised. */
export const MAX_JSON_BYTES = 16 * 1024;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 64;
export const MAX_NOTES_LENGTH = 10_000;
export const MAX_TOKEN_LENGTH = 4096;

/**
 * botgraph's limits, tightened where the provider's adapter documents lower ones. Checked before the
 * call, so such input is BAD_USER_INPUT naming the field, not a vendor 400 after an upstream call.
 */
export function limitsOf(provider: ProviderName): TextLimits {
  return { text: MAX_TEXT_LENGTH, tag: MAX_TAG_LENGTH, notes: MAX_NOTES_LENGTH, ...adapterOf(provider).limits };
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
 * A vendor's own query expression (`filter.cxoneQuery`), checked by the adapter that has a query
 * language (`ProviderAdapter.nativeQuery`) before any call: BAD_USER_INPUT with the parser's message.
 */
export async function checkCxoneQuery(value: string | null | undefined, field = 'filter.cxoneQuery'): Promise<string | null> {
  if (value === null || value === undefined) return null;
  const query = value.trim();
  if (query.length === 0) throw badInput(`\`${field}\` is empty; leave it out instead.`, field);
  const language = ADAPTERS.map((a) => a.nativeQuery).find((q) => q !== undefined);
  const problem = language ? await language.check(query) : null;
  if (problem !== null && language) throw badInput(`\`${field}\` is not a ${language.name} query: ${problem}`, field);
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
