/**
 * The shapes the CXone Bot Builder export returns, as the vendor's example response shows them.
 * Tracker events follow Rasa's event model; the ones the example shows are typed exactly, and every
 * other Rasa event type is a {@link CxGenericEvent}, so a client can never rely on a closed union.
 */

/** `metadata` of every tracker event: the NLU model that handled it, sometimes the utter action. */
export interface CxEventMetadata {
  model_id: string;
  utter_action?: string;
}

/** `event: "action"`: the bot ran an action. `type` is the decoded `type` of a base64 action name, or a built-in's kind. */
export interface CxActionEvent {
  metadata: CxEventMetadata;
  action_text: string | null;
  hide_rule_turn: boolean;
  confidence: number | null;
  name: string;
  event: 'action';
  /** Present on built-ins (`listen`, `session_start`) and on `action_<base64>` names; absent on `utter_<base64>`. */
  type?: string;
  timestamp: number;
  policy: string | null;
}

export interface CxSessionStartedEvent {
  metadata: CxEventMetadata;
  event: 'session_started';
  timestamp: number;
}

export interface CxSlotEvent {
  metadata: CxEventMetadata;
  name: string;
  event: 'slot';
  value: unknown;
  timestamp: number;
}

export interface CxIntent {
  confidence: number;
  name: string;
}

export interface CxEntity {
  entity: string;
  start: number;
  end: number;
  confidence_entity: number;
  value: string;
  extractor: string;
}

export interface CxParseData {
  metadata: unknown[];
  entities: CxEntity[];
  intent_ranking: CxIntent[];
  message_id: string;
  text: string;
  text_tokens: Array<[number, number]>;
  intent: CxIntent;
  response_selector: {
    default: {
      response: {
        confidence: number;
        responses: null;
        utter_action: string;
        intent_response_key: null;
      };
      ranking: unknown[];
    };
    all_retrieval_intents: unknown[];
  };
}

export interface CxUserEvent {
  input_channel: string;
  metadata: CxEventMetadata;
  parse_data: CxParseData;
  message_id: string;
  text: string;
  event: 'user';
  timestamp: number;
}

export interface CxUserFeaturizationEvent {
  metadata: CxEventMetadata;
  use_text_for_featurization: boolean;
  event: 'user_featurization';
  timestamp: number;
}

export interface CxQuickReply {
  payload: string;
  title: string;
}

export interface CxButton {
  title: string;
  payload: string;
}

/** The `custom` part of a bot message: where CXone puts the text the end user actually sees. */
export interface CxBotCustom {
  payload: {
    buttons?: CxButton[];
    quick_replies?: CxQuickReply[];
    text: string;
  };
  script_typing?: number;
  msgid?: string;
  fallback_text: string;
}

export interface CxBotEvent {
  metadata: CxEventMetadata;
  data: {
    image?: null;
    buttons?: null;
    attachment?: null;
    elements?: null;
    quick_replies?: null;
    custom?: CxBotCustom | null;
  };
  /** Plain bot text; null when the text is in `data.custom.payload.text`. */
  text: string | null;
  event: 'bot';
  timestamp: number;
}

/** Any other Rasa event (`restart`, `pause`, `active_loop`, `followup`, …): `event` and `timestamp` plus its own fields. */
export interface CxGenericEvent {
  metadata?: CxEventMetadata;
  event: string;
  timestamp: number;
  [field: string]: unknown;
}

export type CxEvent = CxActionEvent | CxSessionStartedEvent | CxSlotEvent | CxUserEvent | CxUserFeaturizationEvent | CxBotEvent | CxGenericEvent;

/** One record of the export's `data` array. */
export interface CxConversation {
  /** When the conversation started, epoch ms. */
  timestamp: number;
  /** `chat;<60 alphanumerics>;<40 hex>`. */
  conversationId: string;
  customer: { id: string; name: string };
  channel: { id: string; name: string; icon: string };
  isReviewed: boolean;
  dfo: { caseId: string; postId: string };
  conversationNumber: number;
  tags: string[];
  notes: string;
  msgCount: number;
  customerMsgCount: number;
  botMsgCount: number;
  tracker: { name: string; events: CxEvent[] };
  /** The time of the last tracker event, epoch ms. */
  lastMessageAt: number;
  /** `start__1->greetings__2->…`, ending in `->end` once the conversation is over. */
  journey: string;
  transitions: Array<{ name: string }>;
}

/** The export's response body. */
export interface CxPage {
  data: CxConversation[];
  per_page: number;
  total: number;
  count: number;
  path: string;
  next_page_url: string | null;
  scroll_id: string;
}

/** The error body of this simulator (the vendor documents none). */
export interface CxErrorBody {
  status: number;
  error: string;
  message: string;
}
