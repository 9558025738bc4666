import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startCloserSimulator, type CloserSimulator } from '../../src/providers/closer/simulator/index.js';
import { startBotgraph, type Botgraph } from '../../src/server.js';
import { startRedis, type TestRedis } from './redis.js';

export interface CloserReplicas {
  redis: TestRedis;
  closer: CloserSimulator;
  apps: Botgraph[];
}

/**
 * In-process botgraph replicas on one private redis-server, all talking to one standalone CLOSER
 * simulator as a REMOTE vendor (so its `/__sim/stats` counts every replica's calls). Shutdown is
 * registered with the test file's afterAll.
 */
export async function startCloserReplicas(env: Record<string, string> = {}, count = 2): Promise<CloserReplicas> {
  const redis = await startRedis();
  const closer = await startCloserSimulator({ port: 0 });
  const apps: Botgraph[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
    await closer.close();
    await redis.stop();
  });
  for (let i = 0; i < count; i++) {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      BOTGRAPH_PROVIDERS: 'closer',
      CLOSER_BASE_URL: closer.url,
      CLOSER_API_KEY: closer.apiKey,
      CLOSER_WEBHOOK_SECRET: 'test-webhook-secret',
      BOTGRAPH_AUTH: 'off',
      REDIS_URL: redis.url,
      SIMULATOR_ACTIVITY: 'false',
      ...env,
    });
    apps.push(await startBotgraph(config, { logger: createLogger('silent') }));
  }
  return { redis, closer, apps };
}
