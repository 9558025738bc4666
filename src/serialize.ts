/** JSON that keeps Dates: results replay with the same types they were made with. */
export function serialize(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const original = this[key];
    return original instanceof Date ? { $date: original.toISOString() } : v;
  });
}

export function deserialize<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    v && typeof v === 'object' && typeof (v as { $date?: unknown }).$date === 'string' && Object.keys(v).length === 1
      ? new Date((v as { $date: string }).$date)
      : v,
  ) as T;
}
