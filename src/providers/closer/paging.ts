/**
 * Offset/limit ↔ CLOSER's page/limit. The merge asks streams for arbitrary offsets (it resumes
 * wherever it stopped consuming), while CLOSER only serves fixed-size pages: any page size up to 100
 * may cover a window in one call (`pageWindow` in the shared datasource base).
 */
import type { PageWindowOptions } from '../../datasources/base.js';
import { CLOSER_MAX_LIMIT } from './types.js';

/** CLOSER's paging: any size up to its largest page. */
export const CLOSER_PAGING: PageWindowOptions = { maxPageSize: CLOSER_MAX_LIMIT };
