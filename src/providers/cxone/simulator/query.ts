/**
 * The `query` parameter of the export: `param operator value` clauses joined by AND / OR, with
 * parentheses. The vendor shows only examples (`action = handover AND datetime > -14 days`,
 * `text = problem`); the exact grammar and semantics below are ours and are the contract in
 * docs/providers/cxone.md.
 *
 *   query   := or
 *   or      := and ( OR and )*            AND binds tighter than OR
 *   and     := primary ( AND primary )*
 *   primary := '(' or ')' | param op value
 *   op      := = | != | ~ | > | < | >= | <=
 *   value   := "quoted" | 'quoted' | words up to the next AND / OR / ')' / end
 *
 * Keywords and parameter names are case-insensitive. Every syntax error is a {@link QueryError}
 * whose message names the problem and its position, and becomes a 400.
 */
import { offsetAt } from '../../../stats/time.js';
import { channelType } from './content.js';
import { decodeActionType } from './tracker.js';
import type { CxActionEvent, CxConversation, CxSlotEvent, CxUserEvent } from './types.js';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export type Operator = '=' | '!=' | '~' | '>' | '<' | '>=' | '<=';

export interface Clause {
  kind: 'clause';
  param: Param;
  op: Operator;
  value: string;
  /** Where the clause starts in the query text, for error messages. */
  position: number;
}

export type QueryNode = Clause | { kind: 'and' | 'or'; nodes: QueryNode[] };

const TEXT_OPS: readonly Operator[] = ['=', '!=', '~'];
const TIME_OPS: readonly Operator[] = ['=', '!=', '>', '<', '>=', '<='];
const NUMBER_OPS: readonly Operator[] = ['=', '!=', '>', '<', '>=', '<='];

/**
 * The parameters, their lower-case spelling in queries, and the operators each one takes.
 *
 * NICE's public page "Use Queries in Search" lists `action` (integration, handover, core_fallback,
 * fill_slot), `bot_message_count`, `channel` ("the name, type or ID of a channel"), `conversation`
 * ("the ID of a conversation"), `customer` ("the name or ID of a customer"), `customer_contact`
 * (the contact/case ID from Digital Experience), `customer_message_count` and `datetime` (its
 * example: `action = handover AND datetime > -14 days`). The page gives no operator table: the
 * operators below are ours. **Project additions** where the page is silent: `text`, `intent`,
 * `tag` and `lastmessageat` (docs/providers/cxone.md marks them).
 */
export const PARAMS = {
  action: TEXT_OPS,
  bot_message_count: NUMBER_OPS,
  channel: TEXT_OPS,
  conversation: TEXT_OPS,
  customer: TEXT_OPS,
  customer_contact: TEXT_OPS,
  customer_message_count: NUMBER_OPS,
  datetime: TIME_OPS,
  // Project additions.
  text: TEXT_OPS,
  intent: TEXT_OPS,
  tag: TEXT_OPS,
  lastmessageat: TIME_OPS,
} as const;
export type Param = keyof typeof PARAMS;

/** The longest query accepted, in characters. */
export const MAX_QUERY_LENGTH = 2000;

type Token =
  { t: 'lp' | 'rp' | 'and' | 'or' | 'eof'; pos: number } | { t: 'op'; v: Operator; pos: number } | { t: 'word' | 'string'; v: string; pos: number };

const SPECIAL = new Set(['(', ')', '=', '~', '<', '>']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')') {
      out.push({ t: c === '(' ? 'lp' : 'rp', pos });
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '!=' || two === '>=' || two === '<=') {
      out.push({ t: 'op', v: two, pos });
      i += 2;
      continue;
    }
    if (c === '=' || c === '~' || c === '>' || c === '<') {
      out.push({ t: 'op', v: c, pos });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      // A quoted value; a backslash takes the next character literally.
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new QueryError(`Unterminated quoted value starting at position ${pos}.`);
        const ch = src[i] as string;
        if (ch === '\\' && i + 1 < src.length) {
          v += src[i + 1];
          i += 2;
          continue;
        }
        if (ch === c) {
          i++;
          break;
        }
        v += ch;
        i++;
      }
      out.push({ t: 'string', v, pos });
      continue;
    }
    // A bare word runs to whitespace or a special character; a quote or "!" inside a word is literal ("I'm", "Hi!").
    let v = '';
    while (i < src.length) {
      const ch = src[i] as string;
      if (/\s/.test(ch) || SPECIAL.has(ch) || src.slice(i, i + 2) === '!=') break;
      v += ch;
      i++;
    }
    const upper = v.toUpperCase();
    if (upper === 'AND') out.push({ t: 'and', pos });
    else if (upper === 'OR') out.push({ t: 'or', pos });
    else out.push({ t: 'word', v, pos });
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}

const describe = (tok: Token): string => {
  switch (tok.t) {
    case 'eof':
      return 'the end of the query';
    case 'lp':
      return "'('";
    case 'rp':
      return "')'";
    case 'and':
      return "'AND'";
    case 'or':
      return "'OR'";
    case 'op':
      return `operator '${tok.v}'`;
    case 'word':
      return `'${tok.v}'`;
    case 'string':
      return `quoted value "${tok.v}"`;
  }
};

/** Parses a query; an empty or blank query is undefined (no filter). Throws {@link QueryError}. */
export function parseQuery(src: string): QueryNode | undefined {
  if (src.length > MAX_QUERY_LENGTH) throw new QueryError(`The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  const tokens = tokenize(src);
  let i = 0;
  const peek = (): Token => tokens[i] as Token;
  const next = (): Token => tokens[i++] as Token;
  if (peek().t === 'eof') return undefined;

  const parseOr = (): QueryNode => {
    const nodes = [parseAnd()];
    while (peek().t === 'or') {
      next();
      nodes.push(parseAnd());
    }
    return nodes.length === 1 ? (nodes[0] as QueryNode) : { kind: 'or', nodes };
  };
  const parseAnd = (): QueryNode => {
    const nodes = [parsePrimary()];
    while (peek().t === 'and') {
      next();
      nodes.push(parsePrimary());
    }
    return nodes.length === 1 ? (nodes[0] as QueryNode) : { kind: 'and', nodes };
  };
  const parsePrimary = (): QueryNode => {
    const tok = next();
    if (tok.t === 'lp') {
      const inner = parseOr();
      const close = next();
      if (close.t !== 'rp')
        throw new QueryError(`Expected ')' at position ${close.pos} to close the '(' at position ${tok.pos}, found ${describe(close)}.`);
      return inner;
    }
    if (tok.t !== 'word') throw new QueryError(`Expected a parameter name at position ${tok.pos}, found ${describe(tok)}.`);
    const param = tok.v.toLowerCase();
    if (!(param in PARAMS)) {
      throw new QueryError(`Unknown query parameter '${tok.v}' at position ${tok.pos}; known parameters: ${Object.keys(PARAMS).join(', ')}.`);
    }
    const opTok = next();
    if (opTok.t !== 'op') {
      throw new QueryError(`Expected an operator (=, !=, ~, >, <, >=, <=) after '${tok.v}' at position ${opTok.pos}, found ${describe(opTok)}.`);
    }
    const allowed = PARAMS[param as Param];
    if (!allowed.includes(opTok.v)) {
      throw new QueryError(`Operator '${opTok.v}' is not supported for '${param}' (position ${opTok.pos}); use one of ${allowed.join(' ')}.`);
    }
    let value: string;
    const first = peek();
    if (first.t === 'string') {
      value = (next() as { v: string }).v;
    } else if (first.t === 'word') {
      // An unquoted value is every word up to the next keyword: `datetime > -14 days`.
      const words: string[] = [];
      while (peek().t === 'word') words.push((next() as { v: string }).v);
      value = words.join(' ');
    } else {
      throw new QueryError(`Missing value after '${tok.v} ${opTok.v}' at position ${first.pos}, found ${describe(first)}.`);
    }
    const after = peek();
    if (after.t !== 'and' && after.t !== 'or' && after.t !== 'rp' && after.t !== 'eof') {
      throw new QueryError(
        `Unexpected ${describe(after)} at position ${after.pos}; quote values that contain operators, quotes or parentheses, and join clauses with AND or OR.`,
      );
    }
    return { kind: 'clause', param: param as Param, op: opTok.v, value, position: tok.pos };
  };

  const root = parseOr();
  const end = peek();
  if (end.t !== 'eof') throw new QueryError(`Unexpected ${describe(end)} at position ${end.pos}.`);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Time values

/** A time value denotes an interval [start, end): a day, a minute, a second, or one millisecond. */
interface Interval {
  start: number;
  end: number;
}

/**
 * A wall-clock time in a zone → the instant, by two offset corrections (offsets from src/stats/time.ts).
 * An overlap resolves to the first instant; a wall time inside a DST gap comes out an hour early
 * (02:30 on New York's spring-forward night is 06:30Z, 01:30 EST), where stats' `instantOf` goes forwards.
 */
export function zonedToUtc(wallAsUtc: number, zone: string): number {
  const first = wallAsUtc - offsetAt(wallAsUtc, zone);
  const second = wallAsUtc - offsetAt(first, zone);
  return second;
}

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Reads a time value: `now`, `-14 days` / `+1 hour`, epoch ms, or ISO 8601 (zone-less = wall time in `zone`). */
export function parseTime(value: string, now: number, zone: string): Interval {
  const v = value.trim();
  if (/^now$/i.test(v)) return { start: now, end: now + 1 };
  const rel = /^([+-])\s*(\d{1,9})\s*([a-z]+)$/i.exec(v);
  if (rel) {
    const unit = UNITS[(rel[3] as string).toLowerCase()];
    if (unit === undefined) throw new QueryError(`Unknown time unit '${rel[3]}' in '${value}'; use seconds, minutes, hours, days or weeks.`);
    const t = now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
    return { start: t, end: t + 1 };
  }
  if (/^\d{1,15}$/.test(v)) {
    const t = Number(v);
    return { start: t, end: t + 1 };
  }
  const m = ISO.exec(v);
  if (m) {
    const [y, mo, d, h, mi, s, ms, off] = m.slice(1).map((x) => x);
    const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
    const check = new Date(wall);
    if (
      check.getUTCFullYear() !== Number(y) ||
      check.getUTCMonth() !== Number(mo) - 1 ||
      check.getUTCDate() !== Number(d) ||
      Number(h ?? 0) > 23 ||
      Number(mi ?? 0) > 59 ||
      Number(s ?? 0) > 59
    ) {
      throw new QueryError(`'${value}' is not a valid date or time.`);
    }
    const length = h === undefined ? 86_400_000 : s === undefined ? 60_000 : ms === undefined ? 1000 : 1;
    let start: number;
    if (off === undefined) {
      start = zonedToUtc(wall, zone);
    } else if (off.toUpperCase() === 'Z') {
      start = wall;
    } else {
      const om = /^([+-])(\d{2}):?(\d{2})$/.exec(off) as RegExpExecArray;
      start = wall - (om[1] === '-' ? -1 : 1) * (Number(om[2]) * 60 + Number(om[3])) * 60_000;
    }
    // A whole day is 23 or 25 hours long on a DST change; measure it in the zone.
    const end = h === undefined && off === undefined ? zonedToUtc(wall + 86_400_000, zone) : start + length;
    return { start, end };
  }
  throw new QueryError(
    `'${value}' is not a time: use ISO 8601 (2024-07-02, 2024-07-02T10:00:00Z), epoch milliseconds, 'now', or a relative time such as '-14 days'.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Evaluation

interface Index {
  userTexts: string[];
  intents: string[];
  /** Each action's name and its decoded (or stated) type, lower-cased. */
  actions: Array<{ name: string; type: string | undefined }>;
  /** True when a slot was filled from what the end user said (not the channel's `last customer message`). */
  filledSlot: boolean;
  /** True when the NLU fell back (`nlu_fallback` won the user message). */
  fellBack: boolean;
}

const indexes = new WeakMap<CxConversation, Index>();

/** What the filters look at in a conversation; cached per (immutable) stored object. */
function indexOf(c: CxConversation): Index {
  let idx = indexes.get(c);
  if (!idx) {
    const userTexts: string[] = [];
    const intents: string[] = [];
    const actions: Index['actions'] = [];
    let filledSlot = false;
    let fellBack = false;
    for (const e of c.tracker.events) {
      if (e.event === 'user') {
        const u = e as CxUserEvent;
        if (typeof u.text === 'string') userTexts.push(u.text);
        const intent = u.parse_data?.intent?.name;
        if (typeof intent === 'string') intents.push(intent.toLowerCase());
        if (intent === 'nlu_fallback') fellBack = true;
      } else if (e.event === 'slot') {
        if ((e as CxSlotEvent).name !== 'last customer message') filledSlot = true;
      } else if (e.event === 'action') {
        const a = e as CxActionEvent;
        if (typeof a.name !== 'string') continue;
        const type = typeof a.type === 'string' ? a.type : decodeActionType(a.name);
        actions.push({ name: a.name.toLowerCase(), type: type?.toLowerCase() });
      }
    }
    idx = { userTexts, intents, actions, filledSlot, fellBack };
    indexes.set(c, idx);
  }
  return idx;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type Predicate = (c: CxConversation) => boolean;

/** Turns a parsed query into a predicate; time values are resolved now, so bad ones fail before any data is read. */
export function compileQuery(node: QueryNode, now: number, zone: string): Predicate {
  if (node.kind !== 'clause') {
    const parts = node.nodes.map((n) => compileQuery(n, now, zone));
    return node.kind === 'and' ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  const { param, op } = node;
  const value = node.value.toLowerCase();

  if (param === 'datetime' || param === 'lastmessageat') {
    const { start, end } = parseTime(node.value, now, zone);
    const field = param === 'datetime' ? (c: CxConversation) => c.timestamp : (c: CxConversation) => c.lastMessageAt;
    const test: (t: number) => boolean = {
      '=': (t: number) => t >= start && t < end,
      '!=': (t: number) => !(t >= start && t < end),
      '>': (t: number) => t >= end,
      '<': (t: number) => t < start,
      '>=': (t: number) => t >= start,
      '<=': (t: number) => t < end,
      '~': () => false,
    }[op];
    return (c) => test(field(c));
  }

  if (param === 'bot_message_count' || param === 'customer_message_count') {
    if (!/^\d{1,9}$/.test(node.value.trim())) throw new QueryError(`'${node.value}' is not a count: ${param} takes a whole number.`);
    const n = Number(node.value.trim());
    const field = param === 'bot_message_count' ? (c: CxConversation) => c.botMsgCount : (c: CxConversation) => c.customerMsgCount;
    const test = {
      '=': (x: number) => x === n,
      '!=': (x: number) => x !== n,
      '>': (x: number) => x > n,
      '<': (x: number) => x < n,
      '>=': (x: number) => x >= n,
      '<=': (x: number) => x <= n,
      '~': () => false,
    }[op];
    return (c) => test(field(c));
  }

  if (param === 'text') {
    // `=` matches whole words or phrases, as a full-text search does: "text = problem" finds "I have a problem."
    const word = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(value)}(?![\\p{L}\\p{N}_])`, 'iu');
    if (op === '~') return (c) => indexOf(c).userTexts.some((t) => t.toLowerCase().includes(value));
    const any = (c: CxConversation) => indexOf(c).userTexts.some((t) => word.test(t));
    return op === '=' ? any : (c) => !any(c);
  }

  // The remaining parameters compare whole values, case-insensitively; `~` is "contains".
  const matches = (candidate: string | undefined): boolean =>
    candidate !== undefined && (op === '~' ? candidate.toLowerCase().includes(value) : candidate.toLowerCase() === value);
  let any: Predicate = () => false;
  switch (param) {
    case 'channel':
      // "the name, type or ID of a channel"
      any = (c) => matches(c.channel?.name) || matches(channelType(c.channel?.name)) || (c.channel?.id !== '' && matches(c.channel?.id));
      break;
    case 'conversation':
      any = (c) => matches(c.conversationId);
      break;
    case 'customer':
      // "the name or ID of a customer"
      any = (c) => matches(c.customer?.name) || matches(c.customer?.id === undefined ? undefined : String(c.customer.id));
      break;
    case 'customer_contact':
      // The contact (case) ID from Digital Experience: dfo.caseId; conversations outside DFO have none.
      any = (c) => c.dfo?.caseId !== '' && matches(c.dfo?.caseId);
      break;
    case 'tag':
      any = (c) => (c.tags ?? []).some((t) => matches(t));
      break;
    case 'intent':
      any = (c) => indexOf(c).intents.some((i) => matches(i));
      break;
    case 'action':
      // The page's values: integration and handover are action types of the tracker; fill_slot is a
      // slot filled from the end user's words and core_fallback the NLU's fallback (our reading).
      any = (c) =>
        indexOf(c).actions.some((a) => matches(a.name) || matches(a.type)) ||
        (indexOf(c).filledSlot && matches('fill_slot')) ||
        (indexOf(c).fellBack && matches('core_fallback'));
      break;
  }
  // `!=` on a multi-valued field means "none of them matches".
  return op === '!=' ? (c) => !any(c) : any;
}
