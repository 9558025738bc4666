import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  ACTIVE_WINDOW_MS,
  botIdFromTracker,
  decodeActionName,
  deriveStatus,
  mapBot,
  mapConversation,
  mapEndUser,
  mapJourney,
  mapTrackerEvent,
  parseMessageId,
} from '../../../src/providers/cxone/mapper.js';
import { cxConversationSchema, cxPageSchema, type CxConversation } from '../../../src/providers/cxone/types.js';

// The vendor document's own example response, verbatim (see src/providers/cxone/simulator/example-response.md).
const fixture = JSON.parse(readFileSync(new URL('../../../src/providers/cxone/simulator/example-response.json', import.meta.url), 'utf8')) as {
  data: unknown[];
};
const page = cxPageSchema.parse(fixture);
const example = page.data[0] as CxConversation;
const CONVERSATION_ID = 'chat;wOT4JjXiVYwsgqUaOX3VHpCQd3OzYpXZqJfCK7yzIQzTofYJh4BvD6RuB4De;df3323db2a5ca2b95767dba4fdafbeb1e31ed899';
const LAST = 1719944386159;

/** A deep copy of the example with some fields replaced, re-validated like an upstream answer. */
function variant(patch: (c: Record<string, unknown> & { tracker: { events: Record<string, unknown>[] } }) => void): CxConversation {
  const copy = structuredClone(fixture.data[0]) as Record<string, unknown> & { tracker: { events: Record<string, unknown>[] } };
  patch(copy);
  return cxConversationSchema.parse(copy);
}

describe('cxone page schema', () => {
  it('accepts the example page and keeps its paging fields', () => {
    expect(page.data).toHaveLength(1);
    expect(page.total).toBe(13);
    expect(page.per_page).toBe(1);
    expect(page.scroll_id).toBe('FGluY2x1ZGVfY29udGV4dF91dWlk[truncated]');
    expect(page.next_page_url).toContain('scrollId=');
  });

  it('keeps unknown fields (loose) and rejects a record without its conversationId', () => {
    expect((example as Record<string, unknown>).isReviewed).toBe(true);
    expect((example as Record<string, unknown>).dfo).toEqual({ caseId: '', postId: '' });
    const broken = structuredClone(fixture.data[0]) as Record<string, unknown>;
    delete broken.conversationId;
    expect(cxConversationSchema.safeParse(broken).success).toBe(false);
  });

  it('accepts a numeric customer id (the document types it "숫자?") as a string', () => {
    const c = variant((c) => {
      c.customer = { id: 4711, name: 'Gilbert Blythe' };
    });
    expect(c.customer.id).toBe('4711');
  });
});

describe('mapConversation on the vendor example', () => {
  const model = mapConversation(example, { botId: null, now: LAST + 60_000 });

  it('maps the identity, scope and title', () => {
    expect(model.provider).toBe('CXONE');
    expect(model.nativeId).toBe(CONVERSATION_ID);
    // The bot comes from the tracker name `1327-<conversationId>` when the token's bot is unknown.
    expect(model.botNativeId).toBe('1327');
    expect(model.idScope).toEqual(['1327', '1719943426916']);
    expect(model.title).toBe('#13 Anne Shirley');
  });

  it('maps times, counts, channel, tags and notes', () => {
    expect(model.createdAt?.toISOString()).toBe('2024-07-02T18:03:46.916Z');
    expect(model.updatedAt?.toISOString()).toBe('2024-07-02T18:19:46.159Z');
    expect(model.durationSeconds).toBe(959);
    expect(model.messageCount).toBe(8);
    expect(model.channel).toBe('Talk to your bot');
    expect(model.tags).toEqual([]);
    expect(model.notes).toBe('');
    expect(model.collectedData).toEqual([]);
    expect(model.location).toBeNull();
    expect(model.raw).toBe(example);
  });

  it('derives COMPLETED from a journey ending in ->end, handoff BOT', () => {
    expect(model.status).toBe('COMPLETED');
    expect(model.handoff).toBe('BOT');
  });

  it('reads the journey from the transitions', () => {
    expect(model.journey).toEqual(['start__1', 'greetings__2', 'nlu_fallback__3', 'end']);
  });

  it('embeds the customer as an end user whose scope finds this conversation again', () => {
    expect(model.endUserNativeId).toBe('Anne Shirley');
    expect(model.endUser).toEqual({
      provider: 'CXONE',
      nativeId: 'Anne Shirley',
      idScope: ['1327', '1719943426916', CONVERSATION_ID],
      botNativeId: '1327',
      name: 'Anne Shirley',
      platform: null,
      channel: 'Talk to your bot',
      raw: { id: 'Anne Shirley', name: 'Anne Shirley' },
    });
  });

  it('maps all 31 tracker events with their kinds, in tracker order', () => {
    expect(model.trackerEvents).toHaveLength(31);
    expect(model.trackerEvents.map((e) => e.kind).slice(0, 10)).toEqual([
      'action',
      'session_started',
      'action',
      'slot',
      'user',
      'slot',
      'generic',
      'action',
      'bot',
      'action',
    ]);
    const generic = model.trackerEvents[6];
    expect(generic?.type).toBe('user_featurization');
    expect(generic?.timestamp.toISOString()).toBe('2024-07-02T18:03:47.074Z');
  });

  it('maps a user event with its intent, ranking, entities and message id', () => {
    const user = model.trackerEvents[4];
    expect(user?.kind).toBe('user');
    if (user?.kind !== 'user') return;
    expect(user.text).toBe('Hi');
    expect(user.intent).toEqual({ name: 'greetings', confidence: 0.999254524707794 });
    expect(user.intentRanking).toHaveLength(8);
    expect(user.intentRanking[7]).toEqual({ name: 'goodbyes', confidence: 0.000001789070665836 });
    expect(user.entities).toEqual([]);
    expect(user.messageId).toBe('454bd66a26b740bebf01b6cbb8ea055f');
    // Float epoch seconds → ms.
    expect(user.timestamp.getTime()).toBe(1719943427027);
  });

  it('maps bot events from data.custom.payload, with quick replies', () => {
    const first = model.trackerEvents[8];
    expect(first).toMatchObject({ kind: 'bot', text: 'Hi, what can I help with?', quickReplies: [] });
    const second = model.trackerEvents[15];
    expect(second).toMatchObject({
      kind: 'bot',
      text: 'I am not quite sure what you are saying. Are you talking about relief?',
      quickReplies: [
        { title: 'Yes', payload: '/relief' },
        { title: 'No', payload: '/advanced_nlu_fallback' },
      ],
    });
  });

  it('maps action events: the type field, or the type inside a base64 JSON name', () => {
    expect(model.trackerEvents[0]).toMatchObject({
      kind: 'action',
      name: 'action_session_start',
      policy: null,
      confidence: 1,
      actionType: 'session_start',
      decoded: null,
    });
    // utter_<base64> carries no `type` field in the example; it comes from the decoded name.
    expect(model.trackerEvents[7]).toMatchObject({
      kind: 'action',
      policy: 'RulePolicy',
      actionType: 'message',
      decoded: { hash: 'ba6dc692c475bcd504612f6bf7d1893a72bb2d66', tid: 27420, type: 'message' },
    });
    expect(model.trackerEvents[14]).toMatchObject({
      kind: 'action',
      name: 'action_eyJ0aWQiOjI3NDIwLCJ0eXBlIjoiYXNrX2FmZmlybWF0aW9uIn0=',
      policy: 'AugmentedMemoizationPolicy',
      actionType: 'ask_affirmation',
      decoded: { tid: 27420, type: 'ask_affirmation' },
    });
  });

  it('maps slot events, including the whole-second timestamps of `last customer message`', () => {
    const slot = model.trackerEvents[3];
    expect(slot).toMatchObject({ kind: 'slot', name: 'last customer message', value: 'Hi' });
    expect(slot?.timestamp.toISOString()).toBe('2024-07-02T18:03:46.000Z');
  });

  it('embeds one message per user/bot event, END_USER with intent and BOT with quick replies', () => {
    const messages = model.embeddedMessages ?? [];
    expect(messages).toHaveLength(8);
    expect(messages.map((m) => m.sender)).toEqual(['END_USER', 'BOT', 'END_USER', 'BOT', 'END_USER', 'BOT', 'END_USER', 'BOT']);
    expect(messages[0]).toMatchObject({
      provider: 'CXONE',
      nativeId: `${CONVERSATION_ID}#4`,
      conversationNativeId: CONVERSATION_ID,
      conversationIdScope: ['1327', '1719943426916'],
      text: 'Hi',
      intent: { name: 'greetings', confidence: 0.999254524707794 },
      quickReplies: [],
      attachments: [],
    });
    expect(messages[0]?.createdAt?.getTime()).toBe(1719943427027);
    expect(messages[3]).toMatchObject({ nativeId: `${CONVERSATION_ID}#15`, sender: 'BOT', intent: null });
    expect(messages[3]?.quickReplies).toHaveLength(2);
    expect(messages[6]?.text).toBe('I report to the NYC office');
    expect(messages[7]?.text).toBe('I am not quite sure what you are saying. Are you talking about relief?');
    expect(messages[0]?.raw).toBe(example.tracker.events[4]);
  });

  it('uses the configured bot over the tracker name', () => {
    expect(mapConversation(example, { botId: '99', now: LAST }).idScope).toEqual(['99', '1719943426916']);
  });
});

describe('status derivation', () => {
  const open = variant((c) => {
    c.journey = 'start__1->greetings__2->nlu_fallback__3';
    c.transitions = [{ name: 'start__1->greetings__2' }, { name: 'greetings__2->nlu_fallback__3' }];
  });

  it('is ACTIVE within 30 minutes of the last message and INTERRUPTED after', () => {
    expect(deriveStatus(open, LAST + ACTIVE_WINDOW_MS)).toBe('ACTIVE');
    expect(deriveStatus(open, LAST + ACTIVE_WINDOW_MS + 1)).toBe('INTERRUPTED');
    expect(mapConversation(open, { botId: null, now: LAST }).journey).toEqual(['start__1', 'greetings__2', 'nlu_fallback__3']);
  });

  const handoverEvent = () => ({
    metadata: {},
    action_text: null,
    hide_rule_turn: false,
    confidence: 1,
    name: `action_${Buffer.from('{"tid":30001,"type":"handover"}').toString('base64')}`,
    event: 'action',
    timestamp: 1719944390.5,
    policy: 'RulePolicy',
  });

  it('is WITH_OPERATOR (handoff OPERATOR) after a handover action in an open journey, however old', () => {
    const handover = variant((c) => {
      c.journey = 'start__1->greetings__2->handover__3';
      c.transitions = [];
      // No `type` field: the decoded name alone says handover.
      c.tracker.events.push(handoverEvent());
    });
    const model = mapConversation(handover, { botId: null, now: LAST + 10 * ACTIVE_WINDOW_MS });
    expect(model.status).toBe('WITH_OPERATOR');
    expect(model.handoff).toBe('OPERATOR');
    expect(model.journey).toEqual(['start__1', 'greetings__2', 'handover__3']);
  });

  it('is COMPLETED when an agent closed a handed-over conversation (journey reached end)', () => {
    const closed = variant((c) => {
      c.tracker.events.push(handoverEvent());
    });
    expect(mapConversation(closed, { botId: null, now: LAST }).status).toBe('COMPLETED');
  });

  it('reads a stated handover type too', () => {
    const typed = variant((c) => {
      c.journey = 'start__1';
      c.tracker.events.push({
        metadata: {},
        action_text: null,
        hide_rule_turn: false,
        confidence: 1,
        name: 'handover_custom',
        event: 'action',
        type: 'handover',
        timestamp: 1719944390.5,
        policy: 'RulePolicy',
      });
    });
    expect(deriveStatus(typed, LAST)).toBe('WITH_OPERATOR');
  });
});

describe('tolerance', () => {
  it('maps unknown Rasa events to generic, never failing', () => {
    const c = variant((c) => {
      c.tracker.events.push({ event: 'restart', timestamp: 1719944400.25 });
      c.tracker.events.push({ event: 'brand_new_cxone_event', timestamp: 1719944401, whatever: { nested: true } });
    });
    const model = mapConversation(c, { botId: null, now: LAST });
    const [restart, brandNew] = model.trackerEvents.slice(-2);
    expect(restart).toMatchObject({ kind: 'generic', type: 'restart' });
    expect(restart?.timestamp.getTime()).toBe(1719944400250);
    expect(brandNew).toMatchObject({ kind: 'generic', type: 'brand_new_cxone_event', raw: { whatever: { nested: true } } });
  });

  it('reads plain Rasa bot text and falls back to the journey string without transitions', () => {
    const c = variant((c) => {
      c.tracker.events.push({ event: 'bot', timestamp: 1719944402, text: 'Plain text', data: { custom: null, buttons: null } });
      c.transitions = [];
      c.lastMessageAt = null;
    });
    const model = mapConversation(c, { botId: null, now: LAST });
    expect(model.trackerEvents.at(-1)).toMatchObject({ kind: 'bot', text: 'Plain text', quickReplies: [] });
    expect(model.embeddedMessages?.at(-1)).toMatchObject({ sender: 'BOT', text: 'Plain text' });
    expect(model.journey).toEqual(['start__1', 'greetings__2', 'nlu_fallback__3', 'end']);
    // Without lastMessageAt the start time is the last known activity.
    expect(model.updatedAt?.getTime()).toBe(1719943426916);
    expect(model.durationSeconds).toBeNull();
  });
});

describe('helpers', () => {
  it('decodes base64 JSON action names and nothing else', () => {
    expect(decodeActionName('action_eyJ0aWQiOjI3NDIwLCJ0eXBlIjoiYXNrX2FmZmlybWF0aW9uIn0=')).toEqual({
      tid: 27420,
      type: 'ask_affirmation',
    });
    expect(decodeActionName('action_listen')).toBeNull();
    expect(decodeActionName('action_session_start')).toBeNull();
    expect(decodeActionName('utter_None')).toBeNull();
    expect(decodeActionName(`utter_${Buffer.from('[1,2]').toString('base64')}`)).toBeNull();
  });

  it('reads the bot id from the tracker name', () => {
    expect(botIdFromTracker(example)).toBe('1327');
    expect(botIdFromTracker({ conversationId: 'x', tracker: { name: null, events: [] } })).toBeNull();
  });

  it('parses message ids and rejects malformed ones', () => {
    expect(parseMessageId(`${CONVERSATION_ID}#15`)).toEqual({ conversationId: CONVERSATION_ID, index: 15 });
    expect(parseMessageId('no-hash')).toBeNull();
    expect(parseMessageId('#3')).toBeNull();
    expect(parseMessageId('abc#x')).toBeNull();
  });

  it('maps a configured bot without any vendor object', () => {
    expect(mapBot('1327')).toEqual({
      provider: 'CXONE',
      nativeId: '1327',
      name: 'CXone bot 1327',
      description: null,
      createdAt: null,
      updatedAt: null,
      // No bot object exists; the id is what botgraph knows.
      raw: { id: '1327' },
    });
  });

  it('maps single events and journeys on their own', () => {
    expect(mapTrackerEvent({ event: 'session_started', timestamp: 1719943427.00907 })).toMatchObject({
      kind: 'session_started',
      type: 'session_started',
    });
    expect(mapJourney({ journey: 'a__1->b__2', transitions: null })).toEqual(['a__1', 'b__2']);
    expect(mapJourney({ journey: '', transitions: [] })).toEqual([]);
    expect(mapEndUser(example, '5').idScope).toEqual(['5', '1719943426916', CONVERSATION_ID]);
  });
});
