/**
 * CLOSER simulator, webhooks: batches POSTed to a real node:http receiver, the events each write
 * and the live activity emit, retries, and the webhook switching itself off after the last retry.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait.js';
import { CLOSER_DEFAULT_WEBHOOK_ID, startCloserSimulator, type CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import {
  WEBHOOK_EVENT_TYPES,
  type Conversation,
  type EndUser,
  type Message,
  type Page,
  type WebhookBatch,
} from '../../../src/providers/closer/simulator/types.js';

interface Received {
  headers: IncomingHttpHeaders;
  batch: WebhookBatch;
}

/** A webhook receiver that records every request and answers with the status `respond` picks. */
class Receiver {
  readonly received: Received[] = [];
  respond: (n: number) => number = () => 200;
  /** Called with each batch before it is answered (while its sender waits for the answer). */
  onBatch: (batch: WebhookBatch) => void = () => {};
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBatch;
        this.received.push({ headers: req.headers, batch });
        this.onBatch(batch);
        res.writeHead(this.respond(this.received.length));
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/closer`;
    return this;
  }

  events() {
    return this.received.flatMap((r) => r.batch.messages);
  }

  clear(): void {
    this.received.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const until = async (check: () => boolean, timeoutMs = 3000): Promise<void> => {
  await waitFor(check, 'the webhook condition', timeoutMs, 10);
};

const NOW = Date.parse('2026-03-01T00:00:00.000Z');
let sim: CloserSimulator;
let receiver: Receiver;

const call = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
  const res = await fetch(sim.url + path, {
    method,
    headers: { 'X-API-Key': sim.apiKey, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
};
const active = async (manual: string) => (await call<Page<Conversation>>(`/openapi/conversations?status=ACTIVE&manual=${manual}&limit=100`)).data;

beforeAll(async () => {
  receiver = await new Receiver().start();
  sim = await startCloserSimulator({ seed: 3, now: NOW, webhookBatchMs: 20, webhookRetryDelaysMs: [10, 10, 10] });
});
afterEach(async () => {
  // The receiver sees a batch a moment before the simulator has read the answer and counted it, and
  // a batch may still be retried: the next test's counters must start from rest. The signal is a
  // marker change (a console edit of a bot) delivered last: batches go one at a time in order, so
  // when the receiver gets the marker every earlier batch is counted, and the count the simulator
  // showed at that moment plus one is the count at rest.
  receiver.respond = () => 200;
  const marker = `settle ${Date.now()}`;
  let atMarker: number | undefined;
  receiver.onBatch = (batch) => {
    if (JSON.stringify(batch.messages).includes(marker)) atMarker = sim.webhookStatus().delivered;
  };
  sim.setWebhook(receiver.url);
  sim.console.updateBot(sim.botIds[0]!, { description: marker });
  await waitFor(() => atMarker !== undefined && sim.webhookStatus().delivered === atMarker + 1, 'the marker batch to be delivered and counted');
  sim.setWebhook(undefined);
  receiver.onBatch = () => {};
  receiver.clear();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe('webhook delivery', () => {
  it('sends nothing while no URL is set', async () => {
    const [c] = await active('HANDOVER');
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '무음' } });
    expect(sim.webhookStatus()).toEqual({ disabled: false, delivered: 0, failed: 0 });
    // No fixed wait: a URL set now and a later change (a marker) being delivered, alone, proves the
    // silent change was never queued (events go out in order, so it would have come first).
    sim.setWebhook(receiver.url);
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '표시' } });
    await until(() => receiver.received.length >= 1);
    const delivered = JSON.stringify(receiver.received);
    expect(delivered).toContain('표시');
    expect(delivered).not.toContain('무음');
  });

  it('POSTs a message send as one batch: message.sent then conversation.updated, in the documented format', async () => {
    sim.setWebhook(receiver.url);
    // Counted from here: the test before delivered its marker batch.
    const deliveredBefore = sim.webhookStatus().delivered;
    const [c] = await active('HANDOVER');
    const sent = await call<Message>(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '안녕하세요' } });
    await until(() => receiver.received.length >= 1);
    const [{ headers, batch }] = receiver.received as [Received];
    expect(headers['user-agent']).toBe('CLOSER/webhook');
    expect(headers['content-type']).toBe('application/json');
    expect(batch).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      webhookId: CLOSER_DEFAULT_WEBHOOK_ID,
      webhookUrl: receiver.url,
      messages: expect.any(Array),
    });
    expect(batch.messages.map((e) => e.event)).toEqual(['bot.message.sent', 'bot.conversation.updated']);
    const [msgEvent, convEvent] = batch.messages;
    expect(msgEvent).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      event: 'bot.message.sent',
      sourceType: 'bot',
      sourceId: c!.botId,
      timestamp: sent.timestamp,
      data: { message: sent },
    });
    const now = await call<Conversation>(`/openapi/conversation/${c!.id}`);
    expect(convEvent!.data).toEqual({ conversation: now });
    expect(sim.webhookStatus()).toEqual({ url: receiver.url, disabled: false, delivered: deliveredBefore + 1, failed: 0 });
  });

  it('emits agent_call_connected on HANDOVER, agent_call_disconnected after it, agent_call_cancelled for a withdrawn request', async () => {
    sim.setWebhook(receiver.url);
    const [none] = await active('NONE');
    const [requested] = await active('REQUESTED');
    await call(`/openapi/conversation/${none!.id}/manual`, 'PUT', { status: 'HANDOVER' });
    await call(`/openapi/conversation/${none!.id}/manual`, 'PUT', { status: 'NONE' });
    await call(`/openapi/conversation/${requested!.id}/manual`, 'PUT', { status: 'NONE' });
    await until(() => receiver.events().length >= 6);
    const events = receiver.events();
    expect(events.map((e) => [e.event, 'conversation' in e.data ? e.data.conversation.id : null])).toEqual([
      ['bot.conversation.agent_call_connected', none!.id],
      ['bot.conversation.updated', none!.id],
      ['bot.conversation.agent_call_disconnected', none!.id],
      ['bot.conversation.updated', none!.id],
      ['bot.conversation.agent_call_cancelled', requested!.id],
      ['bot.conversation.updated', requested!.id],
    ]);
    // Each event is a snapshot of its moment, not the conversation's final state.
    const first = events[0]!.data as { conversation: Conversation };
    expect(first.conversation.context.manual.status).toBe('HANDOVER');
  });

  it('emits conversation.updated for PUT conversation and navigation', async () => {
    sim.setWebhook(receiver.url);
    const [c] = await active('NONE');
    await call(`/openapi/conversation/${c!.id}`, 'PUT', { tags: ['웹훅'] });
    await call(`/openapi/conversation/${c!.id}/navigation`, 'PUT', { flowId: c!.navigation.current!.flowId });
    await until(() => receiver.events().length >= 2);
    const events = receiver.events();
    expect(events.map((e) => e.event)).toEqual(['bot.conversation.updated', 'bot.conversation.updated']);
    expect((events[0]!.data as { conversation: Conversation }).conversation.tags).toEqual(['웹훅']);
  });

  it('a message to an end user whose conversation is closed: end_user.updated, conversation.created, message.sent, conversation.updated', async () => {
    sim.setWebhook(receiver.url);
    const completed = new Set((await call<Page<Conversation>>('/openapi/conversations?status=COMPLETED&limit=100')).data.map((c) => c.id));
    const user = (await call<Page<EndUser>>('/openapi/endusers?limit=100')).data.find((u) => completed.has(u.lastConversationId ?? ''))!;
    const sent = await call<Message>('/openapi/message', 'POST', { endUserId: user.id, data: { type: 'text', text: '새 대화' } });
    await until(() => receiver.events().length >= 4);
    const events = receiver.events();
    expect(events.map((e) => e.event)).toEqual(['bot.end_user.updated', 'bot.conversation.created', 'bot.message.sent', 'bot.conversation.updated']);
    expect((events[0]!.data as { endUser: EndUser }).endUser.lastConversationId).toBe(sent.conversationId);
    expect((events[1]!.data as { conversation: Conversation }).conversation).toMatchObject({
      id: sent.conversationId,
      context: { status: 'ACTIVE' },
    });
    for (const e of events) expect(e.sourceId).toBe(user.botId);
  });

  it('gathers events of a short window into one batch', async () => {
    // Its own simulator with a wide window: two concurrent writes on a loaded machine can land more
    // than the shared simulator's 20 ms apart, and the point here is the batching, not the window.
    const wide = await startCloserSimulator({ seed: 3, now: NOW, webhookBatchMs: 2000, webhookUrl: receiver.url });
    try {
      const write = (id: string, text: string) =>
        fetch(`${wide.url}/openapi/conversation/${id}/message`, {
          method: 'POST',
          headers: { 'X-API-Key': wide.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ data: { type: 'text', text } }),
        });
      const listed = await fetch(`${wide.url}/openapi/conversations?status=ACTIVE&manual=HANDOVER&limit=100`, {
        headers: { 'X-API-Key': wide.apiKey },
      });
      const [a, b] = ((await listed.json()) as Page<Conversation>).data;
      const answers = await Promise.all([write(a!.id, '하나'), write(b!.id, '둘')]);
      expect(answers.map((r) => r.status)).toEqual([201, 201]);
      await until(() => receiver.events().length >= 4);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.batch.messages).toHaveLength(4);
    } finally {
      await wide.close();
    }
  });

  it('retries a failed batch with the same id, up to 3 times', async () => {
    sim.setWebhook(receiver.url);
    receiver.respond = (n) => (n <= 2 ? 500 : 200);
    const before = sim.webhookStatus();
    const [c] = await active('HANDOVER');
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '재시도' } });
    await until(() => receiver.received.length >= 3);
    expect(new Set(receiver.received.map((r) => r.batch.id)).size).toBe(1);
    await until(() => sim.webhookStatus().delivered === before.delivered + 1);
    expect(receiver.received).toHaveLength(3);
    expect(sim.webhookStatus()).toMatchObject({ disabled: false, failed: before.failed + 2 });
  });

  it('disables the webhook after the first attempt and 3 retries fail; a new URL re-enables it', async () => {
    sim.setWebhook(receiver.url);
    receiver.respond = () => 503;
    const before = sim.webhookStatus();
    const [c] = await active('HANDOVER');
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '실패' } });
    await until(() => sim.webhookStatus().disabled);
    expect(receiver.received).toHaveLength(4);
    expect(sim.webhookStatus()).toEqual({ url: receiver.url, disabled: true, delivered: before.delivered, failed: before.failed + 4 });
    // Disabled: later changes are not sent.
    receiver.respond = () => 200;
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '무시됨' } });
    expect(receiver.received).toHaveLength(4);
    sim.setWebhook(receiver.url);
    expect(sim.webhookStatus().disabled).toBe(false);
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '다시' } });
    await until(() => receiver.received.length === 5);
    // No fixed wait for the change made while disabled: the next delivery (the marker '다시') holds
    // only the later change, so the earlier one was dropped, not queued.
    expect(JSON.stringify(receiver.received[4])).toContain('다시');
    expect(JSON.stringify(receiver.received.slice(4))).not.toContain('무시됨');
    await until(() => sim.webhookStatus().delivered === before.delivered + 1);
    expect(sim.webhookStatus().disabled).toBe(false);
  });

  it('counts an unreachable receiver as failed attempts and disables the webhook', async () => {
    const dead = await new Receiver().start();
    const deadUrl = dead.url;
    await dead.close();
    const before = sim.webhookStatus();
    sim.setWebhook(deadUrl);
    const [c] = await active('HANDOVER');
    await call(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '없음' } });
    await until(() => sim.webhookStatus().disabled);
    expect(sim.webhookStatus()).toEqual({ url: deadUrl, disabled: true, delivered: before.delivered, failed: before.failed + 4 });
  });

  it('takes webhookUrl and webhookId as options', async () => {
    const other = await startCloserSimulator({ now: NOW, webhookUrl: receiver.url, webhookId: 'hook-1', webhookBatchMs: 5 });
    try {
      const res = await fetch(`${other.url}/openapi/conversations?status=ACTIVE&manual=HANDOVER`, { headers: { 'X-API-Key': other.apiKey } });
      const [c] = ((await res.json()) as Page<Conversation>).data;
      await fetch(`${other.url}/openapi/conversation/${c!.id}/manual`, {
        method: 'PUT',
        headers: { 'X-API-Key': other.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'NONE' }),
      });
      await until(() => receiver.received.length >= 1);
      expect(receiver.received[0]!.batch.webhookId).toBe('hook-1');
      expect(receiver.events().map((e) => e.event)).toEqual(['bot.conversation.agent_call_disconnected', 'bot.conversation.updated']);
    } finally {
      await other.close();
    }
  });
});

/** The structure of a JSON value: key names and value types; `params` (free-form) and `tags` (any length) stay opaque. */
function shape(value: unknown, key = ''): unknown {
  if (key === 'params') return 'params';
  if (key === 'tags') return Array.isArray(value) && value.every((t) => typeof t === 'string') ? 'string[]' : 'not string[]';
  if (Array.isArray(value)) return value.map((v) => shape(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v, k)]));
  }
  return value === null ? 'null' : typeof value;
}

describe('fixture test/fixtures/closer/webhook-batch.json', () => {
  it('has the structure the simulator sends for a handover then an agent message', async () => {
    const fixture = JSON.parse(readFileSync(new URL('../../fixtures/closer/webhook-batch.json', import.meta.url), 'utf8')) as WebhookBatch;
    // Its own simulator with a wide window: on a loaded machine the two writes can land more than
    // the shared simulator's 20 ms apart, and the fixture is one batch of both.
    const wide = await startCloserSimulator({ seed: 3, now: NOW, webhookBatchMs: 2000, webhookUrl: receiver.url });
    try {
      const send = async (path: string, method: string, body: unknown) => {
        const res = await fetch(wide.url + path, {
          method,
          headers: { 'X-API-Key': wide.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBeLessThan(300);
      };
      const listed = await fetch(`${wide.url}/openapi/conversations?status=ACTIVE&manual=REQUESTED&limit=100`, {
        headers: { 'X-API-Key': wide.apiKey },
      });
      const [c] = ((await listed.json()) as Page<Conversation>).data;
      await send(`/openapi/conversation/${c!.id}/manual`, 'PUT', { status: 'HANDOVER' });
      await send(`/openapi/conversation/${c!.id}/message`, 'POST', { data: { type: 'text', text: '안녕하세요' } });
      await until(() => receiver.events().length >= 4, 10_000);
    } finally {
      await wide.close();
    }
    expect(receiver.received).toHaveLength(1);
    expect(shape(receiver.received[0]!.batch)).toEqual(shape(fixture));
    expect(receiver.events().map((e) => e.event)).toEqual(fixture.messages.map((e) => e.event));
  });
});

describe('webhooks from live activity', () => {
  it('emits new end users, new conversations, received and sent messages, agent requests and connections', async () => {
    const live = await startCloserSimulator({
      now: NOW,
      seed: 11,
      activity: true,
      activityIntervalMs: 4,
      webhookBatchMs: 10,
      webhookUrl: receiver.url,
    });
    try {
      const wanted = [
        'bot.end_user.created',
        'bot.conversation.created',
        'bot.message.received',
        'bot.message.sent',
        'bot.conversation.updated',
        'bot.conversation.agent_call_requested',
        'bot.conversation.agent_call_connected',
      ];
      await until(() => {
        const seen = new Set(receiver.events().map((e) => e.event));
        return wanted.every((w) => seen.has(w as never));
      }, 5000);
      for (const e of receiver.events()) expect(WEBHOOK_EVENT_TYPES).toContain(e.event);
      // What a webhook announced is what the API shows.
      const created = receiver.events().find((e) => e.event === 'bot.conversation.created')!;
      const conv = (created.data as { conversation: Conversation }).conversation;
      const res = await fetch(`${live.url}/openapi/conversation/${conv.id}`, { headers: { 'X-API-Key': live.apiKey } });
      expect(res.status).toBe(200);
      const received = receiver.events().find((e) => e.event === 'bot.message.received')!;
      const msg = (received.data as { message: Message }).message;
      expect(msg.isUser).toBe(true);
      const list = await fetch(`${live.url}/openapi/messages?conversationId=${msg.conversationId}&limit=100`, {
        headers: { 'X-API-Key': live.apiKey },
      });
      expect(((await list.json()) as Page<Message>).data.map((m) => m.id)).toContain(msg.id);
    } finally {
      await live.close();
    }
  });
});

describe('all 14 event types', () => {
  it('emits every type the digest lists, from API writes, live activity and console-side changes', async () => {
    // The digest (../shared/providers/README.md): "There are 14 event types: `bot.updated`,
    // `bot.deleted`, `bot.end_user.created|updated|deleted`, `bot.conversation.created|updated|deleted`,
    // `bot.conversation.agent_call_requested|agent_call_connected|agent_call_cancelled|agent_call_disconnected`,
    // `bot.message.sent` (from the bot or an agent) and `bot.message.received` (from the end user)."
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(14);
    const live = await startCloserSimulator({
      now: NOW,
      seed: 11,
      activity: true,
      activityIntervalMs: 4,
      webhookBatchMs: 10,
      webhookUrl: receiver.url,
    });
    const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
      const res = await fetch(live.url + path, { headers: { 'X-API-Key': live.apiKey } });
      return { status: res.status, body: (await res.json()) as T };
    };
    try {
      const [bot, other] = live.botIds as [string, string];
      live.console.updateBot(bot, { description: '상담 봇 (수정됨)' });
      const users = (await get<Page<EndUser>>(`/openapi/endusers?botId=${other}&limit=1`)).body.data;
      live.console.deleteEndUser(users[0]!.id);
      const convs = (await get<Page<Conversation>>(`/openapi/bot/${other}/conversation?limit=1`)).body.data;
      live.console.deleteConversation(convs[0]!.id);
      live.console.deleteBot(other);
      await until(() => new Set(receiver.events().map((e) => e.event)).size === WEBHOOK_EVENT_TYPES.length, 15_000);
      const byType = (t: string) => receiver.events().filter((e) => e.event === t);
      expect((byType('bot.updated')[0]!.data as { bot: { description: string } }).bot.description).toBe('상담 봇 (수정됨)');
      expect(byType('bot.deleted')[0]!.sourceId).toBe(other);
      // What the events announce is what the API then shows.
      expect((await get(`/openapi/bot/${other}`)).status).toBe(404);
      expect((await get(`/openapi/enduser/${users[0]!.id}`)).status).toBe(404);
      expect((await get(`/openapi/conversation/${convs[0]!.id}`)).status).toBe(404);
      expect((byType('bot.conversation.deleted')[0]!.data as { conversation: Conversation }).conversation.id).toBe(convs[0]!.id);
    } finally {
      await live.close();
    }
  });
});
