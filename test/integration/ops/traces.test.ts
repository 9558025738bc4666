/**
 * Traces: a botgraph process with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP
 * collector stub (an HTTP server on port 0 in this test) exports one trace per operation, whose
 * spans include one per upstream call with provider, route and status, and no URL query string or
 * credential anywhere; a response the response cache answers is a trace of its own, marked, with no
 * span beneath it. Without the variable, nothing is exported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, startReplicaProcess, waitFor, type Replica } from '../../helpers/replicas.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

const bodies: string[] = [];
let collector: Server;
const replicas: Replica[] = [];
afterAll(async () => {
  for (const r of replicas) r.child.kill('SIGKILL');
  await new Promise((r) => collector?.close(r));
});

function spans(): OtlpSpan[] {
  return bodies.flatMap((b) => {
    const parsed = JSON.parse(b) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
    return (parsed.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []));
  });
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
}

describe('OpenTelemetry', () => {
  it('exports one trace per operation with a span per upstream call, and never a query string', { timeout: 60_000 }, async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const replica = await startReplicaProcess('T', {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIMULATOR_ACTIVITY: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      // On, for the response cache's hit below; the first query reads every vendor all the same.
      CACHE_TTL_MS: '60000',
    });
    replicas.push(replica);

    const res = await gql(replica, 'query Traced { conversations(first: 3) { nodes { id bot { name } } } }');
    expect(res.errors).toBeUndefined();
    const root = await waitFor(() => spans().find((s) => s.name === 'graphql query Traced'), 'the operation span at the collector', 20_000, 100);
    // Spans arrive in batches; the trace is complete once every span's parent has arrived too.
    const trace = await waitFor(
      () => {
        const t = spans().filter((s) => s.traceId === root.traceId);
        const ids = new Set(t.map((s) => s.spanId));
        return t.every((s) => s.spanId === root.spanId || ids.has(s.parentSpanId ?? '')) ? t : null;
      },
      'every span of the trace',
      20_000,
      100,
    );
    const upstream = trace.filter((s) => attr(s, 'botgraph.provider') !== undefined);
    const providers = new Set(upstream.map((s) => attr(s, 'botgraph.provider')));
    expect(providers).toEqual(new Set(['CLOSER', 'BOTONE', 'CXONE']));
    for (const s of upstream) {
      expect(attr(s, 'botgraph.route')).toEqual(expect.stringMatching(/^\//));
      expect(attr(s, 'http.response.status_code')).toBe(200);
    }
    console.log(
      `[traces] operation "Traced": 1 trace, ${trace.length} spans (${upstream.length} upstream: ${[...new Set(upstream.map((s) => s.name))].join(', ')}; ` +
        `graphql: ${trace.filter((s) => s.name.startsWith('graphql.')).length})`,
    );
    expect(root.parentSpanId ?? '').toBe('');
    // CXone's token travels in the query string; no span may carry it, nor any query string.
    const everything = bodies.join('\n');
    expect(everything).not.toMatch(/token=|cxone-demo-token|closer-demo-key|[?&](page|limit|perPage)=/);

    // The same query again is answered by the response cache: still one trace, saying so, and
    // with nothing beneath it (no vendor was asked).
    const again = await gql(replica, 'query Traced { conversations(first: 3) { nodes { id bot { name } } } }');
    expect(again.extensions?.freshness?.cachedResponse).toBe(true);
    const hit = await waitFor(
      () => spans().find((s) => s.name === 'graphql query Traced' && s.traceId !== root.traceId),
      'the cached response span at the collector',
      20_000,
      100,
    );
    expect(attr(hit, 'botgraph.cached_response')).toBe(true);
    expect(attr(hit, 'botgraph.upstream_calls')).toBe(0);
    expect(hit.parentSpanId ?? '').toBe('');
    expect(spans().filter((s) => s.traceId === hit.traceId && s.spanId !== hit.spanId)).toEqual([]);
  });
});
