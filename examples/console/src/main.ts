// botgraph's reference agent console: a live inbox over every provider, the handoff queue, and a
// conversation view where an operator takes over, replies and gives the conversation back.
// Built on botgraph's public API only, with urql and graphql-ws.
import { Client, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import type { ConsoleConversationFragment as Conversation, ConsoleMessageFragment as Message } from '../../../docs/clients/__generated__/graphql.js';
import {
  ConsoleConversationUpdated,
  ConsoleEndHandoff,
  ConsoleHandoffRequested,
  ConsoleInbox,
  ConsoleMessageAdded,
  ConsoleMessages,
  ConsoleSend,
  ConsoleStartHandoff,
} from './operations.js';

// ---- state -------------------------------------------------------------------------------

const state = {
  conversations: new Map<string, Conversation>(),
  messages: [] as Message[],
  selected: null as string | null,
  connection: 'connecting' as 'connecting' | 'connected' | 'reconnecting' | 'closed',
  providerProblems: new Map<string, string>(),
  error: null as string | null,
};

const apiKey = () => localStorage.getItem('botgraph.apiKey') ?? '';

// ---- clients: HTTP for queries and mutations, graphql-ws for live updates -----------------

const httpUrl = new URL('/graphql', location.href).toString();
let ws: WsClient;
let client: Client;

function connect(): void {
  const authorization = apiKey() ? `Bearer ${apiKey()}` : undefined;
  ws = createWsClient({
    url: httpUrl.replace(/^http/, 'ws'),
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connecting: () => setConnection(state.connection === 'connected' ? 'reconnecting' : 'connecting'),
      connected: () => setConnection('connected'),
      closed: () => setConnection('reconnecting'),
    },
  });
  client = new Client({
    url: httpUrl,
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => ({ headers: authorization ? { authorization } : {} }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}

// ---- errors shown to the person ------------------------------------------------------------

/** Splits a result's errors: a provider's failure becomes its banner, the rest the error line. */
function report(error: CombinedError | undefined): void {
  if (!error) return;
  if (error.networkError) state.error = `Cannot reach botgraph: ${error.networkError.message}`;
  for (const e of error.graphQLErrors) {
    const provider = e.extensions?.provider as string | undefined;
    const code = (e.extensions?.code as string | undefined) ?? 'ERROR';
    if (provider) state.providerProblems.set(provider, `${provider} is unavailable (${code}): ${e.message}`);
    else state.error = `${code}: ${e.message}`;
  }
  render();
}

// ---- data ------------------------------------------------------------------------------------

async function loadInbox(): Promise<void> {
  const result = await client.query(ConsoleInbox, { first: 50 }).toPromise();
  state.providerProblems.clear();
  for (const p of result.data?.providers ?? []) {
    if (p.enabled && !p.healthy) state.providerProblems.set(p.provider, `${p.provider} is not answering.`);
  }
  for (const edge of result.data?.conversations.edges ?? []) state.conversations.set(edge.node.id, edge.node);
  report(result.error);
  render();
}

async function open(id: string): Promise<void> {
  state.selected = id;
  state.messages = [];
  render();
  messageSubscription?.unsubscribe();
  const result = await client.query(ConsoleMessages, { id }).toPromise();
  report(result.error);
  const conversation = result.data?.conversation;
  if (!conversation || state.selected !== id) return;
  upsert(conversation);
  state.messages = conversation.messages.edges.map((e) => e.node);
  messageSubscription = pipe(
    client.subscription(ConsoleMessageAdded, { id }),
    subscribe((r) => {
      report(r.error);
      const message = r.data?.messageAdded;
      if (message && state.selected === id && !state.messages.some((m) => m.id === message.id)) {
        state.messages.push(message);
        render();
      }
    }),
  );
  render();
}
let messageSubscription: { unsubscribe(): void } | undefined;

function upsert(conversation: Conversation): void {
  state.conversations.set(conversation.id, { ...state.conversations.get(conversation.id), ...conversation });
}

async function act(kind: 'take' | 'giveBack'): Promise<void> {
  const id = state.selected;
  if (!id) return;
  const result =
    kind === 'take' ? await client.mutation(ConsoleStartHandoff, { id }).toPromise() : await client.mutation(ConsoleEndHandoff, { id }).toPromise();
  report(result.error);
  const conversation = result.data && ('startHandoff' in result.data ? result.data.startHandoff : result.data.endHandoff).conversation;
  if (conversation) upsert(conversation);
  render();
}

async function reply(text: string): Promise<void> {
  const id = state.selected;
  if (!id || !text.trim()) return;
  // One key per message typed: a retry after a network error can never send it twice.
  const result = await client.mutation(ConsoleSend, { id, text, key: crypto.randomUUID() }).toPromise();
  report(result.error);
}

function liveInbox(): void {
  for (const operation of [ConsoleConversationUpdated, ConsoleHandoffRequested] as const) {
    pipe(
      client.subscription(operation, {}),
      subscribe((r) => {
        report(r.error);
        const data = r.data as { conversationUpdated?: Conversation; handoffRequested?: Conversation } | undefined;
        const conversation = data?.conversationUpdated ?? data?.handoffRequested;
        if (conversation) {
          upsert(conversation);
          render();
        }
      }),
    );
  }
}

// ---- rendering ------------------------------------------------------------------------------

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const child of children) if (child != null) el.append(child);
  return el;
}

const badge = (kind: string, text: string) => h('span', { class: `badge ${kind} ${kind}-${text.toLowerCase()}` }, text);

function setConnection(value: typeof state.connection): void {
  state.connection = value;
  render();
}

function newestFirst(): Conversation[] {
  return [...state.conversations.values()].sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
}

function row(c: Conversation): HTMLElement {
  const item = h(
    'li',
    { 'data-testid': 'conversation', 'data-id': c.id, 'data-provider': c.provider, class: c.id === state.selected ? 'selected' : '' },
    badge('provider', c.provider),
    h('span', { class: 'title' }, c.title),
    badge('status', c.status),
    c.handoff === 'BOT' ? null : badge('handoff', c.handoff),
    h('time', {}, c.updatedAt ? new Date(c.updatedAt).toLocaleTimeString() : ''),
  );
  item.addEventListener('click', () => void open(c.id));
  return item;
}

function messageView(m: Message): HTMLElement {
  return h(
    'li',
    { class: `message ${m.sender.toLowerCase()}`, 'data-testid': 'message' },
    h('span', { class: 'sender' }, m.sender),
    h('span', { class: 'text' }, m.text ?? ''),
    m.intent ? h('span', { class: 'intent', 'data-testid': 'intent' }, `${m.intent.name} ${m.intent.confidence?.toFixed(2) ?? ''}`) : null,
    m.quickReplies.length
      ? h('span', { class: 'quick-replies' }, ...m.quickReplies.map((q) => h('button', { class: 'quick-reply', disabled: '' }, q.title)))
      : null,
  );
}

function detail(): HTMLElement {
  const c = state.selected ? state.conversations.get(state.selected) : undefined;
  if (!c) return h('section', { class: 'detail empty' }, 'Open a conversation.');
  const take = h('button', { 'data-testid': 'take-over' }, 'Take over');
  take.addEventListener('click', () => void act('take'));
  const giveBack = h('button', { 'data-testid': 'give-back' }, 'Give back to the bot');
  giveBack.addEventListener('click', () => void act('giveBack'));
  replyFormEl ??= replyForm();
  return h(
    'section',
    { class: 'detail', 'data-testid': 'detail', 'data-handoff': c.handoff },
    h('header', {}, badge('provider', c.provider), h('h2', {}, c.title), badge('status', c.status), badge('handoff', c.handoff)),
    h('div', { class: 'actions' }, c.handoff === 'OPERATOR' ? giveBack : take),
    h('ol', { class: 'messages' }, ...state.messages.map(messageView)),
    c.handoff === 'OPERATOR' ? replyFormEl : h('p', { class: 'hint' }, 'Take the conversation over to reply.'),
  );
}

/** Kept across renders, so that what the operator is typing survives live updates. */
function replyForm(): HTMLElement {
  const input = h('input', { 'data-testid': 'reply-text', placeholder: 'Reply as the operator…' }) as HTMLInputElement;
  const form = h('form', { 'data-testid': 'reply' }, input, h('button', { type: 'submit' }, 'Send'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void reply(input.value);
    input.value = '';
  });
  return form;
}
let replyFormEl: HTMLElement | undefined;

function keyForm(): HTMLElement {
  const input = h('input', { type: 'password', placeholder: 'API key (optional)', 'data-testid': 'api-key' }) as HTMLInputElement;
  input.value = apiKey();
  const form = h('form', { class: 'key' }, input, h('button', { type: 'submit' }, 'Use key'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    localStorage.setItem('botgraph.apiKey', input.value.trim());
    location.reload();
  });
  return form;
}

let keyFormEl: HTMLElement | undefined;

function render(): void {
  const root = document.getElementById('app');
  if (!root) return;
  keyFormEl ??= keyForm();
  const all = newestFirst();
  const queue = all.filter((c) => c.handoff === 'REQUESTED');
  root.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('h1', {}, 'botgraph console'),
      h('span', { class: `connection ${state.connection}`, 'data-testid': 'connection' }, state.connection),
      keyFormEl,
    ),
    ...[...state.providerProblems.values()].map((text) => h('div', { class: 'banner', 'data-testid': 'banner' }, text)),
    ...(state.error ? [h('div', { class: 'banner error', 'data-testid': 'error' }, state.error)] : []),
    h(
      'main',
      {},
      h(
        'nav',
        {},
        h('h3', {}, `Waiting for an operator (${queue.length})`),
        h('ul', { class: 'queue', 'data-testid': 'queue' }, ...queue.map(row)),
        h('h3', {}, `Inbox (${all.length})`),
        h('ul', { class: 'inbox', 'data-testid': 'inbox' }, ...all.map(row)),
      ),
      detail(),
    ),
  );
}

// ---- start ------------------------------------------------------------------------------------

connect();
render();
void loadInbox().then(liveInbox);
// Provider health and banners are refreshed every 15 s; conversations arrive live.
setInterval(() => void loadInbox(), 15_000);
