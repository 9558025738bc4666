import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import type { AuthConfig } from '../config.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { findKey } from './keys.js';
import { makePrincipal, OPEN_PRINCIPAL, parseScope, ROLES, type Principal, type Role, type ScopeEntry } from './principal.js';

/** What a credential proved: the principal, and until when (a JWT's `exp`), in epoch ms. */
export interface Authenticated {
  principal: Principal;
  expiresAt: number | null;
}

export function unauthenticated(message: string): BotgraphError {
  return new BotgraphError(ErrorCode.UNAUTHENTICATED, message);
}

export function forbidden(message: string): BotgraphError {
  return new BotgraphError(ErrorCode.FORBIDDEN, message);
}

/**
 * The credential in an `Authorization` value: `Bearer <key or JWT>`, or `Basic` with the key as the
 * password (what a browser sends after its login prompt: how an admin opens GraphiQL in production).
 */
export function credentialOf(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^\s*(bearer|basic)\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return null;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return password || null;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Decides the principal of an HTTP request or a WebSocket. With auth off every caller is the
 * anonymous principal (and may do what an operator does); otherwise a valid API key or JWT is
 * required, and anything else is UNAUTHENTICATED.
 */
export class Authenticator {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;

  constructor(
    private readonly config: AuthConfig,
    private readonly logger: Logger,
  ) {
    // jose caches the key set, refetches it when a token names an unknown `kid` (rotation), and
    // waits `cooldownDuration` between refetches so that junk tokens cannot hammer the IdP; a set older than
    // `cacheMaxAge` is refetched before use, so a key the IdP removed stops verifying.
    this.jwks = config.jwt
      ? createRemoteJWKSet(new URL(config.jwt.jwksUrl), {
          cooldownDuration: config.jwt.jwksCooldownMs,
          cacheMaxAge: config.jwt.jwksCacheMaxAgeMs,
          timeoutDuration: 5_000,
        })
      : null;
  }

  get required(): boolean {
    return this.config.mode === 'required';
  }

  async authenticate(authorization: string | undefined): Promise<Authenticated> {
    if (this.config.mode === 'open') return { principal: OPEN_PRINCIPAL, expiresAt: null };
    const credential = credentialOf(authorization);
    if (credential === null) throw unauthenticated('This API needs a credential: send `Authorization: Bearer <API key or token>`.');
    const key = findKey(this.config.apiKeys, credential);
    if (key) return { principal: makePrincipal(key.name, key.role, key.scope), expiresAt: null };
    if (this.jwks && this.config.jwt && JWT_SHAPE.test(credential)) return this.verifyJwt(credential);
    throw unauthenticated('The credential is not valid.');
  }

  private async verifyJwt(token: string): Promise<Authenticated> {
    const jwt = this.config.jwt!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, {
        ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
        ...(jwt.audience ? { audience: jwt.audience } : {}),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired.');
      if (error instanceof joseErrors.JOSEError) {
        // The reason (claim, signature, key set unreachable) is for the operator, not the caller.
        this.logger.info({ reason: error.code }, 'JWT refused');
        throw unauthenticated('The token is not valid.');
      }
      throw error;
    }
    const roleValue = payload[jwt.roleClaim];
    if (typeof roleValue !== 'string' || !(ROLES as readonly string[]).includes(roleValue)) {
      throw unauthenticated(`The token carries no valid \`${jwt.roleClaim}\` claim (one of ${ROLES.join(', ')}).`);
    }
    let scope: ScopeEntry[] | null = null;
    const scopeValue = payload[jwt.scopeClaim];
    if (scopeValue !== undefined && scopeValue !== null) {
      const entries = typeof scopeValue === 'string' ? scopeValue.split(/[\s,]+/).filter(Boolean) : scopeValue;
      try {
        if (!Array.isArray(entries)) throw new Error('not a list');
        scope = parseScope(entries);
      } catch {
        throw unauthenticated(`The token's \`${jwt.scopeClaim}\` claim is not a list of PROVIDER or PROVIDER:botId.`);
      }
    }
    const name = typeof payload.sub === 'string' && payload.sub ? `jwt:${payload.sub}` : 'jwt';
    return { principal: makePrincipal(name, roleValue as Role, scope), expiresAt: (payload.exp as number) * 1000 };
  }
}
