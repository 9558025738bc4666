import { badInput } from '../errors.js';

/** The longest message botgraph sends. Bot.one's simulator takes 4096; CLOSER documents no limit. */
export const MAX_TEXT_LENGTH = 4096;
/** The largest JSON object (variables, params, block data) botgraph forwards, serialised. */
export const MAX_JSON_BYTES = 16 * 1024;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 64;
export const MAX_NOTES_LENGTH = 10_000;
export const MAX_TOKEN_LENGTH = 4096;

export function checkText(value: string, field: string): string {
  const text = value.trim();
  if (text.length === 0) throw badInput(`\`${field}\` must not be empty.`, field);
  if (text.length > MAX_TEXT_LENGTH) throw badInput(`\`${field}\` is longer than ${MAX_TEXT_LENGTH} characters.`, field);
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

export function checkTags(tags: readonly string[], field: string): string[] {
  if (tags.length > MAX_TAGS) throw badInput(`\`${field}\` takes at most ${MAX_TAGS} tags.`, field);
  return tags.map((tag, i) => {
    const t = tag.trim();
    if (t.length === 0 || t.length > MAX_TAG_LENGTH) {
      throw badInput(`\`${field}[${i}]\` must be 1 to ${MAX_TAG_LENGTH} characters.`, `${field}[${i}]`);
    }
    return t;
  });
}

export function checkNotes(notes: string, field: string): string {
  if (notes.length > MAX_NOTES_LENGTH) throw badInput(`\`${field}\` is longer than ${MAX_NOTES_LENGTH} characters.`, field);
  return notes;
}

export function checkToken(token: string, field: string): string {
  const t = token.trim();
  if (t.length === 0 || t.length > MAX_TOKEN_LENGTH) throw badInput(`\`${field}\` must be 1 to ${MAX_TOKEN_LENGTH} characters.`, field);
  return t;
}
