/**
 * Helpers of the security tests: real HTTP with an `Authorization` header, a real graphql-ws client
 * with `connectionParams.authorization`, and raw sockets to see close codes and upgrade refusals.
 */
import { createHash } from 'node:crypto';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { GraphQLResponse, TestBotgraph } from '../../helpers/botgraph.js';
import { wsUrl } from '../../helpers/live.js';
import { waitFor } from '../../helpers/wait.js';

export { waitFor, wsUrl };

export const KEYS = {
  viewer: 'viewer-key-0123456789abcdef',
  operator: 'operator-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
} as const;
export const API_KEYS_ENV = Object.entries(KEYS)
  .map(([role, key]) => `${role}:${key}`)
  .join(',');

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

export interface HttpResult<T = any> extends GraphQLResponse<T> {
  status: number;
  headers: Headers;
  /** Server time of the answer from its `Server-Timing` header, in ms. */
  serverMs: number;
}

/** POSTs an operation with an optional credential (`Bearer <key>` unless it already names a scheme). */
export async function gqlAs<T = any>(
  bg: TestBotgraph,
  credential: string | null,
  query: string,
  variables?: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (credential !== null) headers.authorization = /^(bearer|basic) /i.test(credential) ? credential : `Bearer ${credential}`;
  const res = await fetch(`${bg.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, headers: res.headers, serverMs: serverMs(res.headers), ...((await res.json()) as GraphQLResponse<T>) };
}

export function serverMs(headers: Headers): number {
  const timing = headers.get('server-timing') ?? '';
  const match = /dur=([\d.]+)/.exec(timing);
  if (!match) throw new Error(`no server-timing header: "${timing}"`);
  return Number(match[1]);
}

/** A graphql-ws client that sends `authorization` in connection_init and never retries. */
export function wsAs(bg: TestBotgraph, credential: string | null, headers: Record<string, string> = {}): Client {
  return createClient({
    url: wsUrl(bg),
    retryAttempts: 0,
    lazy: true,
    connectionParams: credential === null ? {} : { authorization: `Bearer ${credential}` },
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    },
  });
}

/** Runs one operation over graphql-ws: its results, or the error (GraphQL errors, or a CloseEvent). */
export async function wsOnce(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ results: FormattedExecutionResult[]; error: any; ms: number }> {
  const results: FormattedExecutionResult[] = [];
  const started = performance.now();
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (r) => void results.push(r as FormattedExecutionResult),
        error: (error) => resolve({ results, error, ms: performance.now() - started }),
        complete: () => resolve({ results, error: undefined, ms: performance.now() - started }),
      },
    );
  });
}

/** The close code of a raw socket that sends connection_init with `payload` (or the upgrade's HTTP status). */
export async function rawSocket(
  bg: TestBotgraph,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<{ code?: number; status?: number; socket: WebSocket }> {
  const socket = new WebSocket(wsUrl(bg), 'graphql-transport-ws', { headers });
  return new Promise((resolve) => {
    socket.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode, socket });
      socket.terminate();
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('close', (code) => resolve({ code, socket }));
    socket.on('error', () => {});
  });
}

/** Total upstream calls of every embedded simulator, read over HTTP at /__sim/stats. */
export async function upstreamCalls(bg: TestBotgraph): Promise<number> {
  let total = 0;
  for (const sim of Object.values(bg.app.registry.simulators)) {
    const res = await fetch(`${sim.url}/__sim/stats`, { headers: bg.app.registry.simulatorAdminHeaders });
    total += ((await res.json()) as { total: number }).total;
  }
  return total;
}
