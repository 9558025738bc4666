import { CacheTag, type CacheTagger } from '../../datasources/cache.js';

/**
 * Which Bot.one reads the shared entity cache may keep (src/datasources/cache.ts): the per-bot
 * conversation lists and a conversation's detail (which carries its collected data, i.e. its
 * messages), on API v1 or v2. Writes (send, stop, start, goto, create, Vertex) are never kept.
 */
export const botoneCacheTags: CacheTagger = (path) => {
  if (/^\/api\/v[12]\/conversations$/.test(path)) return [CacheTag.conversations];
  const detail = /^\/api\/v[12]\/conversation\/([^/]+)$/.exec(path);
  if (detail) return [CacheTag.conversation(decodeURIComponent(detail[1] as string))];
  return null;
};
