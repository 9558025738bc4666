import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startCxoneSimulator, type CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const TOKEN = 'cxone-demo-token';
const EXAMPLE = JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8'));
const EXAMPLE_ID: string = EXAMPLE.data[0].conversationId;

type Json = any;

let sim: CxoneSimulator;
let all: Json[];

async function search(query: string, extra: Record<string, string> = {}) {
  const url = new URL('/api/public/conversations', sim.url);
  url.searchParams.set('token', TOKEN);
  url.searchParams.set('perPage', '200');
  url.searchParams.set('query', query);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

async function ids(query: string, extra: Record<string, string> = {}): Promise<string[]> {
  const res = await search(query, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.total).toBe(res.body.data.length);
  return res.body.data.map((c: Json) => c.conversationId);
}

const idsWhere = (pred: (c: Json) => boolean): string[] => all.filter(pred).map((c) => c.conversationId);
const userTexts = (c: Json): string[] => c.tracker.events.filter((e: Json) => e.event === 'user').map((e: Json) => e.text);
const actions = (c: Json): Json[] => c.tracker.events.filter((e: Json) => e.event === 'action');
const decoded = (name: string): string | undefined => {
  const m = /^(?:action|utter)_(.+)$/.exec(name);
  try {
    return m ? JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')).type : undefined;
  } catch {
    return undefined;
  }
};

beforeAll(async () => {
  sim = await startCxoneSimulator({ seed: 11, now: NOW });
  const url = new URL('/api/public/conversations', sim.url);
  url.searchParams.set('token', TOKEN);
  url.searchParams.set('perPage', '200');
  all = ((await (await fetch(url)).json()) as Json).data;
  expect(all.length).toBeGreaterThan(100);
  expect(all.length).toBeLessThanOrEqual(200);
});
afterAll(async () => {
  await sim.close();
});

describe('query: parameters and operators', () => {
  it('treats an empty or blank query as no filter', async () => {
    expect(await ids('')).toEqual(all.map((c) => c.conversationId));
    expect(await ids('   ')).toEqual(all.map((c) => c.conversationId));
  });

  it('text = matches whole words of any end-user message, case-insensitively', async () => {
    const word = /(?<![\p{L}\p{N}_])password(?![\p{L}\p{N}_])/iu;
    const expected = idsWhere((c) => userTexts(c).some((t) => word.test(t)));
    expect(expected.length).toBeGreaterThan(0);
    expect(await ids('text = password')).toEqual(expected);
    expect(await ids('TEXT = PASSWORD')).toEqual(expected);
    // A word fragment is not a word.
    expect(await ids('text = passw')).toEqual([]);
  });

  it('text ~ is a case-insensitive substring of any end-user message', async () => {
    const expected = idsWhere((c) => userTexts(c).some((t) => t.toLowerCase().includes('passw')));
    expect(expected.length).toBeGreaterThan(0);
    expect(await ids('text ~ passw')).toEqual(expected);
  });

  it('text != keeps conversations where no end-user message matches', async () => {
    const word = /(?<![\p{L}\p{N}_])hi(?![\p{L}\p{N}_])/iu;
    const expected = idsWhere((c) => !userTexts(c).some((t) => word.test(t)));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    expect(await ids('text != hi')).toEqual(expected);
  });

  it('text = matches a phrase, quoted with either quote', async () => {
    const expected = idsWhere((c) => userTexts(c).some((t) => /(?<![\p{L}\p{N}_])columbus office(?![\p{L}\p{N}_])/iu.test(t)));
    expect(expected).toContain(EXAMPLE_ID);
    expect(await ids('text = "Columbus office"')).toEqual(expected);
    expect(await ids("text = 'columbus office'")).toEqual(expected);
    // Unquoted words up to the next keyword form one value.
    expect(await ids('text = Columbus office')).toEqual(expected);
  });

  it('channel =, ~ and != compare the channel name', async () => {
    const web = idsWhere((c) => c.channel.name === 'Web chat');
    expect(web.length).toBeGreaterThan(0);
    expect(await ids('channel = "web chat"')).toEqual(web);
    expect(await ids('channel != "Web chat"')).toEqual(idsWhere((c) => c.channel.name !== 'Web chat'));
    expect(await ids('channel ~ whats')).toEqual(idsWhere((c) => c.channel.name === 'WhatsApp'));
  });

  it('customer = compares the customer name', async () => {
    expect(await ids('customer = "Anne Shirley"')).toContain(EXAMPLE_ID);
    const someone = all.find((c) => c.conversationId !== EXAMPLE_ID).customer.name;
    expect(await ids(`customer = "${someone}"`)).toEqual(idsWhere((c) => c.customer.name === someone));
    const last = someone.split(' ')[1];
    expect(await ids(`customer ~ ${last}`)).toEqual(idsWhere((c) => c.customer.name.toLowerCase().includes(last.toLowerCase())));
  });

  it('action = handover finds every conversation with a handover action (by decoded type)', async () => {
    const expected = idsWhere((c) => actions(c).some((a) => a.type === 'handover' || decoded(a.name) === 'handover'));
    expect(expected.length).toBeGreaterThan(5);
    expect(await ids('action = handover')).toEqual(expected);
    expect(await ids('action != handover')).toEqual(idsWhere((c) => !expected.includes(c.conversationId)));
  });

  it('action matches decoded types of utter_ names without a type field, and plain names', async () => {
    // The example's utter_<base64> decodes to {"hash":…,"tid":27420,"type":"message"}.
    expect(await ids('action = message')).toContain(EXAMPLE_ID);
    expect(await ids('action = ask_affirmation')).toContain(EXAMPLE_ID);
    expect((await ids('action = action_listen')).length).toBe(all.length);
    const name = actions(EXAMPLE.data[0]).find((a: Json) => a.name.startsWith('action_eyJ')).name;
    expect(await ids(`action = "${name}"`)).toContain(EXAMPLE_ID);
    expect(await ids('action ~ affirm')).toEqual(await ids('action = ask_affirmation'));
  });

  it('intent and tag filter on NLU intents and tags', async () => {
    const intent = idsWhere((c) => c.tracker.events.some((e: Json) => e.event === 'user' && e.parse_data.intent.name === 'Password_reset'));
    expect(intent.length).toBeGreaterThan(0);
    expect(await ids('intent = password_reset')).toEqual(intent);
    const tagged = idsWhere((c) => c.tags.includes('escalated'));
    expect(tagged.length).toBeGreaterThan(0);
    expect(await ids('tag = escalated')).toEqual(tagged);
  });
});

/**
 * The parameters NICE's public help page "Use Queries in Search" lists (quoted from the digest,
 * ../shared/providers/README.md): "`action`: … values `integration`, `handover`, `core_fallback`,
 * `fill_slot`; `bot_message_count`: how many outbound messages the conversation has (a number);
 * `channel`: the name, type or ID of a channel; values include … `chat`, … `sms`; `conversation`:
 * the ID of a conversation; `customer`: the name or ID of a customer; `customer_contact`: the
 * contact ID (case ID) from CXone Digital Experience; `customer_message_count`: how many inbound
 * messages (a number)", and its example `action = handover AND datetime > -14 days`.
 */
describe("query: the parameters of NICE's page", () => {
  it('conversation = <id> finds exactly that conversation; OR of several finds each', async () => {
    expect(await ids(`conversation = "${EXAMPLE_ID}"`)).toEqual([EXAMPLE_ID]);
    const two = all.slice(3, 5).map((c) => c.conversationId);
    expect(await ids(`conversation = "${two[0]}" OR conversation = "${two[1]}"`)).toEqual(two);
    expect(await ids('conversation = "chat;nope;0"')).toEqual([]);
  });

  it('bot_message_count and customer_message_count compare numbers', async () => {
    const n = all[0].botMsgCount as number;
    expect(await ids(`bot_message_count = ${n}`)).toEqual(idsWhere((c) => c.botMsgCount === n));
    expect(await ids('bot_message_count > 5')).toEqual(idsWhere((c) => c.botMsgCount > 5));
    expect(await ids('customer_message_count >= 3')).toEqual(idsWhere((c) => c.customerMsgCount >= 3));
    expect((await ids('customer_message_count >= 3')).length).toBeGreaterThan(0);
    expect(await ids('customer_message_count < 2')).toEqual(idsWhere((c) => c.customerMsgCount < 2));
    const bad = await search('bot_message_count > many');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('whole number');
  });

  it('channel matches the name, the type (chat, sms, …) or the ID', async () => {
    const web = idsWhere((c) => c.channel.name === 'Web chat');
    expect(web.length).toBeGreaterThan(0);
    expect(await ids('channel = chat')).toEqual(web);
    expect(await ids('channel = sms')).toEqual(idsWhere((c) => c.channel.name === 'SMS'));
    expect(await ids('channel = facebook-dm')).toEqual(idsWhere((c) => c.channel.name === 'Facebook Messenger'));
    const someChannel = all.find((c) => c.channel.id !== '').channel.id as string;
    expect(await ids(`channel = "${someChannel}"`)).toEqual(idsWhere((c) => c.channel.id === someChannel));
  });

  it('customer matches the name or the ID', async () => {
    const someone = all.find((c) => c.conversationId !== EXAMPLE_ID && c.customer.id !== c.customer.name).customer;
    expect(await ids(`customer = "${someone.id}"`)).toEqual(idsWhere((c) => String(c.customer.id) === String(someone.id)));
    expect(await ids(`customer = "${someone.name}"`)).toEqual(idsWhere((c) => c.customer.name === someone.name));
  });

  it('customer_contact matches the Digital Experience case ID', async () => {
    const withCase = all.find((c) => c.dfo.caseId !== '');
    expect(await ids(`customer_contact = "${withCase.dfo.caseId}"`)).toEqual(idsWhere((c) => c.dfo.caseId === withCase.dfo.caseId));
  });

  it("action takes the page's values: integration, handover, fill_slot, core_fallback", async () => {
    const integration = idsWhere((c) => actions(c).some((a) => a.type === 'integration' || decoded(a.name) === 'integration'));
    expect(integration.length).toBeGreaterThan(0);
    expect(await ids('action = integration')).toEqual(integration);
    const filled = idsWhere((c) => c.tracker.events.some((e: Json) => e.event === 'slot' && e.name !== 'last customer message'));
    expect(filled.length).toBeGreaterThan(0);
    expect(await ids('action = fill_slot')).toEqual(filled);
    const fellBack = idsWhere((c) => c.tracker.events.some((e: Json) => e.event === 'user' && e.parse_data?.intent?.name === 'nlu_fallback'));
    expect(fellBack).toContain(EXAMPLE_ID);
    expect(await ids('action = core_fallback')).toEqual(fellBack);
    // The page's own example.
    const now = sim.clock();
    expect(await ids('action = handover AND datetime > -14 days')).toEqual(
      idsWhere((c) => c.timestamp > now - 14 * DAY && actions(c).some((a) => a.type === 'handover' || decoded(a.name) === 'handover')),
    );
  });
});

describe('query: times', () => {
  it('datetime > and < take relative values against the simulated now', async () => {
    const now = sim.clock();
    expect(await ids('datetime > -14 days')).toEqual(idsWhere((c) => c.timestamp > now - 14 * DAY));
    const old = idsWhere((c) => c.timestamp < NOW - 60 * DAY);
    expect(old.length).toBeGreaterThan(0);
    expect(await ids('datetime < -60 days')).toEqual(old);
    expect(await ids('datetime > -3 hours')).toEqual(idsWhere((c) => c.timestamp > sim.clock() - 3 * 3_600_000));
    expect(await ids('datetime > -2 w')).toEqual(await ids('datetime > -14 days'));
  });

  it('lastMessageAt > -30 minutes finds the live conversations', async () => {
    const expected = idsWhere((c) => c.lastMessageAt > sim.clock() - 30 * 60_000);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(await ids('lastMessageAt > -30 minutes')).toEqual(expected);
  });

  it('datetime takes ISO 8601 and epoch ms', async () => {
    const cut = NOW - 30 * DAY;
    const expected = idsWhere((c) => c.timestamp >= cut + 1);
    expect(await ids(`datetime > ${cut}`)).toEqual(expected);
    expect(await ids(`datetime > ${new Date(cut).toISOString()}`)).toEqual(idsWhere((c) => c.timestamp >= cut + 1));
    expect(await ids(`datetime >= ${cut}`)).toEqual(idsWhere((c) => c.timestamp >= cut));
    expect(await ids(`datetime = ${EXAMPLE.data[0].timestamp}`)).toEqual([EXAMPLE_ID]);
  });

  it('a date-only value is a whole day in the requested timezone', async () => {
    // The example started 2024-07-02T18:03:46Z: 2 July in UTC, 3 July at UTC+14.
    expect(await ids('datetime = 2024-07-02')).toEqual([EXAMPLE_ID]);
    expect(await ids('datetime = 2024-07-03')).toEqual([]);
    expect(await ids('datetime = 2024-07-03', { timezone: 'Pacific/Kiritimati' })).toEqual([EXAMPLE_ID]);
    expect(await ids('datetime = 2024-07-02', { timezone: 'Pacific/Kiritimati' })).toEqual([]);
    // A wall time without an offset is read in the zone too; an explicit offset wins.
    expect(await ids('datetime = "2024-07-02 20:03"', { timezone: 'Europe/Prague' })).toEqual([EXAMPLE_ID]);
    expect(await ids('datetime = 2024-07-02T18:03Z', { timezone: 'Europe/Prague' })).toEqual([EXAMPLE_ID]);
    expect(await ids('datetime < 2024-07-03 AND datetime > 2024-07-01')).toEqual([EXAMPLE_ID]);
  });
});

describe('query: combinations', () => {
  it('AND narrows, OR widens, AND binds tighter than OR, parentheses regroup', async () => {
    const sms = (c: Json) => c.channel.name === 'SMS';
    const wa = (c: Json) => c.channel.name === 'WhatsApp';
    const esc = (c: Json) => c.tags.includes('escalated');
    expect(await ids('channel = SMS OR channel = WhatsApp AND tag = escalated')).toEqual(idsWhere((c) => sms(c) || (wa(c) && esc(c))));
    expect(await ids('(channel = SMS OR channel = WhatsApp) AND tag = escalated')).toEqual(idsWhere((c) => (sms(c) || wa(c)) && esc(c)));
    expect(await ids('channel = SMS or channel = WhatsApp')).toEqual(idsWhere((c) => sms(c) || wa(c)));
    expect(await ids('action = handover AND datetime > -14 days')).toEqual(
      idsWhere((c) => actions(c).some((a) => a.type === 'handover') && c.timestamp > sim.clock() - 14 * DAY),
    );
  });

  it('keeps the filter for every page of the scroll', async () => {
    const expected = idsWhere((c) => c.channel.name === 'Web chat');
    const url = new URL('/api/public/conversations', sim.url);
    url.searchParams.set('token', TOKEN);
    url.searchParams.set('perPage', '5');
    url.searchParams.set('query', 'channel = "Web chat"');
    let body: Json = await (await fetch(url)).json();
    const seen: string[] = [];
    for (;;) {
      expect(body.total).toBe(expected.length);
      seen.push(...body.data.map((c: Json) => c.conversationId));
      if (!body.next_page_url) break;
      const next = new URL(body.next_page_url);
      next.searchParams.set('token', TOKEN);
      body = await (await fetch(next)).json();
    }
    expect(seen).toEqual(expected);
  });

  it('quoted values may hold keywords, operators and escaped quotes', async () => {
    expect((await search('text ~ "rock AND roll"')).status).toBe(200);
    expect((await search('text ~ "a = b (c)"')).status).toBe(200);
    expect((await search('text = "say \\"hi\\""')).status).toBe(200);
    expect(await ids("text ~ I'm")).toEqual(idsWhere((c) => userTexts(c).some((t) => t.toLowerCase().includes("i'm"))));
  });
});

describe('query: malformed queries get 400 naming the problem', () => {
  it.each([
    ['foo = 1', "Unknown query parameter 'foo'"],
    ['text', 'Expected an operator'],
    ['text =', 'Missing value'],
    ['text = hello AND', 'Expected a parameter name'],
    ['text > 5', "Operator '>' is not supported for 'text'"],
    ['datetime ~ 2024', "Operator '~' is not supported for 'datetime'"],
    ['datetime > yesterdayish', "'yesterdayish' is not a time"],
    ['datetime > -3 fortnights', "Unknown time unit 'fortnights'"],
    ['datetime = 2024-02-30', 'not a valid date'],
    ['text = "unterminated', 'Unterminated quoted value'],
    ['(channel = SMS', "Expected ')'"],
    ['channel = SMS)', "Unexpected ')'"],
    ['text = a = b', "Unexpected operator '='"],
    ['text = rock and roll', "Unknown query parameter 'roll'"],
    ['= 5', 'Expected a parameter name'],
  ])('%s', async (query, fragment) => {
    const res = await search(query);
    expect(res.status).toBe(400);
    expect(res.body.status).toBe(400);
    expect(res.body.error).toBe('invalid_query');
    expect(res.body.message).toContain(fragment);
  });

  it('rejects an over-long query', async () => {
    const res = await search(`text ~ "${'x'.repeat(2100)}"`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('longer than 2000');
  });
});
