import { CacheTag, type CacheTagger } from '../../datasources/cache.js';

/**
 * Which CLOSER reads the shared entity cache may keep (`CACHE_TTL_MS`, src/datasources/cache.ts),
 * and what each is about: a conversation and its messages, the conversation lists and the message
 * search, end users, bots and flows. Anything else (a path botgraph does not read) is not kept.
 */
export const closerCacheTags: CacheTagger = (path) => {
  const conversation = /^\/openapi\/conversation\/([^/]+)(?:\/message)?$/.exec(path);
  if (conversation) return [CacheTag.conversation(decodeURIComponent(conversation[1] as string))];
  if (path === '/openapi/conversations' || path === '/openapi/messages') return [CacheTag.conversations];
  if (path === '/openapi/endusers' || path.startsWith('/openapi/enduser/')) return [CacheTag.endUsers];
  if (path === '/openapi/bot' || path.startsWith('/openapi/bot/')) return [CacheTag.bots];
  return null;
};
