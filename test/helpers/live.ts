/**
 * Helpers of the subscription tests: a real graphql-ws client (and raw `ws` sockets for the
 * protocol), a collector that records what one subscription delivered, and bounded waits.
 */
import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { TestBotgraph } from './botgraph.js';
import { waitFor } from './wait.js';

export const wsUrl = (bg: TestBotgraph): string => `ws://127.0.0.1:${bg.app.port}/graphql`;

export { waitFor };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A graphql-ws client that never retries on its own (a test decides when to reconnect). */
export function wsClient(bg: TestBotgraph, options: Partial<ClientOptions> = {}): Client {
  return createClient({ url: wsUrl(bg), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

export interface Collected<T> {
  /** The `data[field]` of every `next` without errors, in order of arrival. */
  events: T[];
  /** Arrival time (ms) of each event, parallel to `events`. */
  times: number[];
  /** Every `next` payload, raw. */
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /**
   * What the sink's `error` got (an array of GraphQL errors, a CloseEvent, an Error), or the errors
   * of the first `next` that carried some (a resolver's refusal), whichever came first.
   */
  error: unknown;
  completed: boolean;
  stop(): void;
  /** Waits until `count` events arrived (or `pred` holds). */
  waitFor(pred: (events: T[]) => boolean, what: string, timeoutMs?: number): Promise<T[]>;
  /** Waits until the subscription ended (error or complete). */
  ended(timeoutMs?: number): Promise<void>;
}

/** Subscribes and records; `field` is the root field whose value is collected. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}, field?: string): Collected<T> {
  const out: Collected<T> = {
    events: [],
    times: [],
    results: [],
    error: undefined,
    completed: false,
    stop: () => {},
    waitFor: async (pred, what, timeoutMs = 5_000) => {
      await waitFor(() => pred(out.events), what, timeoutMs);
      return out.events;
    },
    ended: async (timeoutMs = 5_000) => {
      await waitFor(() => out.completed || out.error !== undefined, 'the subscription to end', timeoutMs);
    },
  };
  out.stop = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (result) => {
        out.results.push(result);
        if (result.errors?.length || !result.data) {
          out.error ??= result.errors;
          return;
        }
        const key = field ?? Object.keys(result.data)[0]!;
        out.events.push(result.data[key] as T);
        out.times.push(Date.now());
      },
      error: (error) => {
        out.error = error;
      },
      complete: () => {
        out.completed = true;
      },
    },
  );
  return out;
}

/** Sum of subscribers over the running pollers whose topic starts with `prefix`. */
export function subscribersOf(bg: TestBotgraph, prefix = ''): number {
  return bg.app.live.pollers
    .snapshot()
    .filter((p) => p.topic.startsWith(prefix))
    .reduce((n, p) => n + p.subscribers, 0);
}

/** Waits until at least `n` subscribers hold pollers of `prefix`: the subscriptions are live server-side. */
export async function subscribed(bg: TestBotgraph, n: number, prefix = '', timeoutMs = 5_000): Promise<void> {
  await waitFor(() => subscribersOf(bg, prefix) >= n, `${n} subscriber(s) on ${prefix || 'any topic'}`, timeoutMs);
}

/**
 * Waits until every running poller whose topic starts with `prefix` has polled `n` more times than
 * now: the positive signal that "a poll would have seen it by now", instead of a fixed pause.
 */
export async function morePolls(bg: TestBotgraph, n: number, prefix = '', timeoutMs = 10_000): Promise<void> {
  const pollers = () => bg.app.live.pollers.snapshot().filter((p) => p.topic.startsWith(prefix));
  const from = new Map(pollers().map((p) => [p.topic, p.polls]));
  await waitFor(
    () => pollers().length > 0 && pollers().every((p) => p.polls >= (from.get(p.topic) ?? 0) + n),
    `${n} more polls of ${prefix || 'every topic'}`,
    timeoutMs,
  );
}

/** One raw graphql-transport-ws socket: every message it received, and how it closed. */
export interface RawSocket {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Waits for a message matching `pred`. */
  next(pred: (m: any) => boolean, what: string, timeoutMs?: number): Promise<any>;
}

export async function rawSocket(bg: TestBotgraph, protocol = 'graphql-transport-ws'): Promise<RawSocket> {
  const ws = new WebSocket(wsUrl(bg), protocol);
  const messages: any[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (pred, what, timeoutMs = 5_000) => waitFor(() => messages.find(pred), what, timeoutMs),
  };
}

/** A raw socket past `connection_init`/`connection_ack`. */
export async function ackedSocket(bg: TestBotgraph): Promise<RawSocket> {
  const socket = await rawSocket(bg);
  socket.send({ type: 'connection_init' });
  await socket.next((m) => m.type === 'connection_ack', 'connection_ack');
  return socket;
}
