import { CacheTag, type CacheTagger } from '../../datasources/cache.js';
import { EXPORT_PATH } from './client.js';

/**
 * Which CXone reads the shared entity cache may keep (src/datasources/cache.ts): a search of the
 * export (a listing, a count, a by-id search), never a scroll page: an Elasticsearch scroll may keep
 * its id while it moves, so a page kept under a scroll id could be served for the page after it.
 * Readers of one kept search share its scroll: the stream names the export after the scroll id
 * (stream.ts), so their pages meet in the batch cache. Every CXone read is a list: any CXone event
 * drops them.
 */
export const cxoneCacheTags: CacheTagger = (path, query) => (path === EXPORT_PATH && query.scrollId === undefined ? [CacheTag.conversations] : null);
