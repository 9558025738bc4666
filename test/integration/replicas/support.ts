/**
 * Shared pieces of the scale-out tests: the subscription documents, conversations to work on, and
 * changes made directly at the CLOSER simulator (as another CLOSER user would), which botgraph can
 * only learn of by polling or by webhook.
 */
import { expect } from 'vitest';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { collect, gql, waitFor, wsClient, type Cluster, type Collected, type Replica } from '../../helpers/replicas.js';

export const MESSAGE_FIELDS = 'id nativeId text sender eventCursor';
export const CONVERSATION_FIELDS = 'id nativeId provider status handoff updatedAt eventCursor';

export const MESSAGE_ADDED = `subscription($id: ID!, $since: String) { messageAdded(conversationId: $id, since: $since) { ${MESSAGE_FIELDS} } }`;
export const CONVERSATION_UPDATED = `subscription($f: ConversationFilter, $since: String) { conversationUpdated(filter: $f, since: $since) { ${CONVERSATION_FIELDS} } }`;

/** The simulator routes the CLOSER pollers read: a topic's polls are counted here, in the test process. */
export const MESSAGES_ROUTE = 'GET /openapi/conversation/:id/message';
export const LIST_ROUTE = 'GET /openapi/conversations';

export const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { replayed message { id nativeId text } conversation { id updatedAt handoff } } }`;
export const START_HANDOFF = `mutation($input: HandoffInput!) { startHandoff(input: $input) { replayed conversation { id updatedAt handoff status } } }`;

export interface Conv {
  id: string;
  nativeId: string;
  updatedAt: string;
  handoff: string;
}

/** ACTIVE CLOSER conversations still with the bot, newest first. */
export async function closerConversations(replica: Replica, n: number): Promise<Conv[]> {
  const res = await gql(
    replica,
    `query($f: ConversationFilter) { conversations(first: 100, filter: $f) { nodes { id nativeId updatedAt handoff status } } }`,
    { f: { providers: ['CLOSER'], statuses: ['ACTIVE'] } },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const nodes = (res.data.conversations.nodes as Array<Conv & { status: string }>).filter((c) => c.handoff === 'BOT');
  expect(nodes.length).toBeGreaterThanOrEqual(n);
  return nodes.slice(0, n);
}

/** Posts a message straight to the CLOSER simulator's API, bypassing botgraph. Returns its native id. */
export async function directMessage(closer: CloserSimulator, conversationNativeId: string, text: string): Promise<string> {
  const res = await fetch(`${closer.url}/openapi/conversation/${encodeURIComponent(conversationNativeId)}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': closer.apiKey },
    body: JSON.stringify({ data: { type: 'text', text } }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A conversation as the simulator has it now (through its API), for the expected `updatedAt`. */
export async function closerUpdatedAt(closer: CloserSimulator, conversationNativeId: string): Promise<string> {
  const res = await fetch(`${closer.url}/openapi/conversation/${encodeURIComponent(conversationNativeId)}`, {
    headers: { 'x-api-key': closer.apiKey },
  });
  expect(res.status).toBe(200);
  return new Date(((await res.json()) as { updatedAt: string }).updatedAt).toISOString();
}

/** Values that occur more than once. */
export function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

export interface Evt {
  nativeId: string;
  eventCursor: string;
  updatedAt?: string;
}

/** One subscription that survives its replica: on `reconnect` it resumes from its last cursor elsewhere. */
export class Resumable {
  readonly events: Evt[] = [];
  readonly clients: Array<ReturnType<typeof wsClient>> = [];
  private current!: Collected<Evt>;
  private seen = 0;
  constructor(
    readonly replica: Replica,
    private readonly query: string,
    private readonly variables: Record<string, unknown>,
  ) {
    this.connect(replica, undefined);
  }
  private connect(replica: Replica, since: string | undefined) {
    const client = wsClient(replica);
    this.clients.push(client);
    this.current = collect<Evt>(client, this.query, { ...this.variables, ...(since ? { since } : {}) });
    this.seen = 0;
  }
  /** Moves what the current subscription got into `events`. */
  drain(): Evt[] {
    this.events.push(...this.current.events.slice(this.seen));
    this.seen = this.current.events.length;
    return this.events;
  }
  get error(): unknown {
    return this.current.error;
  }
  reconnect(to: Replica) {
    this.drain();
    this.current.stop();
    this.connect(to, this.events.at(-1)?.eventCursor);
  }
  async close() {
    this.current.stop();
    await Promise.all(this.clients.map(async (c) => c.dispose()));
  }
}

/** Posts a message straight at CLOSER every `everyMs` until stopped; `produced` holds their ids in order. */
export function produceMessages(closer: CloserSimulator, conversationNativeId: string, label: string, everyMs = 150) {
  const produced: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      produced.push(await directMessage(closer, conversationNativeId, `${label} ${i}`));
      // A pace, not a wait for something: a slower pace on a loaded machine only means fewer messages.
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    produced,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/**
 * Waits until each of `replicas` holds every one of `topics` for a subscription: the topic cap's
 * `<topic>|<replica>` members in Redis (src/limits/rate.ts), written when a subscription takes its
 * topics, just before its stream listens to the bus. From then on a change reaches that replica's
 * clients; a fixed pause could not promise it on a loaded machine.
 */
export async function subscribedEverywhere(cluster: Cluster, replicas: Replica[], topics: string[], timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const members: string[] = [];
      for (const key of await cluster.redisClient.keys('botgraph:topics:*')) members.push(...(await cluster.redisClient.zrange(key, 0, -1)));
      return replicas.every((r) => topics.every((t) => members.some((m) => m.startsWith(`${t}|${r.pid}-`))));
    },
    `subscriptions on ${replicas.map((r) => r.name).join(', ')} to hold ${topics.join(', ')}`,
    timeoutMs,
  );
}

/** Waits until the simulator served `route` `n` more times than now: that many polls (or reads) happened. */
export async function morePolls(closer: CloserSimulator, route: string, n: number, timeoutMs = 15_000): Promise<void> {
  const from = closer.stats.count(route);
  await waitFor(() => closer.stats.count(route) >= from + n, `${n} more reads of ${route}`, timeoutMs);
}

/** A Prometheus gauge of one replica (auth is off in the rig, so /metrics is open). */
export async function replicaGauge(replica: Replica, name: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${replica.name} has no metric ${name}`);
  return Number(line.slice(name.length + 1));
}
