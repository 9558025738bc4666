/**
 * Shared pieces of the scale-out tests: the subscription documents, conversations to work on, and
 * changes made directly at the CLOSER simulator (as another CLOSER user would), which botgraph can
 * only learn of by polling or by webhook.
 */
import { expect } from 'vitest';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import { collect, gql, wsClient, type Collected, type Replica } from '../../helpers/replicas.js';

export const MESSAGE_FIELDS = 'id nativeId text sender eventCursor';
export const CONVERSATION_FIELDS = 'id nativeId provider status handoff updatedAt eventCursor';

export const MESSAGE_ADDED = `subscription($id: ID!, $since: String) { messageAdded(conversationId: $id, since: $since) { ${MESSAGE_FIELDS} } }`;
export const CONVERSATION_UPDATED = `subscription($f: ConversationFilter, $since: String) { conversationUpdated(filter: $f, since: $since) { ${CONVERSATION_FIELDS} } }`;

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
