/**
 * The seeded history: about 420 conversations over the 90 days before `now`, walked through the
 * bots' real flows so that their collected data reads like real use. Same `seed` and `now`, same
 * data, byte for byte.
 */
import { Rng } from '../../../simulators/common/rng.js';
import { BOTS, CITIES, SOURCES, makePersona } from './scripts.js';
import { BotoneStore, DEMO_VERTEX_TOKEN, type Conversation, type ConversationStatus } from './store.js';

const DAY = 86_400_000;
const CONVERSATIONS = 420;

/** Moscow-time hours weighted the way a consumer bot is used: quiet at night, busy in the evening. */
const HOUR_WEIGHTS: Array<[number, number]> = Array.from({ length: 24 }, (_, h) => {
  const w = h < 7 ? 0.3 : h < 9 ? 1.5 : h < 18 ? 3 : h < 23 ? 4 : 1;
  return [h, w] as [number, number];
});

/** How many seeded conversations start 20 to 45 minutes before `now`. */
const RECENT = 8;

function createdTimes(rng: Rng, now: number): number[] {
  const times: number[] = [];
  // Traffic grows over the quarter: the last day is about twice as busy as the first.
  const dayWeights: Array<[number, number]> = Array.from({ length: 90 }, (_, d) => [d, 1 + d / 90] as [number, number]);
  const startDay = Math.floor((now - 90 * DAY) / DAY) * DAY;
  // A live instance always has some conversations from the last hour; without them a fresh
  // botgraph would show no Bot.one conversation among the newest across providers.
  while (times.length < RECENT) {
    times.push(Math.floor((now - rng.int(20 * 60, 45 * 60) * 1000) / 1000) * 1000);
  }
  while (times.length < CONVERSATIONS) {
    const day = rng.weighted(dayWeights);
    const hourMsk = rng.weighted(HOUR_WEIGHTS);
    const t = startDay + day * DAY + (hourMsk - 3) * 3_600_000 + rng.int(0, 3599) * 1000;
    // Keep the whole history strictly in the 90 days before now, with room for the last conversation's messages.
    if (t < now - 90 * DAY || t > now - 20 * 60_000) continue;
    times.push(Math.floor(t / 1000) * 1000);
  }
  return times.sort((a, b) => a - b);
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
  const rng = new Rng(seed);
  const times = createdTimes(rng, now);
  const recent: Conversation[] = [];
  let id = 120;
  let number = 101;
  for (const createdAt of times) {
    const age = now - createdAt;
    // Old conversations are mostly finished; some stay "in-process" forever (a respondent who just
    // stopped answering; the vendor's own example shows one 10 days old) or wait for an operator.
    const status = rng.weighted<ConversationStatus | 'created'>(
      age < 2 * DAY
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
    else if (i === 1) store.startBlock(c, tokenFrom(rng));
    else if (i === 2) store.startBlock(c);
  });
}

function tokenFrom(rng: Rng): string {
  let token = '';
  for (let i = 0; i < 56; i++) token += String.fromCharCode(97 + rng.int(0, 25));
  return token;
}
