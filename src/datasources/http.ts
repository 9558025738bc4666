import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TaskCancelledError } from 'cockatiel';
import type { Logger } from 'pino';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { UpstreamConfig } from '../config.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import type { ProviderName } from '../models.js';
import { awaitingVendor, currentOperation, type OperationScope } from '../observability/operation.js';
import { routeOf, type UpstreamObserver } from '../observability/metrics.js';
import type { ProviderBreaker } from './breaker.js';
import { freshReadsOnly, stampFetched, type Lookup, type Miss, type ProviderCache } from './cache.js';

export interface UpstreamOptions {
  provider: ProviderName;
  /** Scheme, host and optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** Headers added to every request (auth). Never logged. */
  headers?: () => Record<string, string>;
  /** Query parameters added to every request (CXone's token). Never logged. */
  secretQuery?: () => Record<string, string>;
  /** Per-attempt timeout in ms. @default 10000 */
  timeoutMs?: number;
  /** The whole budget of one logical GET, retries and waits included, in ms. @default 25000 */
  totalBudgetMs?: number;
  /** Attempts for idempotent GETs, the first included. @default 3 */
  maxAttempts?: number;
  /** The first retry's base delay; later ones double, with full jitter. @default 100 */
  baseDelayMs?: number;
  /** The longest `Retry-After` botgraph waits for inside one request before giving up. @default 5000 */
  maxRetryAfterMs?: number;
  logger?: Logger;
  /** A shared keep-alive agent; one per client by default. */
  dispatcher?: Dispatcher;
  /** The provider's circuit breaker, shared by all its clients. @default none (every call goes out) */
  breaker?: ProviderBreaker;
  /** Told about every attempt (metrics, traces). @default none */
  observer?: UpstreamObserver;
  /** The shared entity cache's view for this provider (src/datasources/cache.ts). @default none (every GET goes out) */
  cache?: ProviderCache;
  /**
   * Top-level string fields of a JSON answer that change on every call without saying anything
   * changed (CXone's `scroll_id`: a new export, a new scroll, the same conversations). An answer
   * equal to the URL's last one but for these gives the last value again with only them replaced,
   * so the vendor's objects (and what was mapped from them) are not parsed, validated and mapped
   * again. @default none
   */
  volatileFields?: readonly string[];
}

/**
 * What a vendor client gets from the registry for its UpstreamHttp: the config section plus the
 * provider's breaker. Every field is optional; an unset one takes UpstreamHttp's default (written
 * once, on `UpstreamOptions`).
 */
export interface UpstreamSettings extends Partial<UpstreamConfig> {
  breaker?: ProviderBreaker;
  observer?: UpstreamObserver;
  cache?: ProviderCache;
  /** See `UpstreamOptions.baseDelayMs` (tests shorten it). */
  baseDelayMs?: number;
  /** See `UpstreamOptions.maxRetryAfterMs`. */
  maxRetryAfterMs?: number;
}

/**
 * The one options object every vendor client's constructor takes (`new CloserClient(options)`,
 * `new BotoneClient(options)`, `new CxoneClient(options)`): the vendor's parsed config (its defaults
 * were set once, by its `parseXConfig`), pointed at a base URL, and what every client shares. A
 * vendor adds its own knobs beside these (CXone: `now`, `cache`), never instead of them.
 */
export interface ClientOptions<C> {
  /** The vendor's config with the base URL to call (the embedded simulator's when none is configured). */
  config: C & { baseUrl: string };
  /** Timeouts, retries, breaker and observer of every call. @default UpstreamHttp's defaults */
  upstream?: UpstreamSettings;
  /** @default no logging */
  logger?: Logger;
  /** A shared keep-alive agent. @default one agent per client */
  dispatcher?: Dispatcher;
}

/** The UpstreamHttp options a client copies from its settings (only those that are set). */
export function upstreamOptions(settings: UpstreamSettings | undefined): Partial<UpstreamOptions> {
  if (!settings) return {};
  return {
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings.totalBudgetMs !== undefined ? { totalBudgetMs: settings.totalBudgetMs } : {}),
    ...(settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : {}),
    ...(settings.baseDelayMs !== undefined ? { baseDelayMs: settings.baseDelayMs } : {}),
    ...(settings.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: settings.maxRetryAfterMs } : {}),
    ...(settings.breaker ? { breaker: settings.breaker } : {}),
    ...(settings.observer ? { observer: settings.observer } : {}),
    ...(settings.cache ? { cache: settings.cache } : {}),
  };
}

/**
 * The UpstreamHttp options of a client built from {@link ClientOptions}: the provider, the base URL and
 * everything set in the options; the vendor adds only its auth (`headers` or `secretQuery`).
 */
export function clientHttpOptions(provider: ProviderName, options: ClientOptions<unknown>): UpstreamOptions {
  return {
    provider,
    baseUrl: options.config.baseUrl,
    ...upstreamOptions(options.upstream),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  };
}

export interface GetOptions {
  query?: Record<string, string | number | undefined>;
  /** Shares one upstream call between identical GETs in flight at the same time. @default true */
  dedupe?: boolean;
}

export interface SendOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export interface UpstreamResponse<T> {
  status: number;
  data: T;
}

export interface UpstreamStream {
  status: number;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: Dispatcher.ResponseData['body'];
}

const NO_BODY = Symbol('no body');

/**
 * The last answer of each GET URL an UpstreamHttp keeps, by count and by the characters of their
 * bodies: an answer whose bytes equal the last one's is not parsed or validated again (and, since
 * it is the same value, not mapped again either: see src/datasources/mapped.ts). Only a memo of a
 * pure function of the bytes: the vendor is called every time.
 */
export const MAX_KEPT_ANSWERS = 256;
export const MAX_KEPT_ANSWER_CHARS = 8_000_000;

interface Answer {
  schema: unknown;
  text: string;
  value: unknown;
  data: unknown;
  /** Where the text's volatile values are, found when first compared (UpstreamOptions.volatileFields); null: none usable. */
  spans?: VolatileSpans | null;
}

/** A JSON string or null, where the sticky match starts. */
const VOLATILE_VALUE = /null|"(?:[^"\\]|\\.)*"/y;

/** The volatile values of one answer: where each is in its text, in text order, and what it is. */
interface VolatileSpans {
  spans: Array<{ start: number; end: number; field: string }>;
}

/**
 * Where each volatile field's value is in `text`; null when a field occurs more than once (it may
 * then not be the top-level one: no shortcut) or its value is not a string or null.
 */
function volatileSpans(text: string, fields: readonly string[]): VolatileSpans | null {
  const spans: VolatileSpans['spans'] = [];
  for (const field of fields) {
    // The key as JSON writes it; inside a string value its quotes would be escaped. indexOf, not a
    // regular expression over the whole answer: a CXone page is tens of kilobytes.
    const key = `"${field}":`;
    const at = text.indexOf(key);
    if (at < 0) continue;
    if (text.indexOf(key, at + key.length) >= 0) return null;
    VOLATILE_VALUE.lastIndex = at + key.length;
    if (!VOLATILE_VALUE.test(text)) return null;
    spans.push({ start: at + key.length, end: VOLATILE_VALUE.lastIndex, field });
  }
  spans.sort((x, y) => x.start - y.start);
  return { spans };
}

/**
 * `text`'s volatile values where the last answer's were, shifted by the lengths of the values
 * before them; null when a value is not there (then `volatileSpans` looks). No scan of the answer:
 * `sameOutside` then proves the texts equal around the values, so each key occurs once in `text`
 * as it did in the last answer (a key cannot occur unescaped inside a JSON string value).
 */
function spansAfter(last: VolatileSpans, text: string): VolatileSpans | null {
  const spans: VolatileSpans['spans'] = [];
  let shift = 0;
  for (const x of last.spans) {
    const start = x.start + shift;
    VOLATILE_VALUE.lastIndex = start;
    if (!text.startsWith(`"${x.field}":`, start - x.field.length - 3) || !VOLATILE_VALUE.test(text)) return null;
    const end = VOLATILE_VALUE.lastIndex;
    spans.push({ start, end, field: x.field });
    shift += end - start - (x.end - x.start);
  }
  return { spans };
}

/**
 * The new volatile values when `b` equals `a` outside them; null otherwise. The texts between the
 * values are compared as slices of the answers, without copying either (tens of kilobytes each).
 */
function sameOutside(a: string, sa: VolatileSpans, b: string, sb: VolatileSpans): Record<string, unknown> | null {
  if (sa.spans.length !== sb.spans.length) return null;
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < sa.spans.length; i++) {
    const x = sa.spans[i]!;
    const y = sb.spans[i]!;
    if (x.field !== y.field || x.start - ia !== y.start - ib || a.slice(ia, x.start) !== b.slice(ib, y.start)) return null;
    ia = x.end;
    ib = y.end;
  }
  if (a.length - ia !== b.length - ib || a.slice(ia) !== b.slice(ib)) return null;
  const values: Record<string, unknown> = {};
  for (const y of sb.spans) values[y.field] = JSON.parse(b.slice(y.start, y.end));
  return values;
}

/** One answer as read: its JSON, its text, and the new volatile values when only they changed. */
interface Attempted {
  status: number;
  data: unknown;
  text?: string;
  volatile?: Record<string, unknown>;
  /** Where the text's volatile values are (null: none usable), when they were looked for: kept with the answer. */
  spans?: VolatileSpans | null;
}

/** An answer's status and headers, and its whole body as text once it has arrived. */
interface Exchanged {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: Promise<string>;
}

/**
 * One request through undici's `dispatch` with a handler that collects the body's chunks: what
 * `request()` + `body.text()` does, without the Readable stream, its events and the body mixin
 * between the socket and the text (a quarter to a third of a small JSON call's CPU here, measured
 * against `request`). `signal` aborts it at any point: before the headers the promise rejects,
 * after them the text's.
 */
function exchange(
  dispatcher: Dispatcher,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
): Promise<Exchanged> {
  let onHeaders!: (value: Exchanged) => void;
  let failHeaders!: (error: Error) => void;
  let onText!: (text: string) => void;
  let failText!: (error: Error) => void;
  const answered = new Promise<Exchanged>((resolve, reject) => {
    onHeaders = resolve;
    failHeaders = reject;
  });
  const text = new Promise<string>((resolve, reject) => {
    onText = resolve;
    failText = reject;
  });
  // Until the headers arrive a failure is the headers' promise's; after, the text's alone.
  text.catch(() => undefined);
  let started = false;
  let controller: Dispatcher.DispatchController | undefined;
  const fail = (error: Error) => {
    if (started) failText(error);
    else failHeaders(error);
  };
  const abort = () => {
    const reason = signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
    if (controller) controller.abort(reason);
    else fail(reason);
  };
  if (signal.aborted) abort();
  else {
    signal.addEventListener('abort', abort, { once: true });
    const chunks: Buffer[] = [];
    try {
      dispatcher.dispatch(
        { origin: url.origin, path: url.pathname + url.search, method, headers, body: body ?? null },
        {
          onRequestStart(c) {
            controller = c;
          },
          onResponseStart(_c, statusCode, responseHeaders) {
            started = true;
            onHeaders({ statusCode, headers: responseHeaders, text });
          },
          onResponseData(_c, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            signal.removeEventListener('abort', abort);
            onText(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
          },
          onResponseError(_c, error) {
            signal.removeEventListener('abort', abort);
            fail(error);
          },
        },
      );
    } catch (error) {
      // A dispatcher that refuses at once (closed, invalid options) must not leave the call pending.
      signal.removeEventListener('abort', abort);
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return answered;
}

/** The in-flight slot of a read that may have come from the entity cache. */
const CACHED = 'cached ';

/** A GET's answer with when it was read (its read started) and whether the entity cache gave it. */
interface Read<T> {
  value: T;
  fetchedAt: number;
  cached: boolean;
}

/** Counts the read in its operation (`extensions.freshness`) and hands back its value. */
function noted<T>(op: OperationScope | undefined, read: Read<T>): T {
  if (op) {
    op.reads = (op.reads ?? 0) + 1;
    if (read.cached) op.cachedReads = (op.cachedReads ?? 0) + 1;
    if (op.oldestRead === undefined || read.fetchedAt < op.oldestRead) op.oldestRead = read.fetchedAt;
  }
  return read.value;
}

/** The keep-alive pool of one vendor; a client with several UpstreamHttp (CXone: one per token) shares one. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 64 });
}

/**
 * HTTP to one vendor: keep-alive (undici), per-attempt timeouts and a total budget, retries of
 * idempotent GETs only (cockatiel, jittered exponential backoff, honouring `Retry-After`), zod
 * validation of every JSON answer, and in-flight deduplication of identical GETs.
 *
 * Every failure becomes a BotgraphError whose message names only the provider and the HTTP status:
 * a vendor's body, URL or credentials never reach a client or a log line.
 */
export class UpstreamHttp {
  readonly provider: ProviderName;
  private readonly baseUrl: string;
  private readonly options: UpstreamOptions;
  private readonly dispatcher: Dispatcher;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** URL → its last answer (see MAX_KEPT_ANSWERS), and the characters they hold. */
  private readonly answers = new Map<string, Answer>();
  private answerChars = 0;
  private readonly timeoutMs: number;
  private readonly totalBudgetMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(options: UpstreamOptions) {
    this.options = options;
    this.provider = options.provider;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.totalBudgetMs = options.totalBudgetMs ?? 25_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5_000;
    this.dispatcher = options.dispatcher ?? keepAliveAgent();
  }

  /**
   * A GET whose JSON answer must match `schema`. Retried; identical concurrent calls share one
   * request. Inside a GraphQL operation, a read the vendor lets the entity cache keep may be served
   * from it (`CACHE_TTL_MS`, src/datasources/cache.ts); outside one (pollers, subscription events)
   * and under `readingFresh` it always goes out, and refreshes the cache.
   */
  async getJson<S extends z.ZodType>(path: string, schema: S, options: GetOptions = {}): Promise<z.output<S>> {
    const url = this.url(path, options.query);
    const key = url.toString();
    const dedupe = options.dedupe !== false;
    // A read that must not share an answer in flight (one after a write) must not take a kept one either.
    const cache = dedupe ? this.options.cache : undefined;
    const tags = cache ? cache.tagsOf(path, options.query ?? {}) : null;
    const op = currentOperation();
    const consult = cache !== undefined && tags !== null && op !== undefined && !freshReadsOnly();
    // An operation that had to read past the entity cache may not have its response kept either.
    if (op && !consult) op.uncacheable = true;
    if (dedupe) {
      // A fresh read in flight serves anyone; one that may come from the cache serves only those who may take the cache.
      const pending = (this.inflight.get(key) ?? (consult ? this.inflight.get(CACHED + key) : undefined)) as Promise<Read<z.output<S>>> | undefined;
      // Shared with another operation whose deadline may be later than this one's.
      if (pending) return this.withinDeadline(awaitingVendor(op, pending)).then((read) => noted(op, read));
    }
    const promise: Promise<Read<z.output<S>>> = consult
      ? this.cachedRead(cache, tags, key, path, url, schema)
      : this.freshRead(tags === null ? undefined : cache, tags, key, path, url, schema);
    if (dedupe) {
      const slot = consult ? CACHED + key : key;
      this.inflight.set(slot, promise);
      promise.then(
        () => this.inflight.delete(slot),
        () => this.inflight.delete(slot),
      );
    }
    return promise.then((read) => noted(op, read));
  }

  /**
   * One GET to the vendor, parsed; `text` is the body as sent, for the cache. The same bytes as
   * this URL's last answer give that answer's value again: no JSON.parse, no zod, the same objects.
   */
  private async fetchParsed<S extends z.ZodType>(
    path: string,
    url: URL,
    schema: S,
  ): Promise<{ value: z.output<S>; data: unknown; text: string | undefined }> {
    const response = await this.withRetries(path, (signal) => this.once('GET', url, path, undefined, signal));
    const text = response.text;
    const key = url.toString();
    const last = text === undefined ? undefined : this.answers.get(key);
    if (last && last.schema === schema && last.text === text) return { value: last.value as z.output<S>, data: last.data, text };
    const same = last?.schema === schema ? response.volatile : undefined;
    // The last value with the new volatile values (the same objects under them, not parsed again),
    // or the answer parsed and validated.
    const value = same ? ({ ...(last!.value as object), ...same } as z.output<S>) : this.parse(schema, response.data, path);
    if (text !== undefined)
      this.keepAnswer(key, { schema, text, value, data: response.data, ...(response.spans !== undefined ? { spans: response.spans } : {}) });
    return { value, data: response.data, text };
  }

  /**
   * Where `text`'s volatile values are (null when the vendor declares none, or they are not usable)
   * and, when `text` equals `last`'s text but for them, their new values. `last`'s spans were found
   * when it was the new answer; they are kept with it (keepAnswer).
   */
  private volatileOf(last: Answer, text: string): { spans: VolatileSpans | null; values: Record<string, unknown> | null } {
    const fields = this.options.volatileFields;
    if (!fields?.length) return { spans: null, values: null };
    if (last.spans === undefined) last.spans = volatileSpans(last.text, fields);
    const spans = (last.spans && spansAfter(last.spans, text)) ?? volatileSpans(text, fields);
    const comparable = spans && last.spans?.spans.length && Math.abs(text.length - last.text.length) <= 1_000;
    return { spans, values: comparable ? sameOutside(last.text, last.spans!, text, spans) : null };
  }

  private keepAnswer(key: string, answer: Answer): void {
    const old = this.answers.get(key);
    if (old) {
      this.answers.delete(key);
      this.answerChars -= old.text.length;
    }
    if (answer.text.length > MAX_KEPT_ANSWER_CHARS / 4) return;
    this.answers.set(key, answer);
    this.answerChars += answer.text.length;
    for (const [oldest, kept] of this.answers) {
      if (this.answers.size <= MAX_KEPT_ANSWERS && this.answerChars <= MAX_KEPT_ANSWER_CHARS) break;
      this.answers.delete(oldest);
      this.answerChars -= kept.text.length;
    }
  }

  /** A read that goes out; with `cache`, its answer is kept under the sequence taken before it started. */
  private async freshRead<S extends z.ZodType>(
    cache: ProviderCache | undefined,
    tags: readonly string[] | null,
    key: string,
    path: string,
    url: URL,
    schema: S,
  ): Promise<Read<z.output<S>>> {
    const at = Date.now();
    const miss = cache
      ? await cache.sequence().then(
          (seq): Miss => ({ seq, at }),
          () => null,
        )
      : null;
    const read = await this.fetchParsed(path, url, schema);
    stampFetched(at, read.data, read.value);
    if (cache && tags && miss) await this.keep(cache, key, tags, miss, schema, read);
    return { value: read.value, fetchedAt: at, cached: false };
  }

  /** A read the cache may answer; a miss goes out and is kept. A cache that fails is a miss, never an error. */
  private async cachedRead<S extends z.ZodType>(
    cache: ProviderCache,
    tags: readonly string[],
    key: string,
    path: string,
    url: URL,
    schema: S,
  ): Promise<Read<z.output<S>>> {
    let lookup: Lookup | null = null;
    try {
      lookup = await cache.lookup(key, tags);
    } catch (error) {
      this.options.logger?.warn(
        { provider: this.provider, err: { message: (error as Error).message } },
        'entity cache lookup failed; reading the vendor',
      );
    }
    if (lookup?.hit) {
      const kept = lookup.value;
      if (kept.schema === schema) return { value: kept.parsed as z.output<S>, fetchedAt: lookup.fetchedAt, cached: true };
      // Kept by another replica (or another schema): validated here like any vendor answer.
      const data: unknown = JSON.parse(kept.text);
      const value = this.parse(schema, data, path);
      stampFetched(lookup.fetchedAt, data, value);
      return { value, fetchedAt: lookup.fetchedAt, cached: true };
    }
    const at = lookup ? lookup.miss.at : Date.now();
    const read = await this.fetchParsed(path, url, schema);
    stampFetched(at, read.data, read.value);
    if (lookup) await this.keep(cache, key, tags, lookup.miss, schema, read);
    return { value: read.value, fetchedAt: at, cached: false };
  }

  /**
   * Keeps a read; awaited, so that whatever a response used is in the cache (on every replica) by
   * the time the response goes out. A store that fails is logged, never the request's error.
   */
  private async keep(
    cache: ProviderCache,
    key: string,
    tags: readonly string[],
    miss: Miss,
    schema: unknown,
    read: { value: unknown; text: string | undefined },
  ): Promise<void> {
    if (read.text === undefined) return;
    try {
      await cache.store(key, tags, miss, { schema, parsed: read.value, text: read.text });
    } catch (error) {
      this.options.logger?.warn({ provider: this.provider, err: { message: (error as Error).message } }, 'entity cache store failed');
    }
  }

  /**
   * A write (or any call that must not repeat): exactly one attempt, never retried, because a
   * vendor that timed out may still have acted on it.
   */
  async send<S extends z.ZodType>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET',
    path: string,
    schema: S | null,
    options: SendOptions = {},
  ): Promise<UpstreamResponse<S extends z.ZodType ? z.output<S> | undefined : undefined>> {
    const url = this.url(path, options.query);
    // A write shares the operation's deadline too: one attempt, cut at whichever comes first.
    const cut = Math.min(this.timeoutMs, this.remainingMs(path));
    const attempt = () => this.within(cut, path, (signal) => this.once(method, url, path, options.body, signal));
    const breaker = this.options.breaker;
    let response: { status: number; data: unknown };
    try {
      response = await (breaker ? this.guarded(breaker, method, path, attempt) : attempt());
    } finally {
      // Whatever the write changed is no longer in the entity cache when it returns, failed or not
      // (a write that timed out may still have landed).
      await this.forgetKept();
    }
    const data = response.data === NO_BODY || schema === null ? undefined : this.parse(schema, response.data, path);
    return { status: response.status, data } as UpstreamResponse<S extends z.ZodType ? z.output<S> | undefined : undefined>;
  }

  /** Drops every kept read of this provider (after a write); a cache that fails is logged, not thrown. */
  private async forgetKept(): Promise<void> {
    try {
      await this.options.cache?.invalidateAll();
    } catch (error) {
      this.options.logger?.warn({ provider: this.provider, err: { message: (error as Error).message } }, 'entity cache invalidation failed');
    }
  }

  /** Streams a binary answer (files). One attempt: a half-streamed body cannot be retried anyway. */
  async stream(path: string): Promise<UpstreamStream> {
    const breaker = this.options.breaker;
    return breaker ? breaker.execute(() => this.streamOnce(path)) : this.streamOnce(path);
  }

  private async streamOnce(path: string): Promise<UpstreamStream> {
    const url = this.url(path);
    try {
      const res = await request(url, {
        method: 'GET',
        headers: this.options.headers?.() ?? {},
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      if (res.statusCode >= 400) {
        await res.body.dump();
        throw this.statusError(res.statusCode, path, res.headers['retry-after']);
      }
      return {
        status: res.statusCode,
        contentType: headerValue(res.headers['content-type']),
        contentLength: headerValue(res.headers['content-length']),
        body: res.body,
      };
    } catch (error) {
      throw this.translate(error, path);
    }
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }

  private url(path: string, query?: Record<string, string | number | undefined>): URL {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    for (const [key, value] of Object.entries(this.options.secretQuery?.() ?? {})) url.searchParams.set(key, value);
    return url;
  }

  /**
   * Time left for a call: the operation's deadline when the call is part of one, capped by nothing
   * else here. PROVIDER_TIMEOUT right away, without a call, when the operation has run out.
   */
  private remainingMs(path: string): number {
    const op = currentOperation();
    if (!op) return Number.POSITIVE_INFINITY;
    const remaining = op.deadline - Date.now();
    if (remaining <= 0) {
      this.options.logger?.debug({ provider: this.provider, path }, 'operation deadline passed before the call');
      throw this.deadlineError(true);
    }
    return remaining;
  }

  private deadlineError(notSent = false): BotgraphError {
    return new BotgraphError(ErrorCode.PROVIDER_TIMEOUT, `${this.provider} did not answer within the operation's deadline.`, {
      provider: this.provider,
      notSent,
    });
  }

  /** `promise`, or PROVIDER_TIMEOUT when the current operation's deadline comes first. */
  private withinDeadline<T>(promise: Promise<T>): Promise<T> {
    const op = currentOperation();
    if (!op) return promise;
    const remaining = op.deadline - Date.now();
    if (remaining <= 0) return Promise.reject(this.deadlineError());
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(this.deadlineError()), remaining);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Runs an attempt through the breaker; a refusal is counted like a request that never went out. */
  private async guarded<T>(breaker: ProviderBreaker, method: string, path: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await breaker.execute(attempt);
    } catch (error) {
      if (error instanceof BotgraphError && error.circuit) {
        this.options.observer?.request({ provider: this.provider, route: routeOf(path), method, status: 'circuit_open', seconds: 0 });
      }
      throw error;
    }
  }

  /**
   * An idempotent GET's attempts: each cut at the per-attempt timeout or the call's budget (its own,
   * or what the operation has left), whichever comes first; retried with jittered exponential
   * backoff (or the vendor's `Retry-After`) while the budget lasts. A plain loop rather than
   * cockatiel's retry and two timeout policies: those cost two AbortControllers, two timers, two
   * `AbortSignal.any` and two aborts (a DOMException each) per attempt, on every vendor read.
   */
  private async withRetries<T>(path: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const budget = Math.min(this.totalBudgetMs, this.remainingMs(path));
    const deadline = Date.now() + budget;
    // Each attempt passes the breaker: a failing vendor opens it whatever the retries.
    const breaker = this.options.breaker;
    for (let retries = 0; ; retries++) {
      const left = retries === 0 ? budget : deadline - Date.now();
      // The budget ran out while waiting to retry.
      if (left <= 0) throw this.timeoutError();
      const cut = Math.min(this.timeoutMs, left);
      const once = () => this.within(cut, path, attempt);
      try {
        return await (breaker ? this.guarded(breaker, 'GET', path, once) : once());
      } catch (error) {
        const failure = this.translate(error, path);
        if (retries >= this.maxAttempts - 1 || !this.retryable(failure, deadline)) throw failure;
        const remaining = deadline - Date.now();
        // Full jitter keeps many replicas from retrying in step after a shared outage.
        const wait =
          failure.retryAfterMs !== undefined
            ? Math.min(failure.retryAfterMs, remaining)
            : Math.min(Math.random() * this.baseDelayMs * 2 ** (retries + 1), remaining);
        this.options.observer?.retry({ provider: this.provider, route: routeOf(path) });
        await new Promise<void>((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Whether a failed GET attempt is tried again before `deadline`. */
  private retryable(error: BotgraphError, deadline: number): boolean {
    // An open circuit is not retried: the point is not to call.
    if (error.circuit) return false;
    if (Date.now() >= deadline) return false;
    if (error.retryAfterMs !== undefined && error.retryAfterMs > Math.min(this.maxRetryAfterMs, deadline - Date.now())) return false;
    return (
      error.code === ErrorCode.PROVIDER_UNAVAILABLE || error.code === ErrorCode.PROVIDER_TIMEOUT || error.code === ErrorCode.PROVIDER_RATE_LIMITED
    );
  }

  /**
   * One attempt with its own AbortController, aborted (and the attempt failed with PROVIDER_TIMEOUT)
   * when `ms` pass first, even if the call ignores its signal. Settling clears the timer and does
   * not abort: nothing listens to the signal once the attempt has returned.
   */
  private within<T>(ms: number, path: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        controller.abort();
        reject(this.timeoutError());
      }, ms);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(this.translate(error, path));
      };
      try {
        run(controller.signal).then((value) => {
          clearTimeout(timer);
          resolve(value);
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  private timeoutError(): BotgraphError {
    return new BotgraphError(ErrorCode.PROVIDER_TIMEOUT, `${this.provider} did not answer in time.`, { provider: this.provider });
  }

  /**
   * One HTTP attempt, in its own span when tracing is on (a no-op otherwise): named and labelled
   * with the provider, the route (ids replaced) and the status, never the URL, whose query string
   * may hold a credential (CXone's token).
   */
  private once(method: string, url: URL, path: string, body: unknown, signal: AbortSignal): Promise<Attempted> {
    const route = routeOf(path);
    return trace
      .getTracer('botgraph')
      .startActiveSpan(
        `${this.provider} ${method} ${route}`,
        { kind: SpanKind.CLIENT, attributes: { 'botgraph.provider': this.provider, 'botgraph.route': route, 'http.request.method': method } },
        async (span) => {
          try {
            const result = await this.attempt(method, url, path, body, signal);
            span.setAttribute('http.response.status_code', result.status);
            return result;
          } catch (error) {
            if (error instanceof BotgraphError) {
              if (error.status !== undefined) span.setAttribute('http.response.status_code', error.status);
              span.setAttribute('botgraph.error_code', error.code);
            }
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );
  }

  private async attempt(method: string, url: URL, path: string, body: unknown, signal: AbortSignal): Promise<Attempted> {
    const started = Date.now();
    const op = currentOperation();
    if (op) op.upstreamCalls += 1;
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers?.() };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const observer = this.options.observer;
    const route = routeOf(path);
    let res: Exchanged;
    try {
      res = await awaitingVendor(op, exchange(this.dispatcher, url, method, headers, payload, signal));
    } catch (error) {
      const aborted = signal.aborted || (error instanceof Error && error.name === 'AbortError');
      observer?.request({ provider: this.provider, route, method, status: aborted ? 'timeout' : 'error', seconds: (Date.now() - started) / 1000 });
      throw error;
    }
    observer?.request({ provider: this.provider, route, method, status: res.statusCode, seconds: (Date.now() - started) / 1000 });
    // Only the path: CXone's token travels in the query string.
    this.options.logger?.debug({ provider: this.provider, method, path, status: res.statusCode, ms: Date.now() - started }, 'upstream');
    if (res.statusCode >= 400) {
      // The body is read and dropped (the socket stays reusable); its failure is not this error's.
      await res.text.catch(() => undefined);
      throw this.statusError(res.statusCode, path, res.headers['retry-after']);
    }
    const text = await awaitingVendor(op, res.text);
    if (text.length === 0) return { status: res.statusCode, data: NO_BODY };
    // The same bytes as this URL's last answer: its JSON again, unparsed (see fetchParsed), and the
    // kept string, so that fetchParsed's comparison is one of identity, not of every character again.
    const last = method === 'GET' ? this.answers.get(url.toString()) : undefined;
    if (last && last.text === text) return { status: res.statusCode, data: last.data, text: last.text };
    const { spans, values } = last ? this.volatileOf(last, text) : { spans: undefined, values: null };
    if (values)
      return {
        status: res.statusCode,
        data: { ...(last!.data as object), ...values },
        text,
        volatile: values,
        ...(spans !== undefined ? { spans } : {}),
      };
    try {
      return { status: res.statusCode, data: JSON.parse(text), text, ...(spans !== undefined ? { spans } : {}) };
    } catch {
      throw new BotgraphError(ErrorCode.PROVIDER_BAD_RESPONSE, `${this.provider} answered with a body that is not JSON.`, {
        provider: this.provider,
        status: res.statusCode,
      });
    }
  }

  private parse<S extends z.ZodType>(schema: S, data: unknown, path: string): z.output<S> {
    const result = schema.safeParse(data === NO_BODY ? undefined : data);
    if (result.success) return result.data;
    this.options.logger?.warn(
      { provider: this.provider, path, issues: result.error.issues.slice(0, 5).map((i) => ({ path: i.path, message: i.message })) },
      'upstream response did not match its schema',
    );
    throw new BotgraphError(ErrorCode.PROVIDER_BAD_RESPONSE, `${this.provider} answered with an unexpected shape.`, {
      provider: this.provider,
    });
  }

  private statusError(status: number, path: string, retryAfter: string | string[] | undefined): BotgraphError {
    const provider = this.provider;
    this.options.logger?.info({ provider, path, status }, 'upstream error status');
    if (status === 401) {
      return new BotgraphError(ErrorCode.PROVIDER_AUTH_FAILED, `${provider} rejected botgraph's credentials.`, { provider, status });
    }
    if (status === 403) {
      return new BotgraphError(
        ErrorCode.FORBIDDEN_BY_PROVIDER,
        `${provider} refused the operation (403): the instance may be blocked, or the conversation finished or deleted.`,
        { provider, status },
      );
    }
    if (status === 404) return new BotgraphError(ErrorCode.NOT_FOUND, `${provider} has no such object.`, { provider, status });
    if (status === 429) {
      return new BotgraphError(ErrorCode.PROVIDER_RATE_LIMITED, `${provider} is rate limiting botgraph.`, {
        provider,
        status,
        retryAfterMs: parseRetryAfter(headerValue(retryAfter)) ?? 1_000,
      });
    }
    if (status >= 500) {
      return new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, `${provider} is unavailable (HTTP ${status}).`, { provider, status });
    }
    if (status === 400 || status === 422) {
      return new BotgraphError(ErrorCode.BAD_USER_INPUT, `${provider} rejected the request's parameters (HTTP ${status}).`, {
        provider,
        status,
      });
    }
    return new BotgraphError(ErrorCode.PROVIDER_BAD_RESPONSE, `${provider} answered HTTP ${status}.`, { provider, status });
  }

  /** Turns anything thrown on the way into a BotgraphError; never lets a URL or body through. */
  private translate(error: unknown, path: string): BotgraphError {
    if (error instanceof BotgraphError) return error;
    const provider = this.provider;
    if (error instanceof TaskCancelledError || (error instanceof Error && error.name === 'AbortError')) return this.timeoutError();
    const code = (error as { code?: string } | undefined)?.code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return this.timeoutError();
    this.options.logger?.warn({ provider, path, code }, 'upstream unreachable');
    return new BotgraphError(ErrorCode.PROVIDER_UNAVAILABLE, `${provider} could not be reached.`, { provider });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
