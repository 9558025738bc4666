import { ConfigError, baseUrl, required, str, type Env } from '../../env.js';

export interface CxoneConfig {
  baseUrl: string | null;
  /** Bot id → export token. The key is '' for a single bare token whose bot is unknown. */
  tokens: Record<string, string>;
}

export const CXONE_ENV = ['CXONE_BASE_URL', 'CXONE_TOKEN'] as const;

export function parseCxoneTokens(raw: string, variable = 'CXONE_TOKEN'): Record<string, string> {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError(variable, 'is empty');
  if (entries.length === 1 && !(entries[0] as string).includes(':')) return { '': entries[0] as string };
  const tokens: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf(':');
    const bot = entry.slice(0, at).trim();
    const token = entry.slice(at + 1).trim();
    if (at <= 0 || !bot || !token) {
      throw new ConfigError(variable, 'expected one bare token or comma-separated botId:token pairs');
    }
    if (tokens[bot] !== undefined) throw new ConfigError(variable, `bot ${bot} is listed twice`);
    tokens[bot] = token;
  }
  return tokens;
}

export function parseCxoneConfig(env: Env): CxoneConfig {
  const url = baseUrl(env, 'CXONE_BASE_URL');
  const raw = str(env, 'CXONE_TOKEN');
  return {
    baseUrl: url,
    // Empty without a base URL: the embedded simulator's demo tokens are filled in when it starts.
    tokens: raw ? parseCxoneTokens(raw) : url ? parseCxoneTokens(required(env, 'CXONE_TOKEN', 'CXONE_BASE_URL is set')) : {},
  };
}
