import type { GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import { ConfigError, type Config } from '../config.js';
import type { OperationPolicy } from './operation.js';
import { DocumentCache } from './documents.js';
import { PersistedOperations } from './persisted.js';
import { OperationRateLimit, TopicBudget } from './rate.js';
import { statsCostWeights } from '../stats/cost.js';

/**
 * Everything that decides whether an operation may run, built once per process and handed to both
 * transports (src/http/apollo.ts, src/http/ws.ts) so that HTTP and WebSocket apply one policy.
 */
export interface Guard {
  auth: Authenticator;
  rate: OperationRateLimit;
  topics: TopicBudget;
  persisted: PersistedOperations | null;
  policy: OperationPolicy;
  /** Parsed and validated documents by text, for WebSocket (Apollo keeps its own on HTTP). */
  documents: DocumentCache;
  /** `CORS_ORIGINS`, also checked on the WebSocket upgrade. */
  origins: string[];
}

export function createGuard(config: Config, schema: GraphQLSchema, redis: Redis | null, logger: Logger): Guard {
  let persisted: PersistedOperations | null = null;
  if (config.security.persistedOperationsFile) {
    try {
      persisted = PersistedOperations.fromFile(config.security.persistedOperationsFile);
    } catch (error) {
      throw new ConfigError('PERSISTED_OPERATIONS_FILE', (error as Error).message);
    }
  }
  return {
    auth: new Authenticator(config.auth, logger),
    rate: new OperationRateLimit(config.limits, redis),
    topics: new TopicBudget(config.limits.liveTopicsPerPrincipal, redis ? { redis, leaseMs: config.live.leaseMs, logger } : null),
    persisted,
    policy: { schema, limits: config.limits, security: config.security, fieldWeights: statsCostWeights(config.stats) },
    documents: new DocumentCache(schema, config.limits),
    origins: config.security.corsOrigins,
  };
}

/** Whether a browser `Origin` may talk to botgraph: listed, `*`, or the page botgraph itself served. */
export function originAllowed(origins: readonly string[], origin: string, host: string | undefined): boolean {
  if (origins.includes('*') || origins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
