import exampleResponse from './example-response.json' with { type: 'json' };
import type { CxConversation } from './types.js';

/**
 * The one conversation of the vendor document's example response (`example-response.json`, beside
 * this file, imported as is: no copy), served verbatim (same times, ids and events) as a record of
 * bot 1327. Its times (2 July 2024) are older than the seeded 90 days: that is deliberate, so that
 * tests can compare what the simulator serves with the document's example.
 */
export function exampleConversation(): CxConversation {
  // A fresh copy each time: the store treats records as immutable, but callers may not.
  return structuredClone(exampleResponse.data[0]) as unknown as CxConversation;
}
