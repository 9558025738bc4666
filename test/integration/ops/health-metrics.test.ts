/**
 * Health, metrics, logs and the idempotency rule over real HTTP: `/readyz` goes 503 and back as a
 * private Redis and a provider go down and up, keyed mutations fail with DEPENDENCY_UNAVAILABLE
 * during the Redis outage and work again once the process has reconnected by itself; `/metrics`
 * exposes the named series after traffic; one log line per operation, with the request id.
 */
import { spawn } from 'node:child_process';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startBotgraph, type Botgraph } from '../../../src/server.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let redis: TestRedis;
let app: Botgraph;
let url: string;
const extraRedis: Array<ReturnType<typeof spawn>> = [];

beforeAll(async () => {
  redis = await startRedis();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SIMULATOR_ACTIVITY: 'false',
    REDIS_URL: redis.url,
    BREAKER_MIN_CALLS: '3',
    BREAKER_HALF_OPEN_MS: '500',
    UPSTREAM_TIMEOUT_MS: '2000',
    UPSTREAM_TOTAL_BUDGET_MS: '4000',
    CACHE_TTL_MS: '0',
  });
  app = await startBotgraph(config, { logger: pino({ level: 'info' }, sink) });
  url = `http://127.0.0.1:${app.port}`;
});
afterAll(async () => {
  await app?.close();
  for (const child of extraRedis) child.kill('SIGKILL');
  await redis?.stop();
});

async function gql(query: string, variables?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { res, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

async function readyz(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json() };
}

const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { replayed message { id text } } }';

async function closerConversation(): Promise<string> {
  const { body } = await gql('{ conversations(first: 1, filter: { providers: [CLOSER], statuses: [ACTIVE] }) { nodes { id } } }');
  return body.data.conversations.nodes[0].id as string;
}

describe('/healthz and /readyz', () => {
  it('ready with Redis up and every circuit closed', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const r = await readyz();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ready', checks: { redis: { ok: true }, providers: { CLOSER: { ok: true, circuit: 'CLOSED' } } } });
  });

  it('a provider outage opens its circuit: 503 naming it, then ready again once it recovers', async () => {
    app.registry.simulators.CLOSER!.faults.set({ errorRate: 1, errorStatus: 503 });
    try {
      await waitFor(
        async () => (await gql('{ bots(providers: [CLOSER]) { name } }')).body.errors?.[0]?.extensions?.circuit === 'open',
        'the circuit to open',
        10_000,
        20,
      );
      const down = await readyz();
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'unready',
        checks: { redis: { ok: true }, providers: { CLOSER: { ok: false, circuit: 'OPEN' }, BOTONE: { ok: true } } },
      });
    } finally {
      app.registry.simulators.CLOSER!.faults.clear();
    }
    await waitFor(async () => !(await gql('{ bots(providers: [CLOSER]) { name } }')).body.errors, 'CLOSER to answer again', 10_000, 100);
    expect((await readyz()).status).toBe(200);
  });

  it(
    'Redis down: 503 naming Redis, keyed mutations DEPENDENCY_UNAVAILABLE (retryable), nothing sent; back by itself',
    { timeout: 60_000 },
    async () => {
      const id = await closerConversation();
      const sim = app.registry.simulators.CLOSER!;
      const before = sim.stats.count('POST /openapi/conversation/:id/message');
      await redis.stop();
      const down = await waitFor(
        async () => {
          const r = await readyz();
          return r.status === 503 ? r : null;
        },
        '/readyz to notice Redis',
        10_000,
        50,
      );
      expect(down.body).toMatchObject({ status: 'unready', checks: { redis: { ok: false } } });
      expect(JSON.stringify(down.body)).not.toContain('redis://');

      const t0 = Date.now();
      const failed = await gql(SEND, { input: { conversationId: id, text: 'during the outage', idempotencyKey: `outage-${Date.now()}` } });
      const ms = Date.now() - t0;
      expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
      expect(sim.stats.count('POST /openapi/conversation/:id/message')).toBe(before);
      // A read that needs no Redis still works.
      expect((await gql('{ bots(providers: [BOTONE]) { name } }')).body.errors).toBeUndefined();

      // The same port again: ioredis reconnects on its own.
      const child = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      extraRedis.push(child);
      await waitFor(async () => (await readyz()).status === 200, '/readyz to recover', 30_000, 100);
      const key = `after-${Date.now()}`;
      const ok = await waitFor(
        async () => {
          const r = await gql(SEND, { input: { conversationId: id, text: 'after the outage', idempotencyKey: key } });
          return r.body.errors ? null : r;
        },
        'a keyed send to work again',
        15_000,
        200,
      );
      expect(ok.body.data.sendMessage).toMatchObject({ replayed: false, message: { text: 'after the outage' } });
      console.log(`[redis] outage: keyed mutation → DEPENDENCY_UNAVAILABLE in ${ms} ms, no POST; reconnected by itself`);
    },
  );
});

describe('the idempotency rule', () => {
  it('20 concurrent duplicates on a 429 make 1 POST and all get the 429; the key is then free', async () => {
    const id = await closerConversation();
    const sim = app.registry.simulators.CLOSER!;
    const POST = 'POST /openapi/conversation/:id/message';
    const before = sim.stats.count(POST);
    const key = `rl-${Date.now()}`;
    const input = { conversationId: id, text: 'rate limited', idempotencyKey: key };
    sim.faults.set({ rateLimitRate: 1, retryAfterSeconds: 1, latencyMs: 300, routes: [POST] });
    let all;
    try {
      all = await Promise.all(Array.from({ length: 20 }, () => gql(SEND, { input })));
    } finally {
      sim.faults.clear();
    }
    expect(sim.stats.count(POST) - before).toBe(1);
    for (const r of all) expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: true });
    const retry = await gql(SEND, { input });
    expect(retry.body.data.sendMessage.replayed).toBe(false);
    expect(sim.stats.count(POST) - before).toBe(2);
  });

  it('a keyed write refused by an open circuit was never sent: the key is free once the vendor recovers', async () => {
    const id = await closerConversation();
    const sim = app.registry.simulators.CLOSER!;
    const POST = 'POST /openapi/conversation/:id/message';
    const input = { conversationId: id, text: 'after the circuit', idempotencyKey: `circuit-${Date.now()}` };
    sim.faults.set({ errorRate: 1, errorStatus: 503 });
    let refused;
    try {
      await waitFor(
        async () => (await gql('{ bots(providers: [CLOSER]) { name } }')).body.errors?.[0]?.extensions?.circuit === 'open',
        'the circuit to open',
        10_000,
        20,
      );
      const before = sim.stats.count(POST);
      refused = await gql(SEND, { input });
      expect(sim.stats.count(POST)).toBe(before);
    } finally {
      sim.faults.clear();
    }
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', circuit: 'open', retryable: true });
    const sent = await waitFor(
      async () => {
        const r = await gql(SEND, { input });
        return r.body.errors?.[0]?.extensions?.circuit === 'open' ? null : r;
      },
      'the same key to send once the circuit closes',
      10_000,
      100,
    );
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.data.sendMessage).toMatchObject({ replayed: false, message: { text: 'after the circuit' } });
  });

  it('a 5xx on a keyed write is stored and replayed with retryable: false, first answer included', async () => {
    const id = await closerConversation();
    const sim = app.registry.simulators.CLOSER!;
    const POST = 'POST /openapi/conversation/:id/message';
    const before = sim.stats.count(POST);
    const input = { conversationId: id, text: 'maybe sent', idempotencyKey: `5xx-${Date.now()}` };
    sim.faults.set({ errorRate: 1, errorStatus: 502, routes: [POST] });
    let first;
    try {
      first = await gql(SEND, { input });
    } finally {
      sim.faults.clear();
    }
    const again = await gql(SEND, { input });
    expect(first.body.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: false });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: false });
    expect(sim.stats.count(POST) - before).toBe(1);
  });
});

describe('/metrics and request logs', () => {
  it('exposes the named series with values after traffic', async () => {
    const id = await closerConversation();
    // A live subscriber: one WebSocket, a poller and its subscriber, and an event through the bus.
    const ws = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    const events: unknown[] = [];
    const unsubscribe = ws.subscribe(
      { query: 'subscription($id: ID!) { messageAdded(conversationId: $id) { text eventCursor } }', variables: { id } },
      { next: (e) => void events.push(e), error: () => {}, complete: () => {} },
    );
    await waitFor(
      async () => /^botgraph_subscribers 1$/m.test(await (await fetch(`${url}/metrics`)).text()),
      'the subscriber to be counted',
      10_000,
      50,
    );
    const key = `metrics-${Date.now()}`;
    await gql(SEND, { input: { conversationId: id, text: 'counted', idempotencyKey: key } });
    await gql(SEND, { input: { conversationId: id, text: 'counted', idempotencyKey: key } });
    await gql(SEND, { input: { conversationId: id, text: 'other', idempotencyKey: key } });
    await gql('query Listing { conversations(first: 5) { nodes { id } } }');
    await waitFor(() => events.length > 0, 'the message event over the socket', 10_000, 20);
    // CXone's export batches are cached between pages: the second page reads them.
    const page1 = await gql('{ conversations(first: 3, filter: { providers: [CXONE] }) { pageInfo { endCursor } } }');
    await gql('query($after: String) { conversations(first: 3, after: $after, filter: { providers: [CXONE] }) { nodes { id } } }', {
      after: page1.body.data.conversations.pageInfo.endCursor,
    });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const value = (re: RegExp) => {
      const m = text.split('\n').find((l) => re.test(l));
      return m ? Number(m.split(' ').pop()) : NaN;
    };
    expect(value(/^botgraph_operations_total\{name="Listing",type="query",outcome="ok"\}/)).toBeGreaterThan(0);
    expect(value(/^botgraph_operation_duration_seconds_count\{name="Listing",type="query",outcome="ok"\}/)).toBeGreaterThan(0);
    expect(
      value(/^botgraph_upstream_requests_total\{provider="CLOSER",route="\/openapi\/bot\/:id\/conversation",method="GET",status="200"\}/),
    ).toBeGreaterThan(0);
    expect(
      value(/^botgraph_upstream_request_duration_seconds_count\{provider="CLOSER",route="\/openapi\/bot\/:id\/conversation",method="GET"\}/),
    ).toBeGreaterThan(0);
    expect(value(/^botgraph_upstream_requests_total\{provider="CLOSER",route="\/openapi\/bot",method="GET",status="circuit_open"\}/)).toBeGreaterThan(
      0,
    );
    expect(value(/^botgraph_upstream_retries_total\{provider="CLOSER"/)).toBeGreaterThan(0);
    expect(value(/^botgraph_circuit_state\{provider="CLOSER"\}/)).toBe(0);
    expect(value(/^botgraph_circuit_transitions_total\{provider="CLOSER",state="OPEN"\}/)).toBeGreaterThan(0);
    expect(value(/^botgraph_idempotency_replays_total\{mutation="sendMessage"\}/)).toBeGreaterThan(0);
    expect(value(/^botgraph_idempotency_conflicts_total\{mutation="sendMessage",code="IDEMPOTENCY_KEY_REUSED"\}/)).toBeGreaterThan(0);
    expect(value(/^botgraph_websocket_connections /)).toBe(1);
    expect(value(/^botgraph_pollers /)).toBeGreaterThan(0);
    expect(value(/^botgraph_subscribers /)).toBe(1);
    expect(value(/^botgraph_event_bus_lag_seconds_count /)).toBeGreaterThan(0);
    expect(value(/^botgraph_operations_total\{name="anonymous",type="subscription",outcome="ok"\}/)).toBe(1);
    expect(value(/^botgraph_process_cpu_seconds_total /)).toBeGreaterThan(0);
    expect(value(/^botgraph_cache_hits_total\{cache="cxone_batches"\}/)).toBeGreaterThan(0);
    unsubscribe();
    await ws.dispose();
    expect(text).not.toMatch(/token|password|api[-_]?key/i);
  });

  it('one info line per operation: request id in and out, name, type, duration, outcome, upstream calls and wait; no variables', async () => {
    lines.length = 0;
    const { res } = await gql(
      'query Probe($first: Int!) { conversations(first: $first, filter: { search: "secret-search-term" }) { nodes { id } } }',
      { first: 3 },
      { 'x-request-id': 'probe-123' },
    );
    expect(res.headers.get('x-request-id')).toBe('probe-123');
    const generated = (await gql('{ providers { provider } }')).res.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const line = await waitFor(() => lines.find((l) => l.msg === 'operation' && l.requestId === 'probe-123'), 'the log line', 5_000);
    expect(line).toMatchObject({ level: 30, transport: 'http', operation: 'Probe', type: 'query', outcome: expect.stringMatching(/ok|partial/) });
    expect(line.ms).toEqual(expect.any(Number));
    expect(line.upstreamCalls).toBeGreaterThan(0);
    // The vendors' part of the duration, as Server-Timing's `upstream` says it.
    expect(line.upstreamMs).toBeGreaterThan(0);
    expect(line.upstreamMs).toBeLessThanOrEqual(Number(line.ms) + 1);
    expect(lines.filter((l) => l.requestId === 'probe-123' && l.msg === 'operation')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('secret-search-term');
    expect(JSON.stringify(lines)).not.toMatch(/closer-demo-key|cxone-demo-token|"password"/);
  });
});
