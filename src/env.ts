/**
 * Readers over an environment record. Only `src/config.ts` passes `process.env` in; each provider
 * adapter reads its own section through these, so every variable fails the same way: at start,
 * with a message that names it.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The trimmed value; undefined when unset or blank. */
export function str(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A number strictly between 0 and 1. */
export function ratio(env: Env, name: string, fallback: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value > 0 && value < 1))
    throw new ConfigError(name, `expected a number between 0 and 1 (exclusive), got "${raw}"`);
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

/** A vendor base URL: http(s), no query, fragment or credentials, no trailing slash. Null when unset. */
export function baseUrl(env: Env, name: string): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be http or https');
  if (url.search || url.hash) throw new ConfigError(name, 'must not carry a query string or fragment');
  if (url.username || url.password) throw new ConfigError(name, 'must not carry credentials; use the credential variables');
  return url.toString().replace(/\/+$/, '');
}

export function required(env: Env, name: string, because: string): string {
  const value = str(env, name);
  if (value === undefined) throw new ConfigError(name, `is required when ${because}`);
  return value;
}
