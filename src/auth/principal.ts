import { PROVIDERS, type ProviderName } from '../providers/registry.js';

/**
 * Who runs an operation. Decided once per HTTP request and once per WebSocket (at
 * `connection_init`) by `Authenticator` (src/auth/authenticate.ts); everything else reads
 * `ctx.principal` and never builds one.
 */

/** `anonymous` exists only when auth is off (the open demo, or BOTGRAPH_AUTH=off). */
export type Role = 'anonymous' | 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Exclude<Role, 'anonymous'>[] = ['viewer', 'operator', 'admin'];

/** One scope entry: a whole provider (`botNativeId` null), or one of its bots. */
export interface ScopeEntry {
  provider: ProviderName;
  botNativeId: string | null;
}

export interface Principal {
  /** Stable and safe to log: a key's name, a token's `sub`; never a credential. */
  name: string;
  role: Role;
  /** Null: everything. Otherwise only these providers and bots exist for this principal. */
  scope: readonly ScopeEntry[] | null;
  /** Canonical string of `scope`, '' when unscoped: equal scopes, equal keys (cohorts, caches). */
  scopeKey: string;
}

export class ScopeParseError extends Error {}

/** `["CLOSER", "BOTONE:1446"]` → scope entries. Provider names are the schema's Provider enum values. */
export function parseScope(entries: readonly unknown[]): ScopeEntry[] {
  const scope: ScopeEntry[] = [];
  for (const raw of entries) {
    if (typeof raw !== 'string' || raw.trim() === '') throw new ScopeParseError('a scope entry must be a non-empty string');
    const [providerRaw, bot, ...rest] = raw.trim().split(':');
    const provider = (providerRaw ?? '').toUpperCase();
    if (!PROVIDERS.includes(provider as ProviderName)) throw new ScopeParseError(`unknown provider "${providerRaw}" in scope entry "${raw}"`);
    if (rest.length > 0 || bot === '') throw new ScopeParseError(`scope entry "${raw}" must be PROVIDER or PROVIDER:botId`);
    scope.push({ provider: provider as ProviderName, botNativeId: bot ?? null });
  }
  if (scope.length === 0) throw new ScopeParseError('a scope names at least one provider or bot');
  return scope;
}

export function scopeKeyOf(scope: readonly ScopeEntry[] | null): string {
  if (!scope) return '';
  return [...new Set(scope.map((e) => (e.botNativeId === null ? e.provider : `${e.provider}:${e.botNativeId}`)))].sort().join(',');
}

export function makePrincipal(name: string, role: Role, scope: readonly ScopeEntry[] | null): Principal {
  return { name, role, scope, scopeKey: scopeKeyOf(scope) };
}

/** The principal of every operation when auth is off. */
export const OPEN_PRINCIPAL: Principal = makePrincipal('anonymous', 'anonymous', null);

/** Whether the principal may run mutations. `anonymous` only exists when auth is off: it may. */
export function mayMutate(principal: Principal): boolean {
  return principal.role === 'operator' || principal.role === 'admin' || principal.role === 'anonymous';
}

export function isAdmin(principal: Principal): boolean {
  return principal.role === 'admin';
}

/** Whether a whole provider is (at least partly) visible. */
export function providerInScope(principal: Principal, provider: ProviderName): boolean {
  return principal.scope === null || principal.scope.some((e) => e.provider === provider);
}

/**
 * The bots of `provider` the principal is limited to: null when it sees the whole provider (or is
 * unscoped), [] when it sees nothing of it.
 */
export function scopedBots(principal: Principal, provider: ProviderName): string[] | null {
  if (principal.scope === null) return null;
  const entries = principal.scope.filter((e) => e.provider === provider);
  if (entries.some((e) => e.botNativeId === null)) return null;
  return entries.map((e) => e.botNativeId as string);
}

/** Whether an object of `provider` belonging to `botNativeId` (null: unknown bot) exists for the principal. */
export function inScope(principal: Principal, provider: ProviderName, botNativeId: string | null | undefined): boolean {
  const bots = scopedBots(principal, provider);
  if (bots === null) return true;
  return botNativeId !== null && botNativeId !== undefined && bots.includes(botNativeId);
}
