import { badInput } from './errors.js';
import type { ProviderName } from './models.js';
import { isProviderName } from './providers/registry.js';

export const NODE_TYPES = ['Bot', 'Conversation', 'Message', 'EndUser', 'Flow'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface GlobalId {
  provider: ProviderName;
  type: NodeType;
  nativeId: string;
  /**
   * What else a later lookup needs that the vendor's id alone cannot give: the bot of a Bot.one or
   * CXone conversation, the CXone conversation's time. Empty for most objects.
   */
  scope: string[];
}

const VERSION = 'b1';

/**
 * Global IDs are base64url of `b1|PROVIDER|Type|nativeId|scope…`, each part percent-encoded so that
 * vendor ids containing `|` or `;` (CXone's `chat;…`) survive. Opaque to clients by contract; the
 * version prefix lets the format change without breaking stored IDs.
 */
export function encodeId(id: GlobalId): string {
  const parts = [VERSION, id.provider, id.type, id.nativeId, ...id.scope].map(encodeURIComponent);
  return Buffer.from(parts.join('|'), 'utf8').toString('base64url');
}

/** Decodes and validates a global ID; anything malformed is BAD_USER_INPUT naming `field`. */
export function decodeId(value: string, field = 'id', expected?: NodeType | readonly NodeType[]): GlobalId {
  const fail = (why: string) => badInput(`Invalid ${field}: ${why}.`, field);
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(value)) {
    throw fail('not a botgraph ID');
  }
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const parts = text.split('|');
  if (parts.length < 4 || parts[0] !== VERSION) throw fail('not a botgraph ID');
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    throw fail('not a botgraph ID');
  }
  const [, provider, type, nativeId, ...scope] = decoded as [string, string, string, string, ...string[]];
  if (!isProviderName(provider)) throw fail('unknown provider');
  if (!NODE_TYPES.includes(type as NodeType)) throw fail('unknown type');
  if (nativeId.length === 0) throw fail('empty native id');
  if (expected !== undefined) {
    const allowed = typeof expected === 'string' ? [expected] : expected;
    if (!allowed.includes(type as NodeType)) {
      throw fail(`expected the ID of a ${allowed.join(' or ')}, got the ID of a ${type}`);
    }
  }
  return { provider: provider, type: type as NodeType, nativeId, scope };
}
