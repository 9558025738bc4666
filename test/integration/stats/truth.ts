/**
 * Brute force over the simulators' own in-memory stores: every conversation, mapped to the facts a
 * stats measure needs, with the definitions written again here (docs/stats.md), so that the tests
 * compare botgraph's aggregates with a count that shares none of its reading, caching or grouping.
 * Status derivations are the vendor mappers' (tested on their own); everything else is recomputed.
 */
import type { TestBotgraph } from '../../helpers/botgraph.js';
import type { CloserSimulator } from '../../../src/providers/closer/simulator/index.js';
import type { BotoneSimulator } from '../../../src/providers/botone/simulator/index.js';
import type { CxoneSimulator } from '../../../src/providers/cxone/simulator/index.js';
import { mapHandoff, mapStatus as closerStatus } from '../../../src/providers/closer/mapper.js';
import { mapStatus as botoneStatus } from '../../../src/providers/botone/mapper.js';
import { deriveStatus, wasHandedOver } from '../../../src/providers/cxone/mapper.js';

export interface Truth {
  provider: 'CLOSER' | 'BOTONE' | 'CXONE';
  bot: string;
  status: string;
  handoff: string;
  handedOff: boolean;
  channel: string | null;
  location: string | null;
  created: number;
  updated: number | null;
  duration: number | null;
  /** END_USER, BOT, OPERATOR, SYSTEM. */
  messages: [number, number, number, number] | null;
  firstResponse: number | null;
  intent: string | null;
  userTurns: number | null;
  fallbackTurns: number | null;
  confidences: number[] | null;
}

const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

function firstResponse(events: Array<{ sender: 'END_USER' | 'BOT' | 'OPERATOR'; at: number }>): number | null {
  const firstUser = events.find((e) => e.sender === 'END_USER');
  if (!firstUser) return null;
  const answer = events.find((e) => e.sender !== 'END_USER' && e.at >= firstUser.at);
  return answer ? (answer.at - firstUser.at) / 1000 : null;
}

export function closerTruth(bg: TestBotgraph): Truth[] {
  const store = (bg.sim('CLOSER') as CloserSimulator).store;
  return store.listConversations({}).map((c) => {
    const created = Date.parse(c.createdAt);
    const updated = Date.parse(c.updatedAt);
    const status = closerStatus(c.context.status, c.context.manual.status);
    const handoff = mapHandoff(c.context.manual.status);
    const msgs = store.listMessages({ conversationId: c.id });
    const m: [number, number, number, number] = [0, 0, 0, 0];
    const timed: Array<{ sender: 'END_USER' | 'BOT' | 'OPERATOR'; at: number }> = [];
    for (const msg of msgs) {
      const sender = msg.isUser ? 'END_USER' : msg.meta?.sender?.platform === 'closer-chat' ? 'OPERATOR' : 'BOT';
      m[sender === 'END_USER' ? 0 : sender === 'BOT' ? 1 : 2]++;
      timed.push({ sender, at: msg.timestamp });
    }
    return {
      provider: 'CLOSER',
      bot: c.botId,
      status,
      handoff,
      handedOff: handoff !== 'BOT' || status === 'WITH_OPERATOR',
      channel: nonEmpty(c.platform),
      location: nonEmpty(c.params?.location),
      created,
      updated,
      duration: Math.max(0, Math.round((updated - created) / 1000)),
      messages: m,
      firstResponse: firstResponse(timed),
      intent: null,
      userTurns: null,
      fallbackTurns: null,
      confidences: null,
    } satisfies Truth;
  });
}

export function botoneTruth(bg: TestBotgraph): Truth[] {
  const sim = bg.sim('BOTONE') as BotoneSimulator;
  const out: Truth[] = [];
  for (const c of sim.store.list({})) {
    // Never started: no time, so analytics cannot place it (docs/stats.md).
    if (c.updatedAt === null) continue;
    const { status, handoff } = botoneStatus(c.status);
    const m: [number, number, number, number] = [0, 0, 0, 0];
    for (const item of c.data) {
      if (item.deleted) continue;
      const type = item.type.trim().toLowerCase();
      if (type === 'variable' || type === 'vertex') continue;
      // An uploaded file's answer is served as its URL (the store keeps the file id).
      const answered = item.fileId !== undefined || (item.answer !== null && item.answer.trim() !== '');
      // A webhook block's response file (question "Webhook") is one SYSTEM message.
      if (item.question.trim().toLowerCase() === 'webhook' && item.fileId !== undefined) {
        m[3]++;
        continue;
      }
      if (item.question.trim() !== '') m[type === 'operator' ? 2 : 1]++;
      if (answered) m[0]++;
    }
    out.push({
      provider: 'BOTONE',
      bot: String(c.botId),
      status,
      handoff,
      handedOff: handoff !== 'BOT' || status === 'WITH_OPERATOR',
      channel: nonEmpty(c.source),
      location: nonEmpty(c.location),
      created: c.createdAt,
      updated: c.updatedAt,
      duration: Math.max(0, Math.round((c.updatedAt - c.createdAt) / 1000)),
      messages: m,
      firstResponse: null,
      intent: null,
      userTurns: null,
      fallbackTurns: null,
      confidences: null,
    });
  }
  return out;
}

const FALLBACK = new Set(['nlu_fallback', 'core_fallback', 'action_default_fallback', 'action_core_fallback']);
const SMALL_TALK = new Set(['greet', 'greetings', 'goodbye', 'bye', 'thanks', 'thankyou', 'agree', 'affirm', 'deny', 'disagree']);

export function cxoneTruth(bg: TestBotgraph, now = Date.now()): Truth[] {
  const sim = bg.sim('CXONE') as CxoneSimulator;
  const out: Truth[] = [];
  for (const bot of sim.store.botIds()) {
    for (const c of sim.store.list(bot)) {
      const status = deriveStatus(c as never, now);
      const m: [number, number, number, number] = [0, 0, 0, 0];
      const timed: Array<{ sender: 'END_USER' | 'BOT' | 'OPERATOR'; at: number }> = [];
      const intents: string[] = [];
      let turns = 0;
      let fallbacks = 0;
      const confidences: number[] = [];
      for (const e of c.tracker.events as any[]) {
        const at = Math.round(e.timestamp * 1000);
        if (e.event === 'user') {
          m[0]++;
          timed.push({ sender: 'END_USER', at });
          turns++;
          const top = e.parse_data?.intent?.name ?? null;
          if (top) intents.push(top);
          if (top && FALLBACK.has(top)) fallbacks++;
          const ranked = [e.parse_data?.intent, ...(e.parse_data?.intent_ranking ?? [])].filter(Boolean);
          const best = ranked.find((i: any) => !FALLBACK.has(i.name) && typeof i.confidence === 'number');
          if (best) confidences.push(best.confidence);
        } else if (e.event === 'bot') {
          m[1]++;
          timed.push({ sender: 'BOT', at });
        } else if (e.event === 'action' && (FALLBACK.has(e.name) || FALLBACK.has(e.type))) {
          fallbacks++;
        }
      }
      let intent: string | null = null;
      for (const skip of [(n: string) => FALLBACK.has(n) || SMALL_TALK.has(n), (n: string) => FALLBACK.has(n), () => false]) {
        const counts = new Map<string, number>();
        for (const i of intents) if (!skip(i)) counts.set(i, (counts.get(i) ?? 0) + 1);
        let most = 0;
        for (const [name, n] of counts) if (n > most) [intent, most] = [name, n];
        if (intent !== null) break;
      }
      const handed = wasHandedOver(c.tracker.events as never);
      out.push({
        provider: 'CXONE',
        bot,
        status,
        handoff: status === 'WITH_OPERATOR' ? 'OPERATOR' : 'BOT',
        handedOff: status === 'WITH_OPERATOR' || handed,
        channel: nonEmpty(c.channel?.name),
        location: null,
        created: c.timestamp,
        updated: c.lastMessageAt,
        duration: Math.max(0, Math.round((c.lastMessageAt - c.timestamp) / 1000)),
        messages: m,
        firstResponse: firstResponse(timed),
        intent,
        userTurns: turns,
        fallbackTurns: Math.min(fallbacks, turns),
        confidences,
      });
    }
  }
  return out;
}

export function allTruth(bg: TestBotgraph, providers: string[] = ['CLOSER', 'BOTONE', 'CXONE']): Truth[] {
  return [
    ...(providers.includes('CLOSER') ? closerTruth(bg) : []),
    ...(providers.includes('BOTONE') ? botoneTruth(bg) : []),
    ...(providers.includes('CXONE') ? cxoneTruth(bg) : []),
  ];
}

/** Nearest-rank percentile, as docs/stats.md defines it. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function durations(values: number[]): { count: number; mean: number; p50: number; p90: number } | null {
  if (values.length === 0) return null;
  return {
    count: values.length,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    p50: percentile(values, 0.5)!,
    p90: percentile(values, 0.9)!,
  };
}

/** The local calendar parts of an instant, with Intl (not the code under test). */
export function local(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number; wd: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      weekday: 'short',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const wd = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }[parts.weekday as string]!;
  return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), wd };
}
