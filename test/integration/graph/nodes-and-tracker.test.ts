/**
 * Every object a list returns can be fetched again by its global ID (`node`, `nodes`), in a request
 * of its own, for every provider and type; and CXone's tracker events of the vendor's own example
 * conversation come back as the six typed events, with their decoded parts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';
import { idParts, PROVIDERS, type Provider } from './support.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

const FIELDS = `
  __typename id
  ... on Bot { provider nativeId name }
  ... on Conversation { provider nativeId title status updatedAt }
  ... on Message { provider nativeId sender text conversation { id } }
  ... on EndUser { provider nativeId userName: name }
`;
/** The same selection where the static type is concrete (a Conversation's bot, say). */
const NODE = `... on Node { ${FIELDS} }`;

describe.each(PROVIDERS)('node(id) round trip: %s', (provider: Provider) => {
  it('fetches each Bot, Conversation, Message and EndUser a list returned, by its ID', async () => {
    const listed = await bg.gql(
      `query($p: Provider!) { conversations(first: 3, filter: { providers: [$p] }) { nodes { ${NODE} bot { ${NODE} } endUser { ${NODE} } messages(first: 2) { nodes { ${NODE} } } } } }`,
      { p: provider },
    );
    expect(listed.errors).toBeUndefined();
    const expected = new Map<string, any>();
    for (const c of listed.data.conversations.nodes) {
      const { bot, endUser, messages, ...conversation } = c;
      for (const object of [conversation, bot, endUser, ...messages.nodes]) if (object) expected.set(object.id, object);
    }
    const types = new Set([...expected.values()].map((o) => o.__typename));
    // Bot.one has no end users (docs/providers/botone.md); the others list all four types.
    expect(types).toEqual(new Set(provider === 'BOTONE' ? ['Conversation', 'Bot', 'Message'] : ['Conversation', 'Bot', 'Message', 'EndUser']));
    for (const [id, object] of expected) {
      expect(idParts(id)).toMatchObject({ provider, type: object.__typename });
      expect(object.provider).toBe(provider);
    }

    // A request of its own: nothing is primed by a list, so each is a real read by ID.
    const ids = [...expected.keys()];
    const byIds = await bg.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ${FIELDS} } }`, { ids });
    expect(byIds.errors).toBeUndefined();
    expect(byIds.data.nodes).toEqual(ids.map((id) => expected.get(id)));

    for (const id of ids.slice(0, 4)) {
      const one = await bg.gql(`query($id: ID!) { node(id: $id) { ${FIELDS} } }`, { id });
      expect(one.errors).toBeUndefined();
      expect(one.data.node).toEqual(expected.get(id));
    }
  });
});

describe('CXone tracker events of the vendor’s example conversation', () => {
  let example: any;

  beforeAll(async () => {
    const bot = (await bg.gql(`{ bots(providers: [CXONE]) { id nativeId } }`)).data.bots.find((b: any) => b.nativeId === '1327');
    // The example is from 2 July 2024, older than the seeded 90 days: the only one before 3 July.
    const res = await bg.gql(
      `query($id: ID!) { bot(id: $id) { conversations(first: 5, filter: { updatedTo: "2024-07-03" }) { totalCount nodes { id raw
        trackerEvents { __typename type timestamp raw
          ... on UserUtteranceEvent { text intent { name confidence } intentRanking { name confidence } messageId }
          ... on BotUtteranceEvent { text quickReplies { title payload } }
          ... on ActionEvent { name policy confidence actionType decoded }
          ... on SlotEvent { name value }
        } } } } }`,
      { id: bot.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.bot.conversations.totalCount).toBe(1);
    example = res.data.bot.conversations.nodes[0];
  });

  it('is conversation #13 of bot 1327', () => {
    expect(example.raw.conversationNumber).toBe(13);
    expect(example.raw.tracker.name.startsWith('1327-')).toBe(true);
    expect(example.trackerEvents).toHaveLength(example.raw.tracker.events.length);
  });

  it('has every event type, typed, in order, with the vendor event kept as raw', () => {
    const events = example.trackerEvents as any[];
    expect(new Set(events.map((e) => e.__typename))).toEqual(
      new Set(['UserUtteranceEvent', 'BotUtteranceEvent', 'ActionEvent', 'SlotEvent', 'SessionStartedEvent', 'GenericTrackerEvent']),
    );
    // The vendor's order (not strictly by time: the `last customer message` slot has whole seconds).
    expect(events.map((e) => e.raw)).toEqual(example.raw.tracker.events);
    for (const e of events) {
      expect(e.raw.event).toBe(e.type);
      expect(Date.parse(e.timestamp)).toBe(Math.round(e.raw.timestamp * 1000));
    }
  });

  it('UserUtteranceEvent carries text, intent and the intent ranking', () => {
    const users = example.trackerEvents.filter((e: any) => e.__typename === 'UserUtteranceEvent');
    expect(users.map((u: any) => u.text)).toContain('Hi');
    const ranked = users.find((u: any) => u.intentRanking.length > 1);
    expect(ranked.intent.name).toBe(ranked.intentRanking[0].name);
    for (const r of ranked.intentRanking) expect(r).toEqual({ name: expect.any(String), confidence: expect.any(Number) });
  });

  it('BotUtteranceEvent carries quick replies; ActionEvent the decoded actionType ask_affirmation', () => {
    const bots = example.trackerEvents.filter((e: any) => e.__typename === 'BotUtteranceEvent');
    expect(bots.some((b: any) => b.quickReplies.some((q: any) => q.title === 'Yes' && q.payload === '/relief'))).toBe(true);
    const actions = example.trackerEvents.filter((e: any) => e.__typename === 'ActionEvent');
    const ask = actions.find((a: any) => a.actionType === 'ask_affirmation');
    expect(ask.name.startsWith('action_')).toBe(true);
    expect(ask.decoded).toMatchObject({ type: 'ask_affirmation', tid: expect.any(Number) });
    expect(actions.find((a: any) => a.name === 'action_listen').actionType).toBe('listen');
  });

  it('SlotEvent, SessionStartedEvent and GenericTrackerEvent (user_featurization) are there', () => {
    const slot = example.trackerEvents.find((e: any) => e.__typename === 'SlotEvent');
    expect(slot.name).toEqual(expect.any(String));
    expect(slot.value).toBeDefined();
    expect(example.trackerEvents.find((e: any) => e.__typename === 'SessionStartedEvent').type).toBe('session_started');
    expect(example.trackerEvents.filter((e: any) => e.__typename === 'GenericTrackerEvent').map((e: any) => e.type)).toContain('user_featurization');
  });

  it('filters by type, and reads the same events again by ID', async () => {
    const res = await bg.gql(
      `query($id: ID!) { node(id: $id) { ... on Conversation { all: trackerEvents { type } some: trackerEvents(types: ["user", "slot"]) { type } } } }`,
      { id: example.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.node.all.map((e: any) => e.type)).toEqual(example.trackerEvents.map((e: any) => e.type));
    expect(res.data.node.some.map((e: any) => e.type)).toEqual(
      example.trackerEvents.filter((e: any) => ['user', 'slot'].includes(e.type)).map((e: any) => e.type),
    );
  });
});
