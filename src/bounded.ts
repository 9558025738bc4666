/**
 * Sets `key` in a Map used as a bounded memo. A Map iterates in insertion order, so deleting before
 * setting moves the key to the newest place, and the entries at the front are the ones set (or
 * touched) longest ago: those go first once the map holds more than `max`. Calling it again with
 * the value just read is how a reader marks an entry as recently used (an LRU).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
