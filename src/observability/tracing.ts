/**
 * OpenTelemetry traces, only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: main.ts imports this module
 * dynamically before anything else, so a botgraph without tracing never loads the SDK (startup
 * stays fast) and one with it has graphql patched before first use.
 *
 * One trace per operation: its root span is made by the /graphql route (or the WebSocket execute),
 * with the GraphQL instrumentation's parse/validate/execute spans and one span per upstream
 * attempt (UpstreamHttp: provider, route, status) under it, and undici's own HTTP spans below.
 * No span carries a URL query string (CXone's token): the exporter scrubs every URL attribute.
 */
import { register } from 'node:module';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

type ExportDone = Parameters<SpanExporter['export']>[1];

const URL_ATTRIBUTES = ['url.full', 'http.url', 'url.query', 'http.target', 'url.original'];

/** Drops query strings and userinfo from URL attributes, whatever the instrumentation recorded. */
function scrub(span: ReadableSpan): void {
  const attributes = span.attributes as Record<string, unknown>;
  for (const key of URL_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    if (key === 'url.query') {
      delete attributes[key];
      continue;
    }
    attributes[key] = value.replace(/\/\/[^/@]*@/, '//').replace(/[?#].*$/, '');
  }
}

class ScrubbingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: ExportDone): void {
    for (const span of spans) scrub(span);
    this.inner.export(spans, done);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface Tracing {
  shutdown(): Promise<void>;
}

export async function startTracing(endpoint: string): Promise<Tracing> {
  // graphql is loaded through ESM imports: the instrumentation needs the import hook to patch it.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, { UndiciInstrumentation }, { GraphQLInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-graphql'),
  ]);
  const exporter = new ScrubbingExporter(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }));
  const sdk = new NodeSDK({
    serviceName: 'botgraph',
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1_000 })],
    instrumentations: [
      // Only requests made inside an operation's trace: no orphan spans for pollers' keep-alive noise.
      new UndiciInstrumentation({ requireParentforSpans: true, headersToSpanAttributes: { requestHeaders: [], responseHeaders: [] } }),
      // Never variables' values; resolvers of plain properties make no span.
      new GraphQLInstrumentation({ allowValues: false, ignoreTrivialResolveSpans: true, mergeItems: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
