/** Bot.one as a botgraph provider: everything botgraph knows about it starts here. */
import { defineAdapter, implementedWrites } from '../types.js';
import { botoneCacheTags } from './entityTags.js';
import { BotoneDatasource } from './datasource.js';
import { BOTONE_ENV, parseBotoneConfig, type BotoneConfig } from './config.js';
import { BOTONE_READS, createBotoneRuntime } from './index.js';
import { fileIdFromAnswer } from './mapper.js';

import { botoneStats } from './stats.js';

export const botoneAdapter = defineAdapter({
  stats: botoneStats,
  name: 'BOTONE',
  slug: 'botone',
  label: 'Bot.one',
  config: {
    env: BOTONE_ENV,
    parse: parseBotoneConfig,
    baseUrl: (config: BotoneConfig) => config.baseUrl,
  },
  reads: BOTONE_READS,
  writes: implementedWrites(BotoneDatasource.prototype),
  events: {
    // Bot.one's list (what its poller reads) has no `data`, so no message count, while a mutation's
    // re-read (the detail) has one: counting it would make the same state two versions.
    versionCountsMessages: false,
    // Its `updated` is the last message's time and /stop (a handoff) moves none, while its stream
    // reads the whole list anyway: each poll compares the unfinished conversations' versions too.
    sweepsUnfinished: true,
  },
  // A Bot.one file lives behind the vendor's Basic auth: a browser can only open it through botgraph.
  files: { fileIdFromUrl: fileIdFromAnswer },
  cacheTags: botoneCacheTags,
  createRuntime: (options) => createBotoneRuntime(options),
  example: `# Bot.one (Russian): messages come from the collected data (question = BOT, answer = END_USER).
query Botone {
  conversations(first: 10, filter: { providers: [BOTONE] }) {
    nodes {
      id title status location ipAddress durationSeconds bot { name }
      collectedData { question answer type variable fileUrl }
      messages(first: 10) { nodes { sender text } }
    }
  }
}
`,
  loadSimulator: () => import('./simulator/embed.js'),
});
