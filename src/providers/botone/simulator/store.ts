import { createHmac } from 'node:crypto';
/**
 * The simulator's state: conversations with their collected data, uploaded files, running external
 * custom blocks (Vertex tokens), and the operations that change them. The seed, the HTTP routes and
 * the live activity all go through these methods, so whatever a write does, a later read shows.
 */
import { Rng } from '../../../simulators/common/rng.js';
import { buildPdf, buildPng, buildTxt, CONTENT_TYPES, type FileKind, type StoredFile } from './files.js';
import { BOTS, HANDOFF_MESSAGE, OPERATOR_REQUESTS, botScript, pdfLines, txtContent, type Persona } from './scripts.js';

/**
 * `in-process` and `completed` are the vendor's own values; `operator` is our name for the state the
 * vendor's UI calls "Оператор" (after `/stop`); `interrupted` is a respondent who left mid-flow.
 */
export type ConversationStatus = 'in-process' | 'completed' | 'operator' | 'interrupted';

export interface DataItem {
  /** What was said to the respondent: a bot question, a bot message, or an operator message. */
  question: string;
  /** `Text` for bot messages, `Operator` for operator messages, `Variable` for create-time variables, `Vertex` for custom-block results. */
  type: string;
  /** The respondent's reply; null while none came (or for messages that expect none). */
  answer: string | null;
  variable: string | null;
  /** Present only on file items, as in the vendor examples. */
  deleted?: boolean;
  // ---- internal, never serialised ----
  /** The bot or operator is waiting for the respondent to answer this item. */
  awaiting?: boolean;
  /** An upload step: answering it stores a file of this kind. */
  fileKind?: FileKind;
  /** Set once the file was uploaded; the answer is then `<base url>/web/file/<fileId>`. */
  fileId?: number;
}

export interface Conversation {
  /** v1 id. */
  id: number;
  /** v2 id. */
  uuid: string;
  /** The display number in `name` ("#337 Perm"); not the id. */
  number: number;
  botId: number;
  status: ConversationStatus;
  ip: string;
  location: string;
  source: string;
  /** Epoch ms, whole seconds. */
  createdAt: number;
  /**
   * Epoch ms of the last message of anyone (respondent, bot, operator), whole seconds; null while
   * none was published (`updated: ""`). The document: `updated` is "Дата и время публикации
   * последнего сообщения в диалоге" (the time the last message in the dialog was published).
   */
  updatedAt: number | null;
  /**
   * Epoch ms of the respondent's last message; null while they have said nothing. What
   * `UpdatedFrom`/`UpdatedTo` filter on: "по дате последнего сообщения респондента в диалоге"
   * (by the date of the respondent's last message in the dialog).
   */
  respondentAt: number | null;
  /** False for conversations created with GET …/create and not started since. */
  started: boolean;
  data: DataItem[];
  /** The index of the next step of the bot's flow. */
  step: number;
  persona: Persona;
  variables: Record<string, unknown>;
}

export interface VertexBlock {
  token: string;
  conversationId: number;
  active: boolean;
  /** What `complete` handed back, kept for inspection. */
  result?: unknown;
}

export interface ListFilter {
  botId?: number;
  createdFrom?: number;
  createdTo?: number;
  updatedFrom?: number;
  updatedTo?: number;
}

/** The demo Vertex token documented in docs/providers/botone.md; bound to one seeded conversation. */
export const DEMO_VERTEX_TOKEN = 'vertex-demo-token';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export { SimClock } from '../../../simulators/common/clock.js';
import type { SimClock } from '../../../simulators/common/clock.js';

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export class BotoneStore {
  readonly conversations = new Map<number, Conversation>();
  private readonly byUuid = new Map<string, Conversation>();
  readonly files = new Map<number, StoredFile>();
  readonly blocks = new Map<string, VertexBlock>();
  blocked = false;
  nextId = 120;
  nextNumber = 101;
  nextFileId = 150;
  nextMessageId = 10_000;

  constructor(
    readonly clock: SimClock,
    /** Draws ids, tokens and file bytes for writes made after the seed, so they are reproducible too. */
    readonly rng: Rng,
  ) {}

  add(conversation: Conversation): void {
    this.conversations.set(conversation.id, conversation);
    this.byUuid.set(conversation.uuid.toLowerCase(), conversation);
    this.nextId = Math.max(this.nextId, conversation.id + 1);
    this.nextNumber = Math.max(this.nextNumber, conversation.number + 1);
  }

  get(id: number): Conversation | undefined {
    return this.conversations.get(id);
  }

  getByUuid(uuid: string): Conversation | undefined {
    return this.byUuid.get(uuid.toLowerCase());
  }

  botIds(): number[] {
    return BOTS.map((b) => b.id);
  }

  /**
   * Id (creation) descending, as both of the document's list examples are: v1 341 then 340, v2
   * "#319" (`updated: ""`) then "#318" (updated 2023-05-11). `updated` descending cannot explain the
   * v2 example unless `""` comes first; id descending explains both.
   */
  list(filter: ListFilter): Conversation[] {
    const out: Conversation[] = [];
    for (const c of this.conversations.values()) {
      if (filter.botId !== undefined && c.botId !== filter.botId) continue;
      if (filter.createdFrom !== undefined && c.createdAt < filter.createdFrom) continue;
      if (filter.createdTo !== undefined && c.createdAt > filter.createdTo) continue;
      if (filter.updatedFrom !== undefined || filter.updatedTo !== undefined) {
        // The respondent's last message; one who has said nothing has no date, so any Updated filter leaves them out.
        if (c.respondentAt === null) continue;
        if (filter.updatedFrom !== undefined && c.respondentAt < filter.updatedFrom) continue;
        if (filter.updatedTo !== undefined && c.respondentAt > filter.updatedTo) continue;
      }
      out.push(c);
    }
    return out.sort((a, b) => b.id - a.id);
  }

  /**
   * Moves `updatedAt` to `at`, and always at least one second past its previous value: timestamps are
   * served with second precision, and a poller must see every write as a change.
   */
  touch(c: Conversation, at: number = this.clock.now()): void {
    const next = floorSecond(at);
    c.updatedAt = c.updatedAt === null ? Math.max(next, c.createdAt) : Math.max(next, c.updatedAt + 1000);
  }

  /**
   * Seconds from creation to the last message. With no message yet it counts on from creation, as
   * the document's `updated: ""` item does (`duration: 935037`, about 10.8 days, for a live web visitor).
   */
  durationSeconds(c: Conversation): number {
    const end = c.updatedAt ?? this.clock.now();
    return Math.max(0, Math.floor((end - c.createdAt) / 1000));
  }

  /** A message from the respondent: moves `updated` and the respondent's time (what UpdatedFrom filters). */
  respondentSaid(c: Conversation, at: number = this.clock.now()): void {
    this.touch(c, at);
    c.respondentAt = c.updatedAt;
  }

  pending(c: Conversation): DataItem | undefined {
    const last = c.data[c.data.length - 1];
    return last?.awaiting ? last : undefined;
  }

  activeBlockFor(c: Conversation): VertexBlock | undefined {
    for (const b of this.blocks.values()) if (b.active && b.conversationId === c.id) return b;
    return undefined;
  }

  // ---------------------------------------------------------------- the bot's flow

  /** The bot asks its next question (skipping branches by chance). False when the flow is done. */
  askNext(c: Conversation, rng: Rng, at?: number): boolean {
    const script = botScript(c.botId);
    if (!script) return false;
    while (c.step < script.steps.length) {
      const step = script.steps[c.step++]!;
      if (step.skip && rng.chance(step.skip)) continue;
      const item: DataItem = { question: step.question, type: 'Text', answer: null, variable: step.variable, awaiting: true };
      if (step.file) item.fileKind = step.file;
      c.data.push(item);
      this.touch(c, at);
      return true;
    }
    return false;
  }

  /** The respondent answers whatever is waiting: a bot question (per the flow) or an operator message. */
  answerPending(c: Conversation, rng: Rng, at: number = this.clock.now()): boolean {
    const item = this.pending(c);
    if (!item) return false;
    item.awaiting = false;
    if (item.type === 'Operator') {
      const turns = botScript(c.botId)?.operatorTurns ?? [];
      const index = c.data.filter((d) => d.type === 'Operator').length - 1;
      item.answer = turns[Math.min(index, turns.length - 1)]?.[1] ?? 'Спасибо';
    } else if (item.fileKind) {
      item.fileId = this.addFile(c, item.fileKind, rng);
      item.deleted = rng.chance(0.1);
      const file = this.files.get(item.fileId);
      if (file) file.deleted = item.deleted;
    } else {
      const script = botScript(c.botId);
      const step = script?.steps.find((s) => s.question === item.question);
      item.answer = step ? step.answer({ rng, persona: c.persona, at }) : 'Да';
    }
    this.respondentSaid(c, at);
    return true;
  }

  addFile(c: Conversation, kind: FileKind, rng: Rng): number {
    const id = this.nextFileId++;
    const bytes = kind === 'png' ? buildPng(rng) : kind === 'pdf' ? buildPdf(pdfLines(c.persona, rng, id)) : buildTxt(txtContent(c.persona, rng));
    const name = kind === 'png' ? `photo_${id}.png` : kind === 'pdf' ? `napravlenie_${id}.pdf` : `opisanie_${id}.txt`;
    this.files.set(id, { id, conversationId: c.id, fileName: name, contentType: CONTENT_TYPES[kind], bytes, deleted: false });
    return id;
  }

  /** The respondent asks for a human: the bot hands the conversation over. */
  requestOperator(c: Conversation, rng: Rng, at: number = this.clock.now()): void {
    const text = rng.pick(OPERATOR_REQUESTS);
    const item = this.pending(c);
    if (item && !item.fileKind) {
      item.answer = text;
      item.awaiting = false;
    } else {
      if (item) item.awaiting = false;
      // Nothing to answer: the request is an unsolicited message, stored as an answer to no question.
      c.data.push({ question: '', type: 'Text', answer: text, variable: null });
    }
    this.respondentSaid(c, at);
    c.data.push({ question: HANDOFF_MESSAGE, type: 'Text', answer: null, variable: null });
    c.status = 'operator';
    this.touch(c, at + 1000);
  }

  /** An operator message; it waits for the respondent's reply, which fills its `answer`. */
  operatorSay(c: Conversation, text: string, at: number = this.clock.now()): void {
    const item = this.pending(c);
    if (item) item.awaiting = false;
    c.data.push({ question: text, type: 'Operator', answer: null, variable: null, awaiting: true });
    this.touch(c, at);
  }

  /** The flow ended: the bot says goodbye (if it still runs the conversation) and the status is final. */
  complete(c: Conversation, at: number = this.clock.now(), farewell = c.status === 'in-process'): void {
    const item = this.pending(c);
    if (item) item.awaiting = false;
    if (farewell) {
      const script = botScript(c.botId);
      if (script) c.data.push({ question: script.farewell, type: 'Text', answer: null, variable: null });
    }
    c.status = 'completed';
    this.endBlocks(c);
    // Only the farewell is a message; an operator closing the conversation publishes none.
    if (farewell) this.touch(c, at);
  }

  /** The respondent left; nothing more will be said, and `updated` stays at the last activity. */
  interrupt(c: Conversation): void {
    const item = this.pending(c);
    if (item) item.awaiting = false;
    c.status = 'interrupted';
    this.endBlocks(c);
  }

  private endBlocks(c: Conversation): void {
    for (const b of this.blocks.values()) if (b.conversationId === c.id) b.active = false;
  }

  // ---------------------------------------------------------------- API writes

  create(botId: number, variables: Record<string, unknown>, start: boolean): Conversation {
    const c: Conversation = {
      id: this.nextId,
      uuid: this.rng.uuid(),
      number: this.nextNumber,
      botId,
      status: 'in-process',
      // A conversation made through the API has no respondent yet: no IP, no GeoIP city.
      ip: '',
      location: 'Unknown',
      source: 'api',
      createdAt: floorSecond(this.clock.now()),
      updatedAt: null,
      respondentAt: null,
      started: false,
      data: [],
      step: 0,
      persona: { firstName: '', lastName: '', patronymic: '', latin: '', phone: '', email: '', cityRu: '' },
      variables,
    };
    for (const [name, value] of Object.entries(variables)) {
      c.data.push({ question: name, type: 'Variable', answer: typeof value === 'string' ? value : JSON.stringify(value), variable: name });
    }
    this.add(c);
    if (start) this.startBot(c);
    return c;
  }

  /**
   * The bot (re)takes the conversation. A question it had asked before an operator stepped in is
   * asked again; an unanswered operator message is dropped; otherwise the flow goes on.
   */
  private startBot(c: Conversation): void {
    c.started = true;
    c.status = 'in-process';
    const pending = this.pending(c);
    if (pending) pending.awaiting = false;
    if (pending && pending.type === 'Text') {
      const again: DataItem = { question: pending.question, type: 'Text', answer: null, variable: pending.variable, awaiting: true };
      if (pending.fileKind) again.fileKind = pending.fileKind;
      c.data.push(again);
      this.touch(c);
    } else if (!this.askNext(c, this.rng)) {
      this.touch(c);
    }
  }

  /** `/stop`: the bot stops and an operator takes the conversation. Idempotent on `operator`. */
  stop(c: Conversation): void {
    if (c.status === 'operator') return;
    c.status = 'operator';
    c.started = true;
    // No message is published, so `updated` stays (the document: the time of the last message).
  }

  /** `/start`: the bot takes the conversation back (or starts a created one) and asks its next question. */
  start(c: Conversation): void {
    if (c.status === 'in-process' && c.started) return;
    this.startBot(c);
  }

  sendOperator(c: Conversation, text: string): void {
    this.operatorSay(c, text);
  }

  /** `goto <botId>`: the other bot takes over from the start of its flow. */
  goto(c: Conversation, botId: number): void {
    const item = this.pending(c);
    if (item) item.awaiting = false;
    c.botId = botId;
    c.step = 0;
    c.started = true;
    c.status = 'in-process';
    if (!this.askNext(c, this.rng)) this.touch(c);
  }

  startBlock(c: Conversation, token?: string): VertexBlock {
    const block: VertexBlock = { token: token ?? this.newJwtToken(c), conversationId: c.id, active: true };
    this.blocks.set(block.token, block);
    return block;
  }

  /**
   * A token like the document's `complete` example: a JWT (HS256) whose payload names the instance
   * and the dialog, `{"instance", "diulog_id" (sic), "vertex_id", "session_id"}`; `diulog_id` is
   * the conversation's integer (v1) id. Signed with a key only the simulator knows.
   */
  newJwtToken(c: Conversation): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
    const head = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({ instance: 'botone-sim', diulog_id: c.id, vertex_id: String(this.rng.int(1000, 9999)), session_id: this.rng.int(1000, 9999) })}`;
    this.jwtKey ??= Buffer.from(Array.from({ length: 32 }, () => this.rng.int(0, 255)));
    return `${head}.${createHmac('sha256', this.jwtKey).update(head).digest('base64url')}`;
  }

  /** Drawn from the store's generator on first use, so that tokens are reproducible like everything else. */
  private jwtKey: Buffer | undefined;

  /** Tokens like the document's other examples: 56 lowercase letters. */
  newToken(): string {
    let token = '';
    for (let i = 0; i < 56; i++) token += String.fromCharCode(97 + this.rng.int(0, 25));
    return token;
  }

  /** A bot message sent by an external custom block. */
  vertexSend(block: VertexBlock, text: string): { messageId: number; createdAt: number } {
    const c = this.conversations.get(block.conversationId)!;
    const item = this.pending(c);
    if (item) item.awaiting = false;
    c.data.push({ question: text, type: 'Text', answer: null, variable: null, awaiting: true });
    this.touch(c);
    return { messageId: this.nextMessageId++, createdAt: Math.floor((c.updatedAt ?? this.clock.now()) / 1000) };
  }

  /** Ends the block; an object result is stored key by key as `Vertex` items, anything else as one item. */
  vertexComplete(block: VertexBlock, data: unknown): void {
    const c = this.conversations.get(block.conversationId)!;
    block.active = false;
    block.result = data;
    if (data !== null && data !== undefined) {
      if (typeof data === 'object' && !Array.isArray(data)) {
        for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
          c.data.push({ question: key, type: 'Vertex', answer: typeof value === 'string' ? value : JSON.stringify(value), variable: key });
        }
      } else {
        c.data.push({ question: 'result', type: 'Vertex', answer: typeof data === 'string' ? data : JSON.stringify(data), variable: null });
      }
    }
    this.touch(c);
  }
}
