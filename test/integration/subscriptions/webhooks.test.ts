/**
 * `POST /webhooks/closer`: CLOSER's own deliveries become subscription events (with the pollers
 * blinded, so only the webhook can tell); bad bodies are refused without harm; the same change
 * from a webhook and a poll is announced once; the optional shared secret is enforced.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { collect as collectOn, subscribed, subscribersOf, waitFor, wsClient, type Collected } from '../../helpers/live.js';
import {
  CLOSER_READS,
  FAST_POLLS,
  SUB_CONVERSATIONS,
  SUB_HANDOFFS,
  SUB_MESSAGES,
  closerApi,
  closerSim,
  conversationsOf,
  pool,
  type Conv,
  type Msg,
} from './support.js';
import { mapConversation } from '../../../src/providers/closer/mapper.js';
import { dedupeKeys } from '../../../src/subscriptions/version.js';

let bg: TestBotgraph;
let client: Client;
let active: ReturnType<typeof pool<Conv>>;

beforeAll(async () => {
  bg = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer' });
  client = wsClient(bg);
  active = pool((await conversationsOf(bg, 'CLOSER', ['ACTIVE'], 100)).filter((c) => c.handoff === 'BOT'));
});

afterAll(async () => {
  await client?.dispose();
});

const open: Array<Collected<unknown>> = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.stop();
  bg.sim('CLOSER').faults.clear();
  // The server has let them go: the next test's `subscribed` counts only its own subscribers.
  await waitFor(() => subscribersOf(bg) === 0, 'the subscriptions to end');
});
function collect<T>(query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const s = collectOn<T>(client, query, variables);
  open.push(s);
  return s;
}

async function post(
  body: string | Buffer,
  path = '/webhooks/closer',
  headers: Record<string, string> = {},
): Promise<{ status: number; ms: number; json: any }> {
  const started = Date.now();
  const res = await fetch(`${bg.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, json: text ? JSON.parse(text) : undefined };
}

/** A batch as CLOSER sends it, carrying the given events. */
function batch(messages: Array<{ event: string; data: Record<string, unknown> }>): string {
  const now = Date.now();
  return JSON.stringify({
    id: `b${now}`,
    webhookId: 'test',
    webhookUrl: `${bg.url}/webhooks/closer`,
    messages: messages.map((m, i) => ({ id: `e${now}${i}`, sourceType: 'bot', sourceId: 'x', timestamp: now, ...m })),
  });
}

describe("CLOSER's own webhook deliveries", () => {
  it('a change made on the simulator arrives by webhook alone: conversationUpdated and messageAdded', async () => {
    const conv = active.take();
    const updates = collect<Conv>(SUB_CONVERSATIONS, { f: { providers: ['CLOSER'] } });
    const messages = collect<Msg>(SUB_MESSAGES, { id: conv.id });
    await subscribed(bg, 2);
    // Blind the pollers: every read they make fails from now on.
    bg.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503, routes: CLOSER_READS });
    const delivered = closerSim(bg).webhookStatus().delivered;

    const changed = Date.now();
    await closerApi(bg, 'PUT', `/openapi/conversation/${conv.nativeId}/manual`, { status: 'HANDOVER' });
    const text = `상담원 연결되었습니다 ${Date.now()}`;
    const sent = await closerApi(bg, 'POST', `/openapi/conversation/${conv.nativeId}/message`, { data: { type: 'text', text } });

    await updates.waitFor((es) => es.some((e) => e.id === conv.id && e.handoff === 'OPERATOR'), 'the handover by webhook');
    const [m] = await messages.waitFor((es) => es.length >= 1, 'the message by webhook');
    expect(m).toMatchObject({ nativeId: sent.id, text, sender: 'OPERATOR' });
    expect(closerSim(bg).webhookStatus().delivered).toBeGreaterThan(delivered);
    expect(closerSim(bg).webhookStatus().failed).toBe(0);
    // The pollers really were blind: every read they tried failed.
    const stats = await bg.stats('CLOSER');
    expect(stats.routes['GET /openapi/conversations']).toBeGreaterThan(0);
    console.info(`[measure] simulator change → conversationUpdated by webhook: ${updates.times.at(-1)! - changed} ms (batching window 100 ms)`);
  });

  it('agent_call_requested gives handoffRequested (and conversationUpdated with handoff REQUESTED)', async () => {
    const conv = active.take();
    const handoffs = collect<Conv>(SUB_HANDOFFS, { p: ['CLOSER'] });
    const updates = collect<Conv>(SUB_CONVERSATIONS);
    await subscribed(bg, 2, 'conv:CLOSER');
    // What CLOSER sends when an end user asks for an agent: the Open API cannot make that request,
    // so the batch is built from the conversation as CLOSER serves it.
    const raw = await closerApi(bg, 'GET', `/openapi/conversation/${conv.nativeId}`);
    const at = new Date().toISOString();
    const requested = { ...raw, context: { ...raw.context, manual: { status: 'REQUESTED', updatedAt: at } }, updatedAt: at };
    const res = await post(
      batch([
        { event: 'bot.conversation.agent_call_requested', data: { conversation: requested } },
        { event: 'bot.conversation.updated', data: { conversation: requested } },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: 2 });
    const [h] = await handoffs.waitFor((es) => es.length >= 1, 'handoffRequested');
    expect(h).toMatchObject({ id: conv.id, provider: 'CLOSER', handoff: 'REQUESTED', status: 'ACTIVE' });
    await updates.waitFor((es) => es.some((e) => e.id === conv.id), 'conversationUpdated');
    // agent_call_requested and the updated event carry the same version: one update, not two.
    await waitFor(() => bg.app.live.pollers.snapshot()[0]!.polls >= 3, 'some polls');
    expect(updates.events.filter((e) => e.id === conv.id)).toHaveLength(1);
    expect(handoffs.events).toHaveLength(1);

    // A poll that lists the conversation a moment later (the bot said something since) announces
    // the same request: one event, keyed by when the request was made, not by the last change.
    const later = mapConversation({ ...requested, updatedAt: new Date(Date.parse(at) + 40).toISOString() });
    const bus = bg.app.infra.events;
    expect(
      await bus.publish({ kind: 'handoffRequested', provider: 'CLOSER', conversation: later, at: Date.now() }, dedupeKeys.handoffRequested(later)),
    ).toBeNull();
    // A new request (the end user asks again later) is a new event.
    const again = new Date(Date.parse(at) + 60_000).toISOString();
    const second = mapConversation({
      ...requested,
      context: { ...requested.context, manual: { status: 'REQUESTED', updatedAt: again } },
      updatedAt: again,
    });
    expect(
      await bus.publish({ kind: 'handoffRequested', provider: 'CLOSER', conversation: second, at: Date.now() }, dedupeKeys.handoffRequested(second)),
    ).not.toBeNull();
    await handoffs.waitFor((es) => es.length === 2, 'the second request');
  });
});

describe('the endpoint', () => {
  it('answers 200 fast to a valid batch and refuses bad ones (400, 405, 413) without falling over', async () => {
    const conv = active.take();
    const updates = collect<Conv>(SUB_CONVERSATIONS);
    await subscribed(bg, 1, 'conv:CLOSER');
    const raw = await closerApi(bg, 'GET', `/openapi/conversation/${conv.nativeId}`);
    const tagged = (tag: string) => ({ ...raw, tags: [tag], updatedAt: new Date().toISOString() });

    const ok = await post(batch([{ event: 'bot.conversation.updated', data: { conversation: tagged('first') } }]));
    expect(ok.status).toBe(200);
    expect(ok.ms).toBeLessThan(200);
    console.info(`[measure] valid webhook batch answered in ${ok.ms} ms`);

    const bad: Array<[string | Buffer, number]> = [
      ['{"id": "x", "messages": [', 400], // not JSON
      ['', 400],
      ['[]', 400], // not a batch
      ['{}', 400],
      ['"batch"', 400],
      ['{"id": "x"}', 400],
      ['{"id": "", "messages": []}', 400],
      ['{"id": "x", "messages": "no"}', 400], // wrong types
      ['{"id": "x", "messages": [{"id": "e", "event": "bot.message.sent", "timestamp": "now", "data": {}}]}', 400],
      ['{"id": "x", "messages": [{"id": "e", "event": "bot.message.sent", "timestamp": 1, "data": []}]}', 400],
      ['{"id": 7, "messages": []}', 400],
      [Buffer.alloc(2 * 1024 * 1024, 0x20), 413], // huge
    ];
    for (const [body, status] of bad) {
      const res = await post(body).catch((error) => {
        throw new Error(`${String(body).slice(0, 60)} (${body.length} bytes): ${(error as Error).message} ${String((error as Error).cause)}`);
      });
      expect(res.status, String(body).slice(0, 80)).toBe(status);
      expect(res.json.error).toEqual(expect.any(String));
    }
    const get = await fetch(`${bg.url}/webhooks/closer`);
    expect(get.status).toBe(405);

    // A batch whose events do not match CLOSER's schema is accepted (200) and skipped, not fatal.
    const odd = await post(
      batch([
        { event: 'bot.conversation.updated', data: { conversation: { id: 42 } } },
        { event: 'bot.message.sent', data: { message: 'hi' } },
        { event: 'bot.end_user.created', data: {} },
        { event: 'something.new', data: {} },
      ]),
    );
    expect(odd.status).toBe(200);

    // Still standing: the next valid batch is published.
    const again = await post(batch([{ event: 'bot.conversation.updated', data: { conversation: tagged('second') } }]));
    expect(again.status).toBe(200);
    await updates.waitFor((es) => es.filter((e) => e.id === conv.id).length >= 2, 'both valid batches published');
    expect((await fetch(`${bg.url}/healthz`)).status).toBe(200);
  });

  it('the same change by webhook and by poll is one conversationUpdated event', async () => {
    const conv = active.take();
    const updates = collect<Conv>(SUB_CONVERSATIONS);
    await subscribed(bg, 1, 'conv:CLOSER');
    const polls = () => bg.app.live.pollers.snapshot().find((p) => p.topic === 'conv:CLOSER')!.polls;
    await waitFor(() => polls() >= 2, 'first polls');
    const delivered = closerSim(bg).webhookStatus().delivered;
    // A change on the simulator: CLOSER's webhook posts it, and the next poll lists it too.
    await closerApi(bg, 'PUT', `/openapi/conversation/${conv.nativeId}`, { tags: ['vip'] });
    const p0 = polls();
    await waitFor(() => closerSim(bg).webhookStatus().delivered > delivered && polls() >= p0 + 3, 'the webhook and three polls');
    expect(updates.events.filter((e) => e.id === conv.id)).toHaveLength(1);
    const log = (await bg.app.infra.events.history('0-0', 10_000)).filter(
      (e) => e.event.kind === 'conversation' && e.event.conversation.nativeId === conv.nativeId,
    );
    expect(log).toHaveLength(1);

    // The poller alone (webhook off) then the webhook replaying the same state: still one.
    const second = active.take();
    const sim = closerSim(bg);
    const hook = sim.webhookStatus().url;
    sim.setWebhook(undefined);
    try {
      await closerApi(bg, 'PUT', `/openapi/conversation/${second.nativeId}`, { notes: 'seen by poll first' });
      await updates.waitFor((es) => es.some((e) => e.id === second.id), 'the poll to find it');
      const raw = await closerApi(bg, 'GET', `/openapi/conversation/${second.nativeId}`);
      expect((await post(batch([{ event: 'bot.conversation.updated', data: { conversation: raw } }]))).status).toBe(200);
      const p1 = polls();
      await waitFor(() => polls() >= p1 + 2, 'two more polls');
      expect(updates.events.filter((e) => e.id === second.id)).toHaveLength(1);
    } finally {
      sim.setWebhook(hook);
    }
  });
});

describe('CLOSER_WEBHOOK_SECRET', () => {
  let secured: TestBotgraph;
  beforeAll(async () => {
    secured = await startTestBotgraph({ ...FAST_POLLS, BOTGRAPH_PROVIDERS: 'closer', CLOSER_WEBHOOK_SECRET: 's3cret-value' });
  });

  it('refuses a missing or wrong secret with 401, accepts it by header only (never ?secret=)', async () => {
    const body = JSON.stringify({ id: 'b1', messages: [] });
    const send = async (query: string, headers: Record<string, string> = {}) =>
      (await fetch(`${secured.url}/webhooks/closer${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }))
        .status;
    expect(await send('')).toBe(401);
    expect(await send('?secret=wrong')).toBe(401);
    expect(await send('?secret=s3cret-valu')).toBe(401);
    expect(await send('', { 'x-botgraph-webhook-secret': 'S3CRET-VALUE' })).toBe(401);
    expect(await send('?secret=s3cret-value', { 'x-botgraph-webhook-secret': 'wrong' })).toBe(401);
    expect(await send('', { 'x-botgraph-webhook-secret': 's3cret-value' })).toBe(200);
    // A URL lands in proxy logs: the query-string form is refused even with the right value.
    expect(await send('?secret=s3cret-value')).toBe(401);
    // Checked before the body is read: an unauthenticated junk body is still 401.
    expect((await fetch(`${secured.url}/webhooks/closer`, { method: 'POST', body: '{junk' })).status).toBe(401);
  });

  it("the embedded simulator's deliveries carry the secret and are accepted", async () => {
    const conv = (await conversationsOf(secured, 'CLOSER', ['ACTIVE'])).find((c) => c.handoff === 'BOT')!;
    const c = wsClient(secured);
    try {
      const updates = collectOn<Conv>(c, SUB_CONVERSATIONS);
      await subscribed(secured, 1, 'conv:CLOSER');
      secured.sim('CLOSER').faults.set({ errorRate: 1, errorStatus: 503, routes: CLOSER_READS });
      const sim = closerSim(secured);
      expect(sim.webhookStatus().url).not.toContain('secret');
      await closerApi(secured, 'PUT', `/openapi/conversation/${conv.nativeId}/manual`, { status: 'HANDOVER' });
      await updates.waitFor((es) => es.some((e) => e.id === conv.id), 'the webhook event');
      expect(sim.webhookStatus()).toMatchObject({ disabled: false, failed: 0 });
      expect(sim.webhookStatus().delivered).toBeGreaterThan(0);
    } finally {
      secured.sim('CLOSER').faults.clear();
      await c.dispose();
    }
  });
});
