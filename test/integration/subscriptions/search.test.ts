/**
 * `filter.search` means one thing in lists and in subscriptions (issue #11, "`search` says what it
 * did"): what the end user wrote, as CXone's `query` reads `text ~ "<value>"` (a case-insensitive
 * substring of any end-user message: docs/providers/cxone.md, `text`). Lists send it to CXone; a
 * `conversationUpdated` subscription tests the same on each event. The providers that cannot search
 * text (CLOSER, Bot.one) are left out of both, and both name them in `extensions.leftOut`, over HTTP
 * and over WebSocket alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect, subscribed, waitFor, wsClient } from '../../helpers/live.js';
import type { CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { FAST_POLLS, conversationsOf } from './support.js';

const SUB = `subscription($f: ConversationFilter) { conversationUpdated(filter: $f) {
  id provider nativeId messages(first: 100) { nodes { sender text } } } }`;

let bg: TestBotgraph;
let cxone: CxoneSimulator;
const clients: Client[] = [];

beforeAll(async () => {
  bg = await startTestBotgraph(FAST_POLLS);
  cxone = bg.sim('CXONE') as CxoneSimulator;
});
afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
});

/** Everything CXone's end users wrote in one conversation, lowercased (the simulator's store). */
function userText(conversationId: string): string {
  for (const bot of cxone.store.botIds()) {
    const c = cxone.store.list(bot).find((x) => x.conversationId === conversationId);
    if (c)
      return c.tracker.events
        .filter((e) => e.event === 'user')
        .map((e) => ((e as { text?: string | null }).text ?? '').toLowerCase())
        .join('\n');
  }
  return '';
}

/** A word that some CXone conversations' end users wrote and others did not (near 40% of them). */
function someWord(): string {
  const all = cxone.store.botIds().flatMap((bot) => cxone.store.list(bot).map((c) => userText(c.conversationId)));
  const words = new Set(all.flatMap((t) => t.split(/[^a-z]+/).filter((w) => w.length >= 5)));
  let best = '';
  let bestGap = Infinity;
  for (const w of words) {
    const share = all.filter((t) => t.includes(w)).length / all.length;
    if (Math.abs(share - 0.4) < bestGap) [best, bestGap] = [w, Math.abs(share - 0.4)];
  }
  return best;
}

const leftOutOf = (extensions: unknown) =>
  ((extensions as { leftOut?: Array<{ provider: string; filter: string }> } | undefined)?.leftOut ?? [])
    .map((l) => `${l.provider}:${l.filter}`)
    .sort();

describe('filter.search, lists and subscriptions alike', () => {
  it('a subscription delivers the CXone conversations whose end user wrote it, none other, and names the providers it leaves out', async () => {
    const word = someWord();
    expect(word).not.toBe('');
    const client = wsClient(bg);
    clients.push(client);
    const sub = collect<{ id: string; provider: string; nativeId: string; messages: { nodes: Array<{ sender: string; text: string | null }> } }>(
      client,
      SUB,
      { f: { search: word.toUpperCase() } },
    );
    await subscribed(bg, 3, 'conv:CXONE');
    // Each CXone topic has taken its watermark (its first poll has ended once the second began): changes from here on are events.
    await waitFor(() => bg.app.live.pollers.snapshot().filter((p) => p.topic.startsWith('conv:CXONE') && p.polls >= 2).length >= 3, 'first polls');

    const changed = new Set<string>();
    for (let i = 0; i < 40; i++) changed.add(cxone.tick().conversationId);
    // A CLOSER conversation gets a message with the word in it: CLOSER cannot search, so it is not delivered.
    const [closer] = await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 1);
    const sent = await bg.gql(`mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { replayed } }`, {
      c: closer!.id,
      t: `about ${word}`,
    });
    expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();

    // Text only grows: what matches now matched when it changed last.
    const matching = [...changed].filter((id) => userText(id).includes(word));
    const other = [...changed].filter((id) => !userText(id).includes(word));
    expect(matching.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    await sub.waitFor((events) => matching.every((id) => events.some((e) => e.nativeId === id)), 'every matching change', 15_000);

    for (const e of sub.events) {
      expect(e.provider).toBe('CXONE');
      expect(e.messages.nodes.some((m) => m.sender === 'END_USER' && (m.text ?? '').toLowerCase().includes(word))).toBe(true);
    }
    expect(sub.events.filter((e) => other.includes(e.nativeId))).toEqual([]);
    // Every event says which providers the search left out, as the list does.
    for (const r of sub.results) expect(leftOutOf(r.extensions)).toEqual(['BOTONE:search', 'CLOSER:search']);
    console.info(`[measure] search "${word}": ${changed.size} CXone conversations changed, ${matching.length} matching; ${sub.events.length} events`);
  }, 40_000);

  it('the list says the same over HTTP and over WebSocket', async () => {
    const query = `query($f: ConversationFilter) { conversations(first: 5, filter: $f) { nodes { provider } } }`;
    const http = await bg.gql(query, { f: { search: 'password' } });
    expect(http.errors, JSON.stringify(http.errors)).toBeUndefined();
    expect(leftOutOf(http.extensions)).toEqual(['BOTONE:search', 'CLOSER:search']);
    const client = wsClient(bg);
    clients.push(client);
    const ws = collect(client, query, { f: { search: 'password' } });
    await waitFor(() => ws.results.length > 0, 'the WS answer');
    expect(leftOutOf(ws.results[0]!.extensions)).toEqual(['BOTONE:search', 'CLOSER:search']);
    expect(ws.results[0]!.data).toEqual(http.data);
  });
});
