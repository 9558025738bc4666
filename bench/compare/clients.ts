/**
 * A child process of `bench/compare.ts` holding subscribers: `count` graphql-ws subscriptions to
 * one `messageAdded` topic, `perSocket` per socket. Clients live outside the server's process, so
 * the server's event loop does only the server's work. Per event (identified by its unique text) it
 * reports to the parent when every one of its subscribers has it, with the first and the last
 * receipt time (epoch ms, sub-millisecond, comparable across processes on this machine).
 */
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';

interface Open {
  type: 'open';
  wsUrl: string;
  query: string;
  variables: Record<string, unknown>;
  count: number;
  perSocket: number;
}

const clients: Client[] = [];
const events = new Map<string, { n: number; first: number; last: number }>();
let total = 0;
let errors = 0;
let firstError: string | undefined;
const now = () => performance.timeOrigin + performance.now();

function onText(text: string): void {
  const t = now();
  let e = events.get(text);
  if (!e) {
    e = { n: 0, first: t, last: t };
    events.set(text, e);
  }
  e.n++;
  e.last = t;
  if (e.n === total) {
    process.send?.({ type: 'delivered', text, n: e.n, first: e.first, last: e.last });
    events.delete(text);
  } else if (e.n > total) {
    process.send?.({ type: 'duplicate', text });
  }
}

async function open(m: Open): Promise<void> {
  total = m.count;
  const sockets = Math.ceil(m.count / m.perSocket);
  let left = m.count;
  // 50 sockets at a time: thousands of simultaneous handshakes only measure the accept queue.
  for (let s = 0; s < sockets; s += 50) {
    const batch: Promise<void>[] = [];
    for (let k = s; k < Math.min(sockets, s + 50); k++) {
      const client = createClient({
        url: m.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        keepAlive: 0,
        // Counted (and the first one reported) instead of printed.
        onNonLazyError: (error) => {
          errors++;
          firstError ??= `socket: ${(error as { code?: number; reason?: string })?.code ?? ''} ${(error as { reason?: string })?.reason ?? String(error)}`;
        },
      });
      clients.push(client);
      batch.push(
        new Promise<void>((resolve) => {
          client.on('connected', () => resolve());
          client.on('closed', () => resolve());
        }),
      );
      const here = Math.min(m.perSocket, left);
      left -= here;
      for (let i = 0; i < here; i++) {
        client.subscribe<{ messageAdded: { text: string } }>(
          { query: m.query, variables: m.variables },
          {
            next: (result) => {
              if (result.data) onText(result.data.messageAdded.text);
              else {
                errors++;
                firstError ??= JSON.stringify(result.errors).slice(0, 300);
              }
            },
            error: (error) => {
              errors++;
              firstError ??= String((error as Error)?.message ?? JSON.stringify(error)).slice(0, 300);
            },
            complete: () => {},
          },
        );
      }
    }
    await Promise.all(batch);
  }
  process.send?.({ type: 'opened', sockets: clients.length });
}

process.on('message', (raw: unknown) => {
  const m = raw as { type: string };
  if (m.type === 'open') void open(m as Open);
  else if (m.type === 'errors') process.send?.({ type: 'errors', errors, firstError });
  else if (m.type === 'close') {
    void Promise.all(clients.splice(0).map(async (c) => c.dispose())).then(() => process.exit(0));
  }
});
