import { CacheTag, type CacheTagger } from '../../datasources/cache.js';

const CONVERSATION = /^\/openapi\/conversation\/([^/]+)(?:\/message)?$/;
const BOT_CONVERSATIONS = /^\/openapi\/bot\/[^/]+\/conversations?$/;
const BOT = /^\/openapi\/bot(?:\/[^/]+(?:\/flow)?)?$/;
const END_USER = /^\/openapi\/(?:endusers|enduser\/[^/]+)$/;

/**
 * Which CLOSER reads the shared entity cache may keep (`CACHE_TTL_MS`, src/datasources/cache.ts),
 * and what each is about: a conversation and its messages; any conversation list (global or per
 * bot) and the message search; end users; bots and flows. A path not listed here is never kept, so
 * a new read is fresh until someone says what it is about.
 */
export const closerCacheTags: CacheTagger = (path) => {
  const conversation = CONVERSATION.exec(path);
  if (conversation) return [CacheTag.conversation(decodeURIComponent(conversation[1] as string))];
  if (path === '/openapi/conversations' || path === '/openapi/messages' || BOT_CONVERSATIONS.test(path)) return [CacheTag.conversations];
  if (END_USER.test(path)) return [CacheTag.endUsers];
  if (BOT.test(path)) return [CacheTag.bots];
  return null;
};
