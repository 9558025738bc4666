/**
 * Models mapped once per vendor answer object. A vendor answer's parsed value is the same object
 * for as long as its bytes do not change: the entity cache hands back the value it kept, and
 * UpstreamHttp gives the last value of a URL again when its bytes equal the last answer's. So a
 * mapping memoized on that object does no work for an unchanged answer, and a changed one is a
 * new object, mapped afresh. Held weakly: a memo lives exactly as long as its answer.
 *
 * Callers must not change what they get: the same model serves every request that reads the same
 * answer (models were already shared that way by the entity cache).
 */
import { holdsUntil } from '../observability/operation.js';

interface Slot {
  key: string;
  value: unknown;
  /** Epoch ms until which the mapping holds (a CXone status depends on the time). */
  until: number;
}

const slots = new WeakMap<object, Slot>();

/**
 * `map()` for `raw` under `key` (what else the mapping depends on: a bot, an id scope), remembered
 * for the same `raw` and `key` until `until(value)` (default: for ever) has passed at `now`.
 */
export function mappedOnce<T>(raw: object, key: string, map: () => T, now = 0, until?: (value: T) => number): T {
  let slot = slots.get(raw);
  if (!slot || slot.key !== key || now >= slot.until) {
    const value = map();
    slot = { key, value, until: until ? until(value) : Number.POSITIVE_INFINITY };
    slots.set(raw, slot);
  }
  // A response built on this model must not outlive it either (the response cache).
  if (until) holdsUntil(slot.until);
  return slot.value as T;
}
