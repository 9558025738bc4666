/**
 * What each vendor says its reads are about (src/providers/<vendor>/entityTags.ts): every list of
 * conversations is a `C` (dropped by any event of its provider), a conversation's own reads carry its
 * id, and anything not named is never kept.
 */
import { describe, expect, it } from 'vitest';
import { CacheTag } from '../../src/datasources/cache.js';
import { botoneCacheTags } from '../../src/providers/botone/entityTags.js';
import { closerCacheTags } from '../../src/providers/closer/entityTags.js';
import { cxoneCacheTags } from '../../src/providers/cxone/entityTags.js';

describe('entity cache tags', () => {
  it('CLOSER: lists (global and per bot) and the message search are conversation lists; bots, end users, one conversation', () => {
    expect(closerCacheTags('/openapi/conversations', {})).toEqual([CacheTag.conversations]);
    expect(closerCacheTags('/openapi/bot/b1/conversation', {})).toEqual([CacheTag.conversations]);
    expect(closerCacheTags('/openapi/messages', {})).toEqual([CacheTag.conversations]);
    expect(closerCacheTags('/openapi/conversation/c%201', {})).toEqual([CacheTag.conversation('c 1')]);
    expect(closerCacheTags('/openapi/conversation/c1/message', {})).toEqual([CacheTag.conversation('c1')]);
    expect(closerCacheTags('/openapi/enduser/u1', {})).toEqual([CacheTag.endUsers]);
    expect(closerCacheTags('/openapi/endusers', {})).toEqual([CacheTag.endUsers]);
    for (const path of ['/openapi/bot', '/openapi/bot/b1', '/openapi/bot/b1/flow']) expect(closerCacheTags(path, {})).toEqual([CacheTag.bots]);
    expect(closerCacheTags('/openapi/bot/b1/something-new', {})).toBeNull();
  });

  it('Bot.one: per-bot lists and one conversation, v1 and v2; nothing else', () => {
    expect(botoneCacheTags('/api/v2/conversations', {})).toEqual([CacheTag.conversations]);
    expect(botoneCacheTags('/api/v1/conversation/42', {})).toEqual([CacheTag.conversation('42')]);
    expect(botoneCacheTags('/api/v2/conversation/x/send', {})).toBeNull();
  });

  it('CXone: a search is a conversation list; a scroll page is never kept', () => {
    expect(cxoneCacheTags('/api/public/conversations', { perPage: 10 })).toEqual([CacheTag.conversations]);
    expect(cxoneCacheTags('/api/public/conversations', { scrollId: 's' })).toBeNull();
  });
});
