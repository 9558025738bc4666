/** The Bot.one simulator as botgraph embeds it when no BOTONE_BASE_URL is set (loaded on demand only). */
import type { EmbeddedSimulator, EmbeddedSimulatorOptions } from '../../types.js';
import type { BotoneConfig } from '../config.js';
import { startBotoneSimulator } from './index.js';

export async function startEmbedded(config: BotoneConfig, options: EmbeddedSimulatorOptions): Promise<EmbeddedSimulator<BotoneConfig>> {
  const simulator = await startBotoneSimulator({ ...options, username: config.username, password: config.password });
  return {
    handle: simulator,
    // Bot.one cannot list bots: without configured ones, botgraph knows the simulator's seeded bots.
    config: { ...config, baseUrl: simulator.url, botIds: config.botIds.length > 0 ? config.botIds : simulator.botIds.map(String) },
  };
}

export async function startStandalone(options: EmbeddedSimulatorOptions) {
  const simulator = await startBotoneSimulator(options);
  return {
    handle: simulator,
    describe: () => `${simulator.url}   Basic ${simulator.username}:${simulator.password}   bots ${simulator.botIds.join(',')}`,
  };
}
