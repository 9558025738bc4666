/**
 * WebSocket parity: one table of operations, each sent over HTTP (fetch) and over graphql-ws (a
 * real client) to the same botgraph; data, errors (messages, codes, paths, locations, providers,
 * partial errors) and limits must be identical. Each is then sent until both transports run it as a
 * compiled query (src/http/compiled.ts), whose answers must still be the same.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../../src/config.js';
import { startTestBotgraph } from '../../helpers/botgraph.js';

type Result = { data?: unknown; errors?: Array<Record<string, unknown>> };

/** botgraph's default: graphql-js answers first, then the compiled query. */
const COMPILE_AFTER = loadConfig({}).ops.compileAfter!;
const bg = await startTestBotgraph({ GRAPHQL_COMPILE_AFTER: String(COMPILE_AFTER) });
const client: Client = createClient({ url: `${bg.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
afterAll(() => client.dispose());

async function overHttp(query: string, variables?: Record<string, unknown>): Promise<Result> {
  const res = await fetch(`${bg.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

function overWs(query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result | undefined;
    client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => void (result = value as Result),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error as Array<Record<string, unknown>> }) : reject(error)),
        complete: () => resolve(result ?? {}),
      },
    );
  });
}

/** What a client compares: data, and each error's message, path, locations and extensions. */
function normal(result: Result): Result {
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors ? { errors: result.errors.map(({ message, path, locations, extensions }) => ({ message, path, locations, extensions })) } : {}),
  };
}

const deep = `{ conversations(first: 1) { nodes { messages(first: 1) { nodes { conversation { messages(first: 1) { nodes { conversation { messages(first: 1) { nodes { conversation { messages(first: 1) { nodes { conversation { id } } } } } } } } } } } } } } }`;

const CASES: Array<{
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  fault?: { provider: 'CLOSER'; config: Record<string, unknown> };
  expectCode?: string;
}> = [
  { name: 'ok', query: '{ bots { provider name } }' },
  {
    name: 'partial errors (CLOSER answers 500)',
    query: '{ conversations(first: 4) { nodes { provider title } } }',
    fault: { provider: 'CLOSER', config: { errorRate: 1, errorStatus: 500 } },
    expectCode: 'PROVIDER_UNAVAILABLE',
  },
  { name: 'parse failure', query: '{ conversations(first: ', expectCode: 'GRAPHQL_PARSE_FAILED' },
  { name: 'validation failure', query: '{ conversations { nope } }', expectCode: 'GRAPHQL_VALIDATION_FAILED' },
  {
    name: 'variable coercion failure',
    query: 'query($n: Int!) { conversations(first: $n) { totalCount } }',
    variables: { n: 'ten' },
    expectCode: 'BAD_USER_INPUT',
  },
  { name: 'argument out of range', query: '{ conversations(first: 1000) { totalCount } }', expectCode: 'BAD_USER_INPUT' },
  { name: 'malformed id', query: '{ node(id: "not-an-id") { id } }', expectCode: 'BAD_USER_INPUT' },
  { name: 'depth limit', query: deep, expectCode: 'DEPTH_LIMIT_EXCEEDED' },
  {
    name: 'mutation with bad input',
    query: 'mutation { sendMessage(input: { conversationId: "x", text: "hi" }) { message { id } } }',
    expectCode: 'BAD_USER_INPUT',
  },
];

describe('the same operation over HTTP and WebSocket', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      if (c.fault) bg.sim(c.fault.provider).faults.set(c.fault.config);
      try {
        const http = normal(await overHttp(c.query, c.variables));
        const ws = normal(await overWs(c.query, c.variables));
        expect(ws).toEqual(http);
        if (c.expectCode) expect(http.errors?.map((e) => (e.extensions as { code?: string })?.code)).toContain(c.expectCode);
        else expect(http.errors).toBeUndefined();
        // graphql-js ran it so far; past COMPILE_AFTER executions it runs compiled, on both transports alike.
        for (let i = 0; i < COMPILE_AFTER; i++) await Promise.all([overHttp(c.query, c.variables), overWs(c.query, c.variables)]);
        expect(normal(await overHttp(c.query, c.variables))).toEqual(http);
        expect(normal(await overWs(c.query, c.variables))).toEqual(http);
      } finally {
        if (c.fault) bg.sim(c.fault.provider).faults.clear();
      }
    });
  }
});
