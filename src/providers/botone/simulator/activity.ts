/**
 * Live traffic: each tick is one thing a real Bot.one instance would see happen. It goes through the
 * same store methods as the API, so a poller of `/api/v2/conversations` sees it as it would in
 * production (a newer `updated`, a new conversation, a status change).
 */
import type { Rng } from '../../../simulators/common/rng.js';
import { CITIES, SOURCES, botScript, makePersona } from './scripts.js';
import type { BotoneStore, Conversation } from './store.js';

type Action = 'newConversation' | 'answer' | 'askOperator' | 'operatorTalk' | 'finish' | 'interrupt' | 'block';

/** Bot.one's live traffic, the same shape as every simulator's: `tick()` plays one piece. */
export class BotoneActivity {
  readonly tick: () => void;
  constructor(store: BotoneStore, rng: Rng) {
    this.tick = activityTick(store, rng);
  }
}

function activityTick(store: BotoneStore, rng: Rng): () => void {
  const open = (status: Conversation['status']) =>
    [...store.conversations.values()].filter(
      // A conversation held by an external custom block waits for that block, not for its respondent.
      (c) => c.status === status && c.started && !store.activeBlockFor(c),
    );

  const newConversation = () => {
    const city = rng.weighted(CITIES.map((c) => [c, c.weight] as const));
    const c = store.create(
      rng.weighted([
        [1446, 5],
        [1447, 4],
        [1448, 3],
      ]),
      {},
      true,
    );
    // A respondent opened the bot's link: unlike an API-made conversation it has a source and a place.
    c.source = rng.weighted(SOURCES);
    c.location = city.en;
    c.ip = `${city.net[0]}.${city.net[1]}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    c.persona = makePersona(rng, city);
  };

  const act: Record<Action, () => boolean> = {
    newConversation: () => {
      newConversation();
      return true;
    },
    // The respondent answers; the bot asks the next question, or finishes the flow.
    answer: () => {
      const c = pickFrom(open('in-process').filter((x) => store.pending(x)));
      if (!c) return false;
      store.answerPending(c, rng);
      if (!store.askNext(c, rng)) store.complete(c);
      return true;
    },
    askOperator: () => {
      const c = pickFrom(open('in-process'));
      if (!c) return false;
      store.requestOperator(c, rng);
      return true;
    },
    // In a conversation an operator holds, the operator writes or the respondent replies.
    operatorTalk: () => {
      const c = pickFrom(open('operator'));
      if (!c) return false;
      if (store.pending(c)) store.answerPending(c, rng);
      else {
        const turn = c.data.filter((d) => d.type === 'Operator').length;
        const line = botScript(c.botId)?.operatorTurns[turn]?.[0];
        // The operator has said all there is to say: they close the conversation.
        if (line === undefined) store.complete(c, undefined, false);
        else store.operatorSay(c, line);
      }
      return true;
    },
    finish: () => {
      const c = pickFrom([...open('operator'), ...open('in-process')]);
      if (!c) return false;
      store.complete(c);
      return true;
    },
    interrupt: () => {
      const c = pickFrom(open('in-process'));
      if (!c) return false;
      store.interrupt(c);
      return true;
    },
    // Now and then a flow reaches an external custom block; its token shows up in vertexTokens().
    block: () => {
      const running = [...store.blocks.values()].filter((b) => b.active).length;
      const c = running < 8 ? pickFrom(open('in-process')) : undefined;
      if (!c) return false;
      store.startBlock(c);
      return true;
    },
  };

  function pickFrom(items: Conversation[]): Conversation | undefined {
    return items.length === 0 ? undefined : rng.pick(items);
  }

  const weights: Array<[Action, number]> = [
    ['answer', 10],
    ['newConversation', 3],
    ['operatorTalk', 3],
    ['askOperator', 1.5],
    ['finish', 1],
    ['interrupt', 0.5],
    ['block', 0.3],
  ];

  return () => {
    // Fall back to a new conversation when the chosen action has nothing to act on, so every tick is traffic.
    if (!act[rng.weighted(weights)]()) act.newConversation();
  };
}
