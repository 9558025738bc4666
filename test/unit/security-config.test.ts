import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { findKey, parseApiKeys, parseApiKeysFile, sha256 } from '../../src/auth/keys.js';
import { parseScope, scopeKeyOf } from '../../src/auth/principal.js';

const variableOf = (env: Record<string, string>): string | null => {
  try {
    loadConfig(env);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).variable;
  }
};

const REMOTE_CLOSER = { CLOSER_BASE_URL: 'https://api.closer.example', CLOSER_API_KEY: 'k', CLOSER_WEBHOOK_SECRET: 'w' };

describe('when auth applies', () => {
  it('the demo (every provider simulated, nothing configured) runs open', () => {
    const c = loadConfig({});
    expect(c.auth).toMatchObject({ mode: 'open', openReason: 'demo' });
  });

  it('a REMOTE provider without auth refuses to start, naming the variable; BOTGRAPH_AUTH=off runs open', () => {
    expect(variableOf(REMOTE_CLOSER)).toBe('BOTGRAPH_API_KEYS');
    try {
      loadConfig(REMOTE_CLOSER);
    } catch (error) {
      expect((error as Error).message).toMatch(/CLOSER_BASE_URL talks to a real vendor; set BOTGRAPH_AUTH=off/);
    }
    expect(loadConfig({ ...REMOTE_CLOSER, BOTGRAPH_AUTH: 'off' }).auth).toMatchObject({ mode: 'open', openReason: 'off' });
    expect(loadConfig({ ...REMOTE_CLOSER, BOTGRAPH_API_KEYS: 'viewer:0123456789abcdef0' }).auth.mode).toBe('required');
    expect(loadConfig({ ...REMOTE_CLOSER, AUTH_JWKS_URL: 'https://idp.example/jwks.json' }).auth.mode).toBe('required');
    // A disabled remote provider talks to nobody.
    expect(loadConfig({ ...REMOTE_CLOSER, BOTGRAPH_PROVIDERS: 'botone' }).auth.mode).toBe('open');
  });

  it('any key makes auth required, even with simulators only', () => {
    expect(loadConfig({ BOTGRAPH_API_KEYS: 'admin:0123456789abcdef0' }).auth.mode).toBe('required');
  });

  it('CLOSER REMOTE needs CLOSER_WEBHOOK_SECRET', () => {
    const { CLOSER_WEBHOOK_SECRET: _w, ...noSecret } = REMOTE_CLOSER;
    expect(variableOf({ ...noSecret, BOTGRAPH_AUTH: 'off' })).toBe('CLOSER_WEBHOOK_SECRET');
  });

  it.each([
    [{ BOTGRAPH_API_KEYS: 'root:0123456789abcdef0' }, 'BOTGRAPH_API_KEYS'],
    [{ BOTGRAPH_API_KEYS: 'viewer:short' }, 'BOTGRAPH_API_KEYS'],
    [{ BOTGRAPH_API_KEYS_FILE: '/nonexistent/keys' }, 'BOTGRAPH_API_KEYS_FILE'],
    [{ BOTGRAPH_AUTH: 'maybe' }, 'BOTGRAPH_AUTH'],
    [{ BOTGRAPH_AUTH: 'on' }, 'BOTGRAPH_API_KEYS'],
    [{ AUTH_JWKS_URL: 'not a url' }, 'AUTH_JWKS_URL'],
    [{ AUTH_JWT_ISSUER: 'https://idp' }, 'AUTH_JWT_ISSUER'],
    [{ CORS_ORIGINS: 'https://a.example/path' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: '*,https://a.example' }, 'CORS_ORIGINS'],
    [{ PERSISTED_OPERATIONS_ONLY: 'true' }, 'PERSISTED_OPERATIONS_ONLY'],
    [{ MAX_DEPTH: '0' }, 'MAX_DEPTH'],
    [{ MAX_COST: 'lots' }, 'MAX_COST'],
  ])('fails fast on %o naming %s', (env, variable) => {
    expect(variableOf(env)).toBe(variable);
  });
});

describe('keys and scopes', () => {
  it('parses env keys and the hashed file, and finds a key only by the key itself', () => {
    const env = parseApiKeys('viewer:aaaaaaaaaaaaaaaa1, operator:bbbbbbbbbbbbbbbb2');
    expect(env.map((k) => [k.name, k.role])).toEqual([
      ['viewer-1', 'viewer'],
      ['operator-2', 'operator'],
    ]);
    expect(findKey(env, 'bbbbbbbbbbbbbbbb2')?.role).toBe('operator');
    expect(findKey(env, 'bbbbbbbbbbbbbbbb')).toBeNull();
    const file = parseApiKeysFile(`# comment\n\nconsole viewer ${sha256('k1-0123456789abcdef').toString('hex')} CLOSER,BOTONE:1446\n`);
    expect(file[0]).toMatchObject({
      name: 'console',
      role: 'viewer',
      scope: [
        { provider: 'CLOSER', botNativeId: null },
        { provider: 'BOTONE', botNativeId: '1446' },
      ],
    });
    expect(findKey(file, 'k1-0123456789abcdef')?.name).toBe('console');
    expect(() => parseApiKeysFile('x viewer nothex')).toThrow(/SHA-256/);
    expect(() => parseApiKeysFile(`x viewer ${'a'.repeat(64)} ZENDESK`)).toThrow(/unknown provider/);
  });

  it('a scope has one canonical key', () => {
    expect(scopeKeyOf(parseScope(['BOTONE:1446', 'closer', 'CLOSER']))).toBe('BOTONE:1446,CLOSER');
    expect(scopeKeyOf(null)).toBe('');
    expect(() => parseScope([])).toThrow();
    expect(() => parseScope(['CLOSER:1:2'])).toThrow();
  });
});
