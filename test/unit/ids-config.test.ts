import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseCxoneTokens } from '../../src/providers/cxone/config.js';
import { decodeId, encodeId } from '../../src/ids.js';
import { parseDateTime } from '../../src/resolvers/scalars.js';
import { checkFirst, decodeCursor, encodeCursor } from '../../src/pagination/connection.js';
import { parseRetryAfter } from '../../src/datasources/http.js';

describe('global IDs', () => {
  it('round-trips provider, type, native id and scope, even with separators in the native id', () => {
    const id = { provider: 'CXONE' as const, type: 'Conversation' as const, nativeId: 'chat;abc|d%e;f', scope: ['1327', '1719943426916'] };
    const encoded = encodeId(id);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeId(encoded)).toEqual(id);
  });

  it('rejects malformed IDs with BAD_USER_INPUT naming the field', () => {
    for (const bad of [
      '',
      'not base64!',
      Buffer.from('b1|NOPE|Bot|1').toString('base64url'),
      Buffer.from('b1|CLOSER|Bot|').toString('base64url'),
      Buffer.from('x|CLOSER|Bot|1').toString('base64url'),
      'a'.repeat(3000),
    ]) {
      expect(() => decodeId(bad, 'conversationId')).toThrowError(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'conversationId' }) }),
      );
    }
  });

  it('rejects an ID of the wrong type', () => {
    const bot = encodeId({ provider: 'CLOSER', type: 'Bot', nativeId: '1', scope: [] });
    expect(() => decodeId(bot, 'conversationId', 'Conversation')).toThrow(/expected the ID of a Conversation, got the ID of a Bot/);
  });
});

describe('config', () => {
  it('defaults to all three providers on embedded simulators', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.providers).toEqual(['CLOSER', 'BOTONE', 'CXONE']);
    expect(c.closer.baseUrl).toBeNull();
    expect(c.botone.apiVersion).toBe('v2');
    expect(c.botone.maxListPages).toBe(200);
    expect(loadConfig({ BOTONE_MAX_LIST_PAGES: '2' }).botone.maxListPages).toBe(2);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ BOTGRAPH_PROVIDERS: 'closer,zendesk' }, 'BOTGRAPH_PROVIDERS'],
    [{ CLOSER_BASE_URL: 'ftp://x' }, 'CLOSER_BASE_URL'],
    [{ CLOSER_BASE_URL: 'https://api.closer.ai' }, 'CLOSER_API_KEY'],
    [{ CXONE_BASE_URL: 'https://x.example?token=1' }, 'CXONE_BASE_URL'],
    [{ BOTONE_API_VERSION: 'v3' }, 'BOTONE_API_VERSION'],
    [{ BOTONE_BOT_IDS: '1446,abc' }, 'BOTONE_BOT_IDS'],
    [{ BOTONE_MAX_LIST_PAGES: '0' }, 'BOTONE_MAX_LIST_PAGES'],
    [{ CXONE_TOKEN: '1327:,x' }, 'CXONE_TOKEN'],
    [{ SIMULATOR_ACTIVITY: 'maybe' }, 'SIMULATOR_ACTIVITY'],
    [{ GRAPHQL_COMPILE_AFTER: 'never' }, 'GRAPHQL_COMPILE_AFTER'],
    [{ GRAPHQL_COMPILE_AFTER: '-1' }, 'GRAPHQL_COMPILE_AFTER'],
  ])('fails fast on %o naming %s', (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message.startsWith(variable)).toBe(true);
    }
  });

  it('reads GRAPHQL_COMPILE_AFTER as a count or off', () => {
    expect(loadConfig({}).ops.compileAfter).toBe(10);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER: '0' }).ops.compileAfter).toBe(0);
    expect(loadConfig({ GRAPHQL_COMPILE_AFTER: 'off' }).ops.compileAfter).toBeNull();
  });

  it('reads CXONE_TOKEN as one bare token or botId:token pairs', () => {
    expect(parseCxoneTokens('abc')).toEqual({ '': 'abc' });
    expect(parseCxoneTokens('1327:a, 1328:b')).toEqual({ '1327': 'a', '1328': 'b' });
    expect(() => parseCxoneTokens('1327:a,1327:b')).toThrow(/listed twice/);
  });
});

describe('small parsers', () => {
  it('DateTime takes ISO 8601 with a zone or a date, nothing else', () => {
    expect(parseDateTime('2026-11-21').toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(parseDateTime('2026-11-21T09:00:00+09:00').toISOString()).toBe('2026-11-21T00:00:00.000Z');
    for (const bad of ['2026-11-21T09:00:00', 'yesterday', '2026-13-40', 42]) {
      expect(() => parseDateTime(bad)).toThrowError(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });

  it('first is 0..100', () => {
    expect(checkFirst(undefined, 20)).toBe(20);
    expect(checkFirst(100, 20)).toBe(100);
    for (const bad of [-1, 101, 1.5]) expect(() => checkFirst(bad, 20)).toThrow(/from 0 to 100/);
  });

  it('cursors are kind-tagged', () => {
    const c = encodeCursor('messages', 5);
    expect(decodeCursor('messages', c)).toBe(5);
    expect(() => decodeCursor('conversations', c)).toThrow(/not a cursor/);
  });

  it('Retry-After is seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
