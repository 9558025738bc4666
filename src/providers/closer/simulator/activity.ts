/**
 * Live traffic for the CLOSER simulator: end users arrive and write, bots answer, end users ask for
 * an agent, agents pick up and answer, conversations complete or are abandoned. Every piece goes
 * through the store, so the HTTP reads and the webhooks see exactly what happened.
 */
import type { Rng } from '../../../simulators/common/rng.js';
import {
  AGENT_FOLLOW_UP,
  AGENT_GOODBYE,
  AGENT_GREETING,
  AGENT_REQUEST,
  AGENT_REQUEST_BOT,
  BOT_FALLBACK,
  CLOSING_BOT,
  CLOSING_QUESTION,
  CLOSING_USER,
  FOLLOW_UPS,
  OPENINGS,
  WAITING_BOT,
  type ConversationVars,
} from './content.js';
import { makeVars, nodeId, renderStep, text, topicParams, welcomeData, type BotModel } from './seed.js';
import type { CloserStore } from './store.js';
import type { Conversation } from './types.js';

/** Where a conversation the activity opened stands in its script. */
interface Script {
  model: BotModel;
  vars: ConversationVars;
  topicIndex?: number;
  /** The next step of the topic to play. */
  next: number;
}

type Action = 'newConversation' | 'userTurn' | 'requestAgent' | 'agentConnect' | 'complete' | 'interrupt';

/** Fewer open conversations than this and new ones are favoured; more than `CROWDED` and endings are. */
const QUIET = 10;
const CROWDED = 60;

export class CloserActivity {
  private readonly scripts = new Map<string, Script>();

  constructor(
    private readonly store: CloserStore,
    private readonly rng: Rng,
  ) {}

  /** One piece of traffic. */
  tick(): void {
    const active = this.store.activeConversations();
    const requested = active.filter((c) => c.context.manual.status === 'REQUESTED');
    const withBot = active.filter((c) => c.context.manual.status === 'NONE');
    const withAgent = active.filter((c) => c.context.manual.status === 'HANDOVER');
    // Someone waiting for an agent does not complete; they get one, or give up (interrupt).
    const completable = [...withBot, ...withAgent];
    const abandonable = [...withBot, ...requested];
    const crowd = active.length < QUIET ? 4 : 1;
    const ending = active.length > CROWDED ? 5 : 1;
    const choices: Array<readonly [Action, number]> = [['newConversation', 2.5 * crowd]];
    if (active.length > 0) choices.push(['userTurn', 6]);
    if (completable.length > 0) choices.push(['complete', 1.5 * ending]);
    if (withBot.length > 0) choices.push(['requestAgent', 1.2]);
    if (abandonable.length > 0) choices.push(['interrupt', 0.4 * ending]);
    if (requested.length > 0) choices.push(['agentConnect', 1.5]);
    const action = this.rng.weighted(choices);

    switch (action) {
      case 'newConversation':
        return this.newConversation();
      case 'userTurn':
        return this.userTurn(this.rng.pick(active));
      case 'requestAgent':
        return this.requestAgent(this.rng.pick(withBot));
      case 'agentConnect':
        return this.agentConnect(this.rng.pick(requested));
      case 'complete':
        // Agents wrap up their handovers about as often as bot conversations end on their own.
        return this.complete(this.rng.pick(withAgent.length > 0 && this.rng.chance(0.5) ? withAgent : completable));
      case 'interrupt':
        return this.interrupt(this.rng.pick(abandonable));
    }
  }

  private modelOf(conv: Conversation): BotModel {
    const model = this.store.models.find((m) => m.bot.id === conv.botId);
    if (!model) throw new Error(`no model for bot ${conv.botId}`);
    return model;
  }

  private scriptOf(conv: Conversation): Script {
    let script = this.scripts.get(conv.id);
    if (!script) {
      // A conversation from the seed: its topic is the flow it is in, if any; the script picks up there.
      const model = this.modelOf(conv);
      const name = this.store.getEndUser(conv.endUserId).params.name ?? '고객';
      const flowId = conv.navigation.current?.flowId;
      const topicIndex = model.topicFlows.findIndex((f) => f.id === flowId);
      script = {
        model,
        vars: makeVars(this.rng, model.spec, this.store.clock.now(), name),
        ...(topicIndex >= 0 ? { topicIndex } : {}),
        // Seeded conversations are mid-topic; the activity only adds free follow-ups to them.
        next: topicIndex >= 0 ? Number.MAX_SAFE_INTEGER : 0,
      };
      this.scripts.set(conv.id, script);
    }
    return script;
  }

  private newConversation(): void {
    const model = this.rng.pick(this.store.models);
    const idle = this.store.idleEndUsers(model.bot.id);
    const returning = idle.length > 0 && this.rng.chance(0.35) ? this.rng.pick(idle) : undefined;
    const { conversation, endUser } = this.store.startConversation(model.bot.id, returning);
    const name = endUser.params.name ?? '고객';
    const vars = makeVars(this.rng, model.spec, this.store.clock.now(), name);
    this.scripts.set(conversation.id, { model, vars, next: 0 });
    this.store.addMessage(conversation.id, 'user', text(OPENINGS, vars, this.rng));
    this.moveTo(conversation.id, model.welcome.id, nodeId(1));
    this.store.addMessage(conversation.id, 'bot', welcomeData(model));
  }

  /** The end user's next line, and whoever answers it: the bot, or the agent during a handover. */
  private userTurn(conv: Conversation): void {
    const script = this.scriptOf(conv);
    const { model, vars } = script;
    const manual = conv.context.manual.status;
    if (manual === 'REQUESTED') {
      this.store.addMessage(conv.id, 'user', { type: 'text', text: '아직인가요?' });
      this.store.addMessage(conv.id, 'bot', text(WAITING_BOT, vars, this.rng));
      return;
    }
    if (manual === 'HANDOVER') {
      const topic = script.topicIndex !== undefined ? model.spec.topics[script.topicIndex] : undefined;
      this.store.addMessage(conv.id, 'user', text(topic && this.rng.chance(0.5) ? topic.agentIssue : FOLLOW_UPS, vars, this.rng));
      this.store.addMessage(conv.id, 'agent', text(topic && this.rng.chance(0.5) ? topic.agentAnswer : AGENT_FOLLOW_UP, vars, this.rng));
      return;
    }
    if (script.topicIndex === undefined) {
      // The end user taps a menu button: the conversation enters that topic's flow.
      script.topicIndex = this.rng.int(0, model.spec.topics.length - 1);
      const topic = model.spec.topics[script.topicIndex];
      this.store.addMessage(conv.id, 'user', { type: 'text', text: topic?.title ?? '문의' });
      if (topic) this.store.updateConversation(conv.id, { params: topicParams(topic, vars) });
      script.next = 0;
      this.playBotSteps(conv, script);
      return;
    }
    const topic = model.spec.topics[script.topicIndex];
    const flow = model.topicFlows[script.topicIndex];
    if (!topic || !flow) return;
    const step = topic.steps[script.next];
    if (step && step.from === 'user') {
      this.moveTo(conv.id, flow.id, nodeId(step.node));
      this.store.addMessage(conv.id, 'user', renderStep(step, vars, this.rng));
      script.next++;
      this.playBotSteps(conv, script);
      return;
    }
    if (script.next >= topic.steps.length && script.next !== Number.MAX_SAFE_INTEGER) {
      // The script ran out: the bot wraps up and the conversation completes.
      this.complete(conv);
      return;
    }
    this.store.addMessage(conv.id, 'user', text(FOLLOW_UPS, vars, this.rng));
    this.store.addMessage(conv.id, 'bot', text(BOT_FALLBACK, vars, this.rng));
  }

  /** Moves the conversation to a node unless it is already there (several messages in a node are one visit). */
  private moveTo(conversationId: string, flowId: string, node: string): void {
    const current = this.store.getConversation(conversationId).navigation.current;
    if (current?.flowId === flowId && current.nodeId === node) return;
    this.store.setNavigation(conversationId, flowId, node);
  }

  /** The bot's steps that follow, played at once as a bot answers. */
  private playBotSteps(conv: Conversation, script: Script): void {
    const topic = script.topicIndex !== undefined ? script.model.spec.topics[script.topicIndex] : undefined;
    const flow = script.topicIndex !== undefined ? script.model.topicFlows[script.topicIndex] : undefined;
    if (!topic || !flow) return;
    for (let step = topic.steps[script.next]; step && step.from === 'bot'; step = topic.steps[script.next]) {
      this.moveTo(conv.id, flow.id, nodeId(step.node));
      this.store.addMessage(conv.id, 'bot', renderStep(step, script.vars, this.rng));
      script.next++;
    }
  }

  private requestAgent(conv: Conversation): void {
    const { model, vars } = this.scriptOf(conv);
    this.store.addMessage(conv.id, 'user', text(AGENT_REQUEST, vars, this.rng));
    this.store.setManual(conv.id, 'REQUESTED');
    this.moveTo(conv.id, model.agent.id, nodeId(0));
    this.store.addMessage(conv.id, 'bot', text(AGENT_REQUEST_BOT, vars, this.rng));
  }

  private agentConnect(conv: Conversation): void {
    const { model, vars } = this.scriptOf(conv);
    this.store.setManual(conv.id, 'HANDOVER');
    this.moveTo(conv.id, model.agent.id, nodeId(1));
    this.store.addMessage(conv.id, 'agent', text(AGENT_GREETING, vars, this.rng));
  }

  /** Ends a conversation the way it would: the agent says goodbye, or the bot closes the menu. */
  private complete(conv: Conversation): void {
    const script = this.scriptOf(conv);
    const { model, vars } = script;
    const manual = conv.context.manual.status;
    // Nobody says goodbye right after the menu: such a conversation takes its next turn instead.
    if (manual === 'NONE' && script.topicIndex === undefined) return this.userTurn(conv);
    if (manual === 'HANDOVER') {
      this.store.addMessage(conv.id, 'user', { type: 'text', text: '네 감사합니다' });
      this.store.addMessage(conv.id, 'agent', text(AGENT_GOODBYE, vars, this.rng));
    } else if (manual === 'NONE') {
      this.moveTo(conv.id, model.welcome.id, nodeId(2));
      this.store.addMessage(conv.id, 'bot', text(CLOSING_QUESTION, vars, this.rng));
      this.store.addMessage(conv.id, 'user', text(CLOSING_USER, vars, this.rng));
      this.store.addMessage(conv.id, 'bot', text(CLOSING_BOT, vars, this.rng));
    }
    this.store.close(conv.id, 'COMPLETED');
    this.scripts.delete(conv.id);
  }

  private interrupt(conv: Conversation): void {
    this.store.close(conv.id, 'INTERRUPTED');
    this.scripts.delete(conv.id);
  }
}
