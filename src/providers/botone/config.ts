import { ConfigError, baseUrl, int, required, str, type Env } from '../../env.js';
import { BOTONE_DEMO_PASSWORD, BOTONE_DEMO_USERNAME } from './demo.js';

/** Defaults written once, beside their `@default` (as in src/config.ts). */
export const BOTONE_DEFAULTS = {
  /**
   * The most vendor list pages (`PageCount=100`) one listing reads per bot (`BOTONE_MAX_LIST_PAGES`):
   * a bound on a listing's cost. A bot with more conversations is listed from these pages only,
   * and the list says so (PROVIDER_LIST_TRUNCATED, docs/providers/botone.md "Order and cost").
   * @default 200
   */
  maxListPages: 200,
};

export interface BotoneConfig {
  baseUrl: string | null;
  /** @default the demo account, when no base URL is set */
  username: string;
  password: string;
  /** @default 'v2' */
  apiVersion: 'v1' | 'v2';
  /** Bot.one cannot list bots; these are the bots botgraph knows. Empty: conversations are listed unattributed. */
  botIds: string[];
  /** See `BOTONE_DEFAULTS.maxListPages` (absent: that default; configs built in code may leave it out). */
  maxListPages?: number;
}

export const BOTONE_ENV = [
  'BOTONE_BASE_URL',
  'BOTONE_USERNAME',
  'BOTONE_PASSWORD',
  'BOTONE_API_VERSION',
  'BOTONE_BOT_IDS',
  'BOTONE_MAX_LIST_PAGES',
] as const;

export function parseBotoneConfig(env: Env): BotoneConfig {
  const url = baseUrl(env, 'BOTONE_BASE_URL');
  const apiVersion = (str(env, 'BOTONE_API_VERSION') ?? 'v2').toLowerCase();
  if (apiVersion !== 'v1' && apiVersion !== 'v2') throw new ConfigError('BOTONE_API_VERSION', 'must be v1 or v2');
  const botIds = (str(env, 'BOTONE_BOT_IDS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of botIds) {
    if (!/^\d+$/.test(id)) throw new ConfigError('BOTONE_BOT_IDS', `bot ids are integers, got "${id}"`);
  }
  return {
    baseUrl: url,
    username: url ? required(env, 'BOTONE_USERNAME', 'BOTONE_BASE_URL is set') : (str(env, 'BOTONE_USERNAME') ?? BOTONE_DEMO_USERNAME),
    password: url ? required(env, 'BOTONE_PASSWORD', 'BOTONE_BASE_URL is set') : (str(env, 'BOTONE_PASSWORD') ?? BOTONE_DEMO_PASSWORD),
    apiVersion,
    botIds,
    maxListPages: int(env, 'BOTONE_MAX_LIST_PAGES', BOTONE_DEFAULTS.maxListPages, 1, 100_000),
  };
}
