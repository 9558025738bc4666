/**
 * The moves a conversation is made of (greet, open a topic, answer a step, hand over, close), each
 * written as the tracker events Bot Builder would log for it. The seed strings them into whole
 * histories; live activity plays one move at a time on a stored conversation.
 */
import type { Rng } from '../../../simulators/common/rng.js';
import { AGREE, ANYTHING_ELSE, GOODBYES, GREETINGS, HANDOFF, HANDOVER_BOT, THANKS, WAITING, type Domain, type Topic } from './content.js';
import { tidFor, type ConversationDraft } from './tracker.js';

export class Dialogue {
  constructor(
    private readonly rng: Rng,
    private readonly domain: Domain,
    private readonly d: ConversationDraft,
    /** Live activity writes at "now": no invented thinking time, or events would land in the future. */
    private readonly live = false,
  ) {}

  private wait(minSeconds: number, maxSeconds: number): void {
    if (!this.live) this.d.pause(minSeconds, maxSeconds);
  }

  private tid(node: string): number {
    return tidFor(this.d.botId, node);
  }

  private think(): void {
    // Most replies come within a minute; some end users wander off for a while (the example has a 16-minute gap).
    if (this.rng.chance(0.07)) this.wait(120, 900);
    else this.wait(3, 55);
  }

  open(): void {
    this.d.sessionStart();
  }

  greet(): void {
    this.think();
    this.d.node('greetings');
    this.d.user(this.rng.pick(GREETINGS), 'greetings', this.domain.intents);
    this.d.bot(this.domain.greetingBot, this.tid('greetings'));
    this.d.listen();
  }

  /** An opener the NLU does not get: `nlu_fallback`, then `ask_affirmation` with Yes/No quick replies, then "Yes". */
  fallback(topic: Topic): void {
    this.think();
    this.d.node('nlu_fallback');
    this.d.user(this.rng.pick(this.domain.unclear), topic.intent, this.domain.intents, { fallback: true });
    this.d.typedAction('ask_affirmation', this.tid('nlu_fallback'));
    this.d.botMessage({
      text: `I am not quite sure what you are saying. Are you talking about ${topic.label}?`,
      quickReplies: [
        ['Yes', `/${topic.intent}`],
        ['No', '/advanced_nlu_fallback'],
      ],
    });
    this.d.listen();
    this.think();
    this.d.user(this.rng.pick(AGREE), 'agree', this.domain.intents);
    this.topicReply(topic);
  }

  openTopic(topic: Topic): void {
    this.think();
    this.d.user(this.rng.pick(topic.openers), topic.intent, this.domain.intents, { slot: this.domain.slot });
    this.topicReply(topic);
  }

  private topicReply(topic: Topic): void {
    this.d.node(topic.intent);
    if (topic.form) this.d.generic('active_loop', { name: topic.form });
    this.d.bot(topic.first, this.tid(topic.intent));
    this.d.listen();
  }

  /** The user answers step `index` of the topic; the bot replies. The last step ends the form and may call a backend. */
  step(topic: Topic, index: number): void {
    const step = topic.steps[index];
    if (!step) return;
    this.think();
    this.d.user(this.rng.pick(step.user), step.intent, this.domain.intents, { slot: this.domain.slot });
    if (topic.form && this.rng.chance(0.05)) {
      // The form's validation refused to run on this turn; Rasa logs it and falls back to the policy.
      this.d.generic('action_execution_rejected', { name: topic.form, policy: null, confidence: null });
    }
    const last = index === topic.steps.length - 1;
    if (last && topic.lookup) {
      this.d.typedAction(topic.lookup, this.tid(`${topic.intent}/lookup`));
      this.d.generic('followup', { name: 'action_listen' });
    }
    if (last && topic.form) {
      if (this.rng.chance(0.1)) this.d.generic('loop_interrupted', { is_interrupted: false });
      this.d.generic('active_loop', { name: null });
    }
    this.d.bot(step.bot, this.tid(`${topic.intent}/${index}`));
    this.d.listen();
  }

  /** The end user asks for a person: the `handover` action, the bot's notice, and Rasa's `pause`. */
  handover(): void {
    this.think();
    this.d.node('handover');
    this.d.user(this.rng.pick(HANDOFF), 'human_handoff', this.domain.intents);
    this.d.typedAction('handover', this.tid('handover'));
    this.d.botMessage({ text: this.rng.pick(HANDOVER_BOT) });
    // Rasa's `pause`: the bot stops answering while the agent has the conversation.
    this.d.generic('pause');
  }

  /** The end user writes while the agent has the conversation; the paused bot does not answer. */
  waiting(): void {
    this.wait(20, 240);
    this.d.user(this.rng.pick(WAITING), 'agree', this.domain.intents);
  }

  /** The agent closes a handed-over conversation: Rasa's `resume`, and the journey ends. */
  agentClose(): void {
    this.wait(60, 1200);
    this.d.generic('resume');
    this.d.ended = true;
  }

  /** Thanks → "anything else?" → goodbye; the journey ends with `->end`. */
  close(): void {
    this.think();
    this.d.node('thanks');
    this.d.user(this.rng.pick(THANKS), 'thanks', this.domain.intents);
    this.d.bot(ANYTHING_ELSE, this.tid('thanks'));
    this.d.listen();
    this.think();
    this.d.node('goodbyes');
    this.d.user(this.rng.pick(GOODBYES), 'goodbyes', this.domain.intents);
    this.d.bot({ text: `Thanks for contacting ${this.domain.brand}. Have a great day!` }, this.tid('goodbyes'));
    this.d.listen();
    if (this.rng.chance(0.3)) this.d.generic('reset_slots');
    this.d.ended = true;
  }

  /** The end user typed `/restart`: Rasa's `restart` event, then a fresh session in the same tracker. */
  restart(): void {
    this.think();
    this.d.user('/restart', 'restart', this.domain.intents);
    this.d.typedAction('restart', this.tid('restart'));
    this.d.generic('restart');
    this.d.sessionStart();
  }

  /** An inactivity reminder the bot schedules when the end user goes quiet (interrupted conversations). */
  reminder(): void {
    const at = new Date(Math.round((this.d.t + 600) * 1000)).toISOString();
    this.d.generic('reminder', {
      intent: 'EXTERNAL_inactivity',
      entities: null,
      date_time: at,
      name: 'inactivity_reminder',
      kill_on_user_msg: true,
    });
  }
}
