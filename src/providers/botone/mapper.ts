/**
 * Pure functions from Bot.one's payloads to the unified models. No I/O: the client parses with the
 * schemas in `types.ts` and hands the results here, together with what the payload itself cannot
 * say (which bot a conversation belongs to: Bot.one's payloads never name it).
 */
import type {
  AttachmentModel,
  BotModel,
  CollectedDatumModel,
  ConversationModel,
  ConversationStatusName,
  HandoffStateName,
  MessageModel,
  MessageSenderName,
} from '../../models.js';
import type { BotoneConversation, BotoneConversationDetail, BotoneDataItem, WithRaw } from './types.js';

export const PROVIDER = 'BOTONE' as const;

/** What a conversation's stream (or global ID) knows about it that the payload does not. */
export interface Attribution {
  /** The configured bot the conversation was listed under; null for the unfiltered stream. */
  botNativeId: string | null;
  /** `[botId]` or `[]`: goes into the global ID and comes back as `scope`. */
  idScope: string[];
}

export const UNATTRIBUTED: Attribution = { botNativeId: null, idScope: [] };

/** The attribution a global ID's `scope` stands for. */
export function attributionFromScope(scope: readonly string[]): Attribution {
  const bot = scope[0];
  return bot ? { botNativeId: bot, idScope: [bot] } : UNATTRIBUTED;
}

export function mapStatus(status: string | null): { status: ConversationStatusName; handoff: HandoffStateName } {
  switch (status?.trim().toLowerCase()) {
    case 'in-process':
      return { status: 'ACTIVE', handoff: 'BOT' };
    // Not in the vendor document: the UI's "Оператор" state after `/stop` (see docs/providers/botone.md).
    case 'operator':
      return { status: 'WITH_OPERATOR', handoff: 'OPERATOR' };
    case 'completed':
      return { status: 'COMPLETED', handoff: 'BOT' };
    case 'interrupted':
      return { status: 'INTERRUPTED', handoff: 'BOT' };
    default:
      return { status: 'UNKNOWN', handoff: 'BOT' };
  }
}

/** The id at the end of an uploaded file's answer URL (`https://manual.bot.one/web/file/170` → `170`). */
export function fileIdFromAnswer(answer: string | null): string | null {
  if (answer === null) return null;
  const match = /^https?:\/\/\S*\/file\/([A-Za-z0-9_-]+)\/?(?:[?#]\S*)?$/.exec(answer.trim());
  return match ? (match[1] as string) : null;
}

export function mapCollectedDatum(item: BotoneDataItem): CollectedDatumModel {
  return {
    question: item.question,
    answer: item.answer,
    type: item.type,
    variable: item.variable,
    deleted: item.deleted,
    fileId: fileIdFromAnswer(item.answer),
  };
}

const isDetail = (value: BotoneConversation | BotoneConversationDetail): value is BotoneConversationDetail =>
  Array.isArray((value as Partial<BotoneConversationDetail>).data);

/**
 * A list item (collectedData null: lists carry no `data`) or a detail read (collectedData set, and
 * with it messageCount). `createdAt` is `updated − duration`: the vendor gives no creation time, and
 * `duration` is the time from the start to the last activity; without `updated` it is unknown.
 */
export function mapConversation(entry: WithRaw<BotoneConversation | BotoneConversationDetail>, attribution: Attribution): ConversationModel {
  const c = entry.value;
  const updatedAt = c.updated === null ? null : new Date(c.updated);
  const durationSeconds = c.duration;
  const createdAt = updatedAt !== null && durationSeconds !== null ? new Date(updatedAt.getTime() - durationSeconds * 1000) : null;
  const { status, handoff } = mapStatus(c.status);
  const collectedData = isDetail(c) ? c.data.map(mapCollectedDatum) : null;
  const model: ConversationModel = {
    provider: PROVIDER,
    nativeId: c.id,
    idScope: [...attribution.idScope],
    title: c.name?.trim() || `#${c.id}`,
    status,
    handoff,
    botNativeId: attribution.botNativeId,
    endUserNativeId: null,
    endUser: null,
    channel: emptyToNull(c.source),
    location: emptyToNull(c.location),
    ipAddress: emptyToNull(c.ip),
    createdAt,
    updatedAt,
    durationSeconds,
    messageCount: null,
    tags: [],
    notes: null,
    collectedData,
    trackerEvents: [],
    journey: [],
    embeddedMessages: null,
    raw: entry.raw,
  };
  if (collectedData !== null) model.messageCount = deriveMessages(model).length;
  return model;
}

function emptyToNull(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/**
 * Collected-data types that are not dialogue: variables passed when the conversation was created,
 * and the result a custom block handed back on completion. They stay in `collectedData` only.
 */
const NOT_DIALOGUE = new Set(['variable', 'vertex']);

/**
 * Bot.one has no message endpoint: the conversation's messages are read off its collected data, in
 * order. Each item is a question (said by the bot, or by an operator for `Operator` items) and the
 * respondent's answer. Deleted items and empty sides are skipped; ids are
 * `<conversationId>:<item index>:q|a`, stable because items are only ever appended.
 */
export function deriveMessages(conversation: ConversationModel): MessageModel[] {
  const data = conversation.collectedData;
  if (data === null) return [];
  const rawItems = rawDataItems(conversation.raw);
  const messages: MessageModel[] = [];
  data.forEach((item, index) => {
    if (item.deleted) return;
    const type = item.type?.trim().toLowerCase() ?? '';
    if (NOT_DIALOGUE.has(type)) return;
    const raw = rawItems[index] ?? null;
    if (isWebhookResponse(item)) {
      // The document's example: `{"question": "Webhook", "type": "Text", "answer": ".../web/file/170"}`,
      // which the app shows as "Webhook  Download response": a webhook block's response file, not
      // something the end user said. One SYSTEM message carrying the file.
      const url = (item.answer as string).trim();
      messages.push(
        message(conversation, `${index}:a`, 'SYSTEM', 'Webhook response', [{ kind: 'file', url, contentType: null, title: 'Webhook response' }], raw),
      );
      return;
    }
    const questionSender: MessageSenderName = type === 'operator' ? 'OPERATOR' : 'BOT';
    if (item.question !== null && item.question.trim() !== '') {
      messages.push(message(conversation, `${index}:q`, questionSender, item.question.trim(), [], raw));
    }
    if (item.answer !== null && item.answer.trim() !== '') {
      const attachments: AttachmentModel[] = item.fileId !== null ? [{ kind: 'file', url: item.answer.trim(), contentType: null, title: null }] : [];
      messages.push(message(conversation, `${index}:a`, 'END_USER', item.answer.trim(), attachments, raw));
    }
  });
  return messages;
}

/** A "Webhook" data item: the block's name as the question and a file (the response) as the answer. */
function isWebhookResponse(item: { question: string | null; answer: string | null; fileId: string | null }): boolean {
  return item.question?.trim().toLowerCase() === 'webhook' && item.fileId !== null && item.answer !== null && item.answer.trim() !== '';
}

function message(
  conversation: ConversationModel,
  suffix: string,
  sender: MessageSenderName,
  text: string,
  attachments: AttachmentModel[],
  raw: unknown,
): MessageModel {
  return {
    provider: PROVIDER,
    nativeId: `${conversation.nativeId}:${suffix}`,
    conversationNativeId: conversation.nativeId,
    conversationIdScope: [...conversation.idScope],
    sender,
    text,
    // Collected data carries no times; only the conversation's `updated` is known.
    createdAt: null,
    quickReplies: [],
    attachments,
    intent: null,
    raw,
  };
}

/** Splits a message native id (`<conversationId>:<index>:q|a`); null when it is not one of ours. */
export function parseMessageId(nativeId: string): { conversationNativeId: string; index: number; side: 'q' | 'a' } | null {
  const match = /^(.+):(\d+):([qa])$/.exec(nativeId);
  if (!match) return null;
  return { conversationNativeId: match[1] as string, index: Number(match[2]), side: match[3] as 'q' | 'a' };
}

/** The vendor's own data items, for `raw`: v2 keeps them JSON-encoded in a string. */
function rawDataItems(raw: unknown): unknown[] {
  const data = (raw as { data?: unknown } | null)?.data;
  if (Array.isArray(data)) return data;
  if (typeof data === 'string') {
    try {
      const parsed: unknown = JSON.parse(data);
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }
  return [];
}

/** Bot.one cannot list bots: a bot is only its configured id. */
export function mapBot(botId: string): BotModel {
  return {
    provider: PROVIDER,
    nativeId: botId,
    name: `Bot.one bot ${botId}`,
    description: null,
    createdAt: null,
    updatedAt: null,
    // Nothing came from the vendor; the configured id is all there is.
    raw: { id: botId },
  };
}

/**
 * What a Vertex integration token says about itself. The document's `complete` example sends a JWT
 * (`eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpbnN0YW5jZSI6…`) whose payload names the instance and
 * the dialog: `{"instance":"27regress","diulog_id":314,"vertex_id":"4089,"session_id":2957}` (sic:
 * `diulog_id`, and the example's payload is not even valid JSON). botgraph only **reads** it, to know
 * which conversation a block runs in; it never trusts it for anything: the vendor checks the token.
 * The other examples use 56 plain letters, which say nothing: null.
 */
export function vertexTokenClaims(token: string): { instance: string | null; dialogId: number | null } | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1].length > 4096 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return null;
  const text = Buffer.from(parts[1], 'base64url').toString('utf8');
  let instance: string | null = null;
  let dialogId: number | null = null;
  try {
    const payload = JSON.parse(text) as Record<string, unknown>;
    if (typeof payload.instance === 'string') instance = payload.instance;
    const id = payload.diulog_id ?? payload.dialog_id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) dialogId = id;
  } catch {
    // Read what can be read, as the document's own example needs.
    instance = /"instance"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1] ?? null;
    const id = /"di[au]log_id"\s*:\s*(\d{1,15})/.exec(text)?.[1];
    dialogId = id === undefined ? null : Number(id);
  }
  return instance === null && dialogId === null ? null : { instance, dialogId };
}
