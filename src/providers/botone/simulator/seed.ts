/**
 * The seeded history: about 420 conversations over the 90 days before `now`, walked through the
 * bots' real flows so that their collected data reads like real use. Same `seed` and `now`, same
 * data, byte for byte.
 */
import { DAY_MS, MINUTE_MS, historyStarts, recentStarts, type HistoryWindow } from '../../../simulators/common/history.js';
import { deriveRng, type Rng } from '../../../simulators/common/rng.js';
import { BOTS, CITIES, SOURCES, makePersona } from './scripts.js';
import { BotoneStore, DEMO_VERTEX_TOKEN, type Conversation, type ConversationStatus } from './store.js';

const DAY = DAY_MS;
const CONVERSATIONS = 420;

/**
 * How many seeded conversations are live: started 5 to 30 minutes before `now` and still going
 * (in process or with an operator). A live instance always has some; without them a fresh botgraph
 * would show no Bot.one conversation among the newest across providers.
 */
const RECENT = 8;

/**
 * Bot.one's respondents are in Russia: hours are Moscow time, traffic grows over the quarter (the
 * last day is about twice as busy as the first), and times are whole seconds, as the vendor prints them.
 */
const HISTORY: Omit<HistoryWindow, 'now'> = { utcOffsetHours: 3, quietMs: 20 * MINUTE_MS, growth: 2, resolutionMs: 1000 };

/** The seeded start times, oldest first, each marked whether it is one of the RECENT live ones. */
function createdTimes(rng: Rng, now: number): Array<{ createdAt: number; live: boolean }> {
  const live = recentStarts(rng, RECENT, now, 5 * MINUTE_MS, 30 * MINUTE_MS, 1000).map((createdAt) => ({ createdAt, live: true }));
  const past = historyStarts(rng, CONVERSATIONS - RECENT, { now, ...HISTORY }).map((createdAt) => ({ createdAt, live: false }));
  return [...past, ...live].sort((a, b) => a.createdAt - b.createdAt);
}

/** Plays one conversation through its bot's flow, up to the state it should end in. */
function play(store: BotoneStore, c: Conversation, status: ConversationStatus, rng: Rng, now: number): void {
  let t = c.createdAt;
  const later = (min: number, max: number) => {
    // Never past `now`: a recent conversation simply has faster replies.
    t = Math.min(t + rng.int(min, max) * 1000, now - 120_000);
    return t;
  };
  const steps = BOTS.find((b) => b.id === c.botId)!.steps.length;
  const operatorTalk = (turns: number) => {
    for (let i = 0; i < turns; i++) {
      const line = BOTS.find((b) => b.id === c.botId)!.operatorTurns[i];
      if (!line) break;
      store.operatorSay(c, line[0], later(20, 240));
      if (i < turns - 1 || rng.chance(0.6)) store.answerPending(c, rng, later(10, 120));
    }
  };

  c.started = true;
  if (status === 'completed') {
    const detour = rng.chance(0.12) ? rng.int(2, steps - 2) : -1;
    let asked = 0;
    while (store.askNext(c, rng, later(1, 4))) {
      if (asked++ === detour) {
        store.requestOperator(c, rng, later(5, 60));
        operatorTalk(4);
        // The operator closes the conversation; the bot says nothing more.
        store.complete(c, later(30, 300), false);
        return;
      }
      store.answerPending(c, rng, later(4, 90));
    }
    store.complete(c, later(1, 3), true);
    return;
  }

  // Unfinished conversations stop somewhere inside the flow.
  const answered = rng.int(status === 'interrupted' ? 1 : 0, steps - 3);
  for (let i = 0; i < answered; i++) {
    if (!store.askNext(c, rng, later(1, 4))) break;
    store.answerPending(c, rng, later(4, 90));
  }
  if (status === 'operator') {
    if (!store.pending(c)) store.askNext(c, rng, later(1, 4));
    store.requestOperator(c, rng, later(5, 60));
    operatorTalk(rng.int(0, 3));
    return;
  }
  store.askNext(c, rng, later(1, 4));
  if (status === 'interrupted') store.interrupt(c);
}

export function seedBotone(store: BotoneStore, seed: number, now: number): void {
  const times = createdTimes(deriveRng(seed, 'history'), now);
  const recent: Conversation[] = [];
  let id = 120;
  let number = 101;
  for (const { createdAt, live } of times) {
    // Each conversation draws from its own generator, so that one conversation's length (which
    // depends on `now`) never changes what the conversations after it are.
    const rng = deriveRng(seed, `conversation:${number}`);
    const age = now - createdAt;
    // Old conversations are mostly finished; some stay "in-process" forever (a respondent who just
    // stopped answering; the vendor's own example shows one 10 days old) or wait for an operator.
    const status = rng.weighted<ConversationStatus | 'created'>(
      live
        ? [
            ['in-process', 35],
            ['operator', 20],
          ]
        : age < 2 * DAY
          ? [
              ['in-process', 35],
              ['operator', 20],
              ['completed', 30],
              ['interrupted', 8],
              ['created', 7],
            ]
          : [
              ['completed', 64],
              ['interrupted', 18],
              ['in-process', 9],
              ['operator', 7],
              ['created', 2],
            ],
    );
    const city = rng.weighted(CITIES.map((c) => [c, c.weight] as const));
    const c: Conversation = {
      id,
      uuid: rng.uuid(),
      number,
      botId: rng.weighted([
        [1446, 5],
        [1447, 4],
        [1448, 3],
      ]),
      status: status === 'created' ? 'in-process' : status,
      ip: `${city.net[0]}.${city.net[1]}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
      location: city.en,
      source: rng.weighted(SOURCES),
      createdAt,
      updatedAt: null,
      respondentAt: null,
      started: false,
      data: [],
      step: 0,
      persona: makePersona(rng, city),
      variables: {},
    };
    if (status === 'created' && id % 2 === 0) {
      // A web visitor who opened the chat and published nothing yet: `updated: ""` with a real IP
      // and city, `in-process`, and a duration that counts on, like the document's "#319 Perm"
      // (`"updated": ""`, `"duration": 935037`, `"source": "web"`).
      Object.assign(c, { source: 'web' });
    } else if (status === 'created') {
      // Made with GET …/create and never started: no respondent yet, no data, `updated: ""`.
      Object.assign(c, { ip: '', location: 'Unknown', source: 'api' });
    } else {
      play(store, c, status, rng, now);
    }
    store.add(c);
    if (c.status === 'in-process' && c.started) recent.push(c);
    // Deleted conversations leave gaps in the ids but not in the display numbers, which is why the
    // vendor's "#318 Meppel" has id 341.
    id += rng.chance(0.08) ? rng.int(2, 4) : 1;
    number += 1;
  }

  // External custom blocks are running in a few live conversations. The newest one gets the fixed,
  // documented demo token so that a developer can try the Vertex endpoints by hand.
  const live = recent.filter((c) => store.pending(c)).sort((a, b) => b.id - a.id);
  live.forEach((c, i) => {
    if (i === 0) store.startBlock(c, DEMO_VERTEX_TOKEN);
    // One token of each kind the document shows: 56 letters, and a JWT naming the dialog.
    else if (i === 1) store.startBlock(c, tokenFrom(deriveRng(seed, 'blocks')));
    else if (i === 2) store.startBlock(c);
  });
}

function tokenFrom(rng: Rng): string {
  let token = '';
  for (let i = 0; i < 56; i++) token += String.fromCharCode(97 + rng.int(0, 25));
  return token;
}
