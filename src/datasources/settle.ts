/** How the datasources turn a read's failure into what their callers expect instead of a rejection. */

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs one read per key; a failed key becomes its Error, as DataLoader expects, without failing the others. */
export async function perKey<K, V>(keys: readonly K[], read: (key: K) => Promise<V>): Promise<Array<V | Error>> {
  const settled = await Promise.allSettled(keys.map(read));
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : asError(s.reason)));
}

/** `health()`: whether a cheap authenticated read succeeds; any failure just means unhealthy. */
export async function succeeds(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch {
    return false;
  }
}
