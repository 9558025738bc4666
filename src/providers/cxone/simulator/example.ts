import { readFileSync } from 'node:fs';
import type { CxConversation } from './types.js';

/**
 * The vendor document's example response (`example-response.json`, beside this file, read as it is:
 * no copy; `npm run build` copies it to dist/). Read once, when the simulator is first used.
 */
let example: CxConversation | undefined;

/**
 * The one conversation of that example, served verbatim (same times, ids and events) as a record of
 * bot 1327. Its times (2 July 2024) are older than the seeded 90 days: that is deliberate, so that
 * tests can compare what the simulator serves with the document's example.
 */
export function exampleConversation(): CxConversation {
  example ??= (JSON.parse(readFileSync(new URL('./example-response.json', import.meta.url), 'utf8')) as { data: CxConversation[] })
    .data[0] as CxConversation;
  // A fresh copy each time: the store treats records as immutable, but callers may not.
  return structuredClone(example);
}
