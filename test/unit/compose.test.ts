/**
 * compose.yaml, checked without Docker: parsed with a YAML parser, its services, environment and
 * healthchecks must fit botgraph (every replica's environment passes `loadConfig`, the simulators'
 * passes `loadSimulatorCliConfig`, URLs point at the right service and port, healthchecks use
 * /readyz, Prometheus scrapes every replica's METRICS_PORT).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, loadSimulatorCliConfig } from '../../src/config.js';

const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('compose.yaml', root), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string }>;
      ports?: string[];
      command?: string[];
      profiles?: string[];
      volumes?: string[];
    }
  >;
};
const replicas = Object.keys(compose.services).filter((name) => name.startsWith('botgraph-'));

describe('compose.yaml', () => {
  it('has Redis, the simulators, two botgraph replicas and an optional Prometheus', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['botgraph-1', 'botgraph-2', 'prometheus', 'redis', 'simulators']);
    expect(replicas).toHaveLength(2);
    expect(compose.services.prometheus?.profiles).toEqual(['prometheus']);
  });

  it('every replica shares Redis and the standalone simulators, and its environment is a valid configuration', () => {
    const sim = loadSimulatorCliConfig(compose.services.simulators?.environment ?? {});
    expect(sim.host).toBe('0.0.0.0');
    for (const name of replicas) {
      const service = compose.services[name]!;
      const env = service.environment ?? {};
      const config = loadConfig(env);
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(config.closer.baseUrl).toBe(`http://simulators:${sim.ports.closer}`);
      expect(config.botone.baseUrl).toBe(`http://simulators:${sim.ports.botone}`);
      expect(config.cxone.baseUrl).toBe(`http://simulators:${sim.ports.cxone}`);
      expect(config.ops.metricsPort).toBe(9464);
      expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' }, simulators: { condition: 'service_healthy' } });
      expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${config.port}/readyz`);
    }
    // Two replicas, two host ports.
    const hostPorts = replicas.map((name) => compose.services[name]!.ports?.[0]?.split(':')[0]);
    expect(new Set(hostPorts).size).toBe(2);
  });

  it('Redis and the simulators have healthchecks; the simulators run the built CLI', () => {
    expect(compose.services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(compose.services.simulators?.command).toEqual(['node', 'dist/simulators/cli.js']);
    const probe = compose.services.simulators?.healthcheck?.test.join(' ') ?? '';
    const sim = loadSimulatorCliConfig(compose.services.simulators?.environment ?? {});
    for (const port of Object.values(sim.ports)) expect(probe).toContain(String(port));
  });

  it('Prometheus scrapes every replica on its METRICS_PORT', () => {
    const mount = compose.services.prometheus?.volumes?.[0] ?? '';
    const file = mount.split(':')[0] as string;
    const prometheus = parse(readFileSync(new URL(file, root), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(replicas.map((name) => `${name}:${compose.services[name]!.environment?.METRICS_PORT}`).sort());
  });

  it('the Dockerfile builds with scripts/ and checks liveness on /healthz', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    expect(dockerfile).toContain('COPY scripts ./scripts');
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(dockerfile).toContain('CMD ["node", "dist/main.js"]');
  });
});
