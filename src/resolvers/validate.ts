import type { CardInput, LocationInput, MediaInput } from '../__generated__/resolvers-types.js';
import { badInput } from '../errors.js';
import type { OutgoingCard, OutgoingLocation, OutgoingMedia, ProviderName, RichContent, RichMessage } from '../models.js';
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

/**
 * Rich message limits. botgraph's own, set equal to CLOSER's (docs/providers/closer.md, "Sending
 * messages"), the one vendor whose API sends media, cards and locations: checked here so that such
 * input is BAD_USER_INPUT naming the field, with no upstream call.
 */
export const RICH_LIMITS = {
  url: 2048,
  cards: 10,
  buttons: 10,
  cardTitle: 200,
  cardDescription: 1000,
  buttonTitle: 100,
  buttonPayload: 1000,
  locationTitle: 200,
} as const;

/** What a send carries: plain text (`sendMessage`), or one rich kind with an optional caption (`sendRichMessage`). */
export type CheckedMessage = { rich: null; text: string } | { rich: RichMessage };

interface MessageInput {
  text?: string | null;
  media?: MediaInput | null;
  cards?: CardInput[] | null;
  location?: LocationInput | null;
}

/**
 * A message input: text, or exactly one of `media`, `cards`, `location` (a caption in `text` with
 * the first two). Everything is checked here, before the capability check and any upstream call.
 */
export function checkMessage(input: MessageInput, field: string, maxText: number): CheckedMessage {
  const given = (['media', 'cards', 'location'] as const).filter((k) => input[k] !== null && input[k] !== undefined);
  const hasText = input.text !== null && input.text !== undefined;
  if (given.length > 1)
    throw badInput(`Give at most one of \`media\`, \`cards\` and \`location\` (got ${given.join(', ')}).`, `${field}.${given[1]}`);
  const kind = given[0];
  if (kind === undefined) {
    if (!hasText) throw badInput(`\`${field}.text\` is required unless \`media\`, \`cards\` or \`location\` is given.`, `${field}.text`);
    return { rich: null, text: checkText(input.text as string, `${field}.text`, maxText) };
  }
  if (kind === 'location' && hasText) {
    // MESSAGE.DATA's location is `{title, latitude, longitude}`: its title is the caption.
    throw badInput(`\`${field}.text\` cannot go with \`location\`: use \`location.title\`.`, `${field}.text`);
  }
  const text = hasText ? checkText(input.text as string, `${field}.text`, maxText) : null;
  let content: RichContent;
  if (kind === 'media') content = { kind, media: checkMedia(input.media as MediaInput, `${field}.media`) };
  else if (kind === 'cards') content = { kind, cards: checkCards(input.cards as CardInput[], `${field}.cards`) };
  else content = { kind, location: checkLocation(input.location as LocationInput, `${field}.location`) };
  return { rich: { text, content } };
}

function checkUrl(value: string, field: string): string {
  const url = value.trim();
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > RICH_LIMITS.url) {
    throw badInput(`\`${field}\` must be an http(s) URL of at most ${RICH_LIMITS.url} characters.`, field);
  }
  return url;
}

function checkMedia(media: MediaInput, field: string): OutgoingMedia {
  const contentType = media.contentType.trim();
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(contentType))
    throw badInput(`\`${field}.contentType\` must be a MIME type such as image/png.`, `${field}.contentType`);
  return { url: checkUrl(media.url, `${field}.url`), contentType };
}

function bounded(value: string, field: string, max: number, required: boolean): string {
  const v = value.trim();
  if ((required && v.length === 0) || v.length > max) {
    throw badInput(`\`${field}\` must be ${required ? 1 : 0} to ${max} characters.`, field);
  }
  return v;
}

function checkCards(cards: CardInput[], field: string): OutgoingCard[] {
  if (cards.length === 0 || cards.length > RICH_LIMITS.cards) throw badInput(`\`${field}\` takes 1 to ${RICH_LIMITS.cards} cards.`, field);
  return cards.map((card, i) => {
    const at = `${field}[${i}]`;
    const buttons = card.buttons ?? [];
    if (buttons.length > RICH_LIMITS.buttons) throw badInput(`\`${at}.buttons\` takes at most ${RICH_LIMITS.buttons} buttons.`, `${at}.buttons`);
    const description =
      card.description === null || card.description === undefined
        ? null
        : bounded(card.description, `${at}.description`, RICH_LIMITS.cardDescription, false);
    return {
      title: bounded(card.title, `${at}.title`, RICH_LIMITS.cardTitle, true),
      // An empty description says nothing: sent as none.
      description: description === '' ? null : description,
      image: card.image ? checkMedia(card.image, `${at}.image`) : null,
      url: card.url === null || card.url === undefined ? null : checkUrl(card.url, `${at}.url`),
      buttons: buttons.map((b, j) => ({
        title: bounded(b.title, `${at}.buttons[${j}].title`, RICH_LIMITS.buttonTitle, true),
        // A payload is kept exactly: the bot compares it.
        payload: checkLength(b.payload, `${at}.buttons[${j}].payload`, RICH_LIMITS.buttonPayload),
      })),
    };
  });
}

function checkLength(value: string, field: string, max: number): string {
  if (value.length > max) throw badInput(`\`${field}\` is longer than ${max} characters.`, field);
  return value;
}

function checkLocation(location: LocationInput, field: string): OutgoingLocation {
  const { latitude, longitude } = location;
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) throw badInput(`\`${field}.latitude\` must be −90 to 90.`, `${field}.latitude`);
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180)
    throw badInput(`\`${field}.longitude\` must be −180 to 180.`, `${field}.longitude`);
  const title =
    location.title === null || location.title === undefined ? null : bounded(location.title, `${field}.title`, RICH_LIMITS.locationTitle, false);
  return { latitude, longitude, title: title === '' ? null : title };
}
