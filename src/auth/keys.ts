import { createHash, timingSafeEqual } from 'node:crypto';
import { parseScope, ROLES, ScopeParseError, type Role, type ScopeEntry } from './principal.js';

/** One accepted API key. Only its SHA-256 is kept in memory, so a heap dump does not hold keys. */
export interface ApiKeyEntry {
  name: string;
  role: Exclude<Role, 'anonymous'>;
  sha256: Buffer;
  scope: ScopeEntry[] | null;
}

export class KeyParseError extends Error {}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function role(raw: string, where: string): Exclude<Role, 'anonymous'> {
  const r = raw.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(r)) throw new KeyParseError(`${where}: unknown role "${raw}" (known: ${ROLES.join(', ')})`);
  return r as Exclude<Role, 'anonymous'>;
}

/** `BOTGRAPH_API_KEYS`: comma-separated `role:key` pairs. Each key is named `<role>-<n>` in logs. */
export function parseApiKeys(raw: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((pair, i) => {
      const at = pair.indexOf(':');
      if (at <= 0 || at === pair.length - 1) throw new KeyParseError(`entry ${i + 1}: expected role:key`);
      const r = role(pair.slice(0, at), `entry ${i + 1}`);
      const key = pair.slice(at + 1).trim();
      if (key.length < 16) throw new KeyParseError(`entry ${i + 1}: a key must be at least 16 characters`);
      entries.push({ name: `${r}-${i + 1}`, role: r, sha256: sha256(key), scope: null });
    });
  if (entries.length === 0) throw new KeyParseError('is empty');
  return entries;
}

/**
 * `BOTGRAPH_API_KEYS_FILE`: one key per line, `name role sha256-hex [scope]`, where scope is a
 * comma-separated list of `PROVIDER` or `PROVIDER:botId`. Blank lines and `#` comments are skipped.
 * The hash is `printf %s "$KEY" | sha256sum`.
 */
export function parseApiKeysFile(text: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*$/, '').trim();
    if (!content) return;
    const where = `line ${i + 1}`;
    const fields = content.split(/\s+/);
    if (fields.length < 3 || fields.length > 4) throw new KeyParseError(`${where}: expected "name role sha256 [scope]"`);
    const [name, roleRaw, hash, scopeRaw] = fields as [string, string, string, string | undefined];
    if (names.has(name)) throw new KeyParseError(`${where}: the name "${name}" is used twice`);
    names.add(name);
    if (!/^[0-9a-f]{64}$/i.test(hash)) throw new KeyParseError(`${where}: the key must be given as its SHA-256 in hex (64 characters)`);
    let scope: ScopeEntry[] | null = null;
    if (scopeRaw !== undefined) {
      try {
        scope = parseScope(scopeRaw.split(',').filter(Boolean));
      } catch (error) {
        if (error instanceof ScopeParseError) throw new KeyParseError(`${where}: ${error.message}`);
        throw error;
      }
    }
    entries.push({ name, role: role(roleRaw, where), sha256: Buffer.from(hash, 'hex'), scope });
  });
  if (entries.length === 0) throw new KeyParseError('holds no key');
  return entries;
}

/**
 * The entry whose key this is, or null. Every entry is compared, each in constant time over equal
 * lengths (hashes), so the answer's timing does not tell how close a guess was or which entry matched.
 */
export function findKey(entries: readonly ApiKeyEntry[], given: string): ApiKeyEntry | null {
  const digest = sha256(given);
  let found: ApiKeyEntry | null = null;
  for (const entry of entries) {
    if (timingSafeEqual(entry.sha256, digest) && found === null) found = entry;
  }
  return found;
}
