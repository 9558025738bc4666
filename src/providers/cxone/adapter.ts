/** NICE CXone Bot Builder (its conversation export) as a botgraph provider. */
import { defineAdapter, implementedWrites } from '../types.js';
import { cxoneCacheTags } from './entityTags.js';
import { CxoneDatasource } from './datasource.js';
import { CXONE_ENV, parseCxoneConfig, type CxoneConfig } from './config.js';
import { CXONE_READS, createCxoneRuntime } from './index.js';

import { cxoneStats } from './stats.js';

export const cxoneAdapter = defineAdapter({
  stats: cxoneStats,
  name: 'CXONE',
  slug: 'cxone',
  label: 'CXone',
  config: {
    env: CXONE_ENV,
    parse: parseCxoneConfig,
    baseUrl: (config: CxoneConfig) => config.baseUrl,
  },
  reads: CXONE_READS,
  writes: implementedWrites(CxoneDatasource.prototype),
  unsupportedReason: 'its API is an export of past conversations and has no write endpoint',
  // Lists send `text ~ "<search>"` (src/providers/cxone/stream.ts): a case-insensitive substring of
  // what the end user wrote (docs/providers/cxone.md, `text`). Live filters test the same.
  textSearch: {
    matches(conversation, search) {
      const needle = search.trim().toLowerCase();
      return (conversation.embeddedMessages ?? []).some((m) => m.sender === 'END_USER' && (m.text ?? '').toLowerCase().includes(needle));
    },
  },
  nativeQuery: {
    name: 'CXone',
    // The grammar of docs/providers/cxone.md, the one the simulator serves; imported on first use
    // only, so a production start without such a filter loads no simulator code.
    async check(query) {
      const { compileQuery, parseQuery, QueryError } = await import('./simulator/query.js');
      try {
        // Values too (counts, times): compiling resolves them, and throws on a bad one.
        const ast = parseQuery(query);
        if (ast) compileQuery(ast, Date.now(), 'UTC');
        return null;
      } catch (error) {
        if (error instanceof QueryError) return error.message;
        throw error;
      }
    },
  },
  cacheTags: cxoneCacheTags,
  createRuntime: (options) => createCxoneRuntime(options),
  example: `# CXone (English, export only): NLU tracker events with intents and decoded actions.
query Cxone {
  conversations(first: 5, filter: { providers: [CXONE], search: "password" }) {
    nodes {
      id title status journey
      messages(first: 10) { nodes { sender text intent { name confidence } } }
      trackerEvents(types: ["user", "action"]) {
        type timestamp
        ... on UserUtteranceEvent { text intent { name confidence } intentRanking { name confidence } }
        ... on ActionEvent { name policy actionType }
      }
    }
  }
}
`,
  loadSimulator: () => import('./simulator/embed.js'),
});
