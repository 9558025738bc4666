import type { CxConversation } from './types.js';

/**
 * The one conversation of the vendor document's example response, kept verbatim (same times, ids
 * and events) as a record of bot 1327. Its times (2 July 2024) are older than the seeded 90 days:
 * that is deliberate, so that mapper tests can compare it with test/fixtures/cxone/example-response.json
 * byte for byte. Generated from that fixture; do not edit by hand.
 */
export function exampleConversation(): CxConversation {
  // A fresh copy each time: the store treats records as immutable, but callers may not.
  return structuredClone(EXAMPLE);
}

const EXAMPLE: CxConversation = {
  "timestamp": 1719943426916,
  "conversationId": "chat;wOT4JjXiVYwsgqUaOX3VHpCQd3OzYpXZqJfCK7yzIQzTofYJh4BvD6RuB4De;df3323db2a5ca2b95767dba4fdafbeb1e31ed899",
  "customer": {
    "id": "Anne Shirley",
    "name": "Anne Shirley"
  },
  "channel": {
    "id": "",
    "name": "Talk to your bot",
    "icon": ""
  },
  "isReviewed": true,
  "dfo": {
    "caseId": "",
    "postId": ""
  },
  "conversationNumber": 13,
  "tags": [],
  "notes": "",
  "msgCount": 8,
  "customerMsgCount": 4,
  "botMsgCount": 4,
  "tracker": {
    "name": "1327-chat;wOT4JjXiVYwsgqUaOX3VHpCQd3OzYpXZqJfCK7yzIQzTofYJh4BvD6RuB4De;df3323db2a5ca2b95767dba4fdafbeb1e31ed899",
    "events": [
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_session_start",
        "event": "action",
        "type": "session_start",
        "timestamp": 1719943427.00903,
        "policy": null
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "event": "session_started",
        "timestamp": 1719943427.00907
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": null,
        "name": "action_listen",
        "event": "action",
        "type": "listen",
        "timestamp": 1719943427.00909,
        "policy": null
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "last customer message",
        "event": "slot",
        "value": "Hi",
        "timestamp": 1719943426
      },
      {
        "input_channel": "rest",
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "parse_data": {
          "metadata": [],
          "entities": [],
          "intent_ranking": [
            {
              "confidence": 0.999254524707794,
              "name": "greetings"
            },
            {
              "confidence": 0.000439087860286235,
              "name": "disagree"
            },
            {
              "confidence": 0.000150558917084708,
              "name": "Password_reset"
            },
            {
              "confidence": 0.0000576797829126,
              "name": "account_trouble"
            },
            {
              "confidence": 0.000042040039261337,
              "name": "relief"
            },
            {
              "confidence": 0.000033947151678148,
              "name": "thanks"
            },
            {
              "confidence": 0.000020435854821698,
              "name": "agree"
            },
            {
              "confidence": 0.000001789070665836,
              "name": "goodbyes"
            }
          ],
          "message_id": "454bd66a26b740bebf01b6cbb8ea055f",
          "text": "Hi",
          "text_tokens": [
            [
              0,
              2
            ]
          ],
          "intent": {
            "confidence": 0.999254524707794,
            "name": "greetings"
          },
          "response_selector": {
            "default": {
              "response": {
                "confidence": 0,
                "responses": null,
                "utter_action": "utter_None",
                "intent_response_key": null
              },
              "ranking": []
            },
            "all_retrieval_intents": []
          }
        },
        "message_id": "454bd66a26b740bebf01b6cbb8ea055f",
        "text": "Hi",
        "event": "user",
        "timestamp": 1719943427.02725
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "yesOrno",
        "event": "slot",
        "value": "Hi",
        "timestamp": 1719943427.02793
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "use_text_for_featurization": false,
        "event": "user_featurization",
        "timestamp": 1719943427.07373
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": true,
        "confidence": 1,
        "name": "utter_eyJoYXNoIjoiYmE2ZGM2OTJjNDc1YmNkNTA0NjEyZjZiZjdkMTg5M2E3MmJiMmQ2NiIsInRpZCI6Mjc0MjAsInR5cGUiOiJtZXNzYWdlIn0=",
        "event": "action",
        "timestamp": 1719943427.07374,
        "policy": "RulePolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa",
          "utter_action": "utter_eyJoYXNoIjoiYmE2ZGM2OTJjNDc1YmNkNTA0NjEyZjZiZjdkMTg5M2E3MmJiMmQ2NiIsInRpZCI6Mjc0MjAsInR5cGUiOiJtZXNzYWdlIn0="
        },
        "data": {
          "image": null,
          "buttons": null,
          "attachment": null,
          "elements": null,
          "quick_replies": null,
          "custom": {
            "payload": {
              "buttons": [],
              "text": "Hi, what can I help with?"
            },
            "fallback_text": ""
          }
        },
        "text": null,
        "event": "bot",
        "timestamp": 1719943427.07381
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": true,
        "confidence": 1,
        "name": "action_listen",
        "event": "action",
        "type": "listen",
        "timestamp": 1719943427.07791,
        "policy": "RulePolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "last customer message",
        "event": "slot",
        "value": "I'm at the Columbus office.",
        "timestamp": 1719943437
      },
      {
        "input_channel": "rest",
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "parse_data": {
          "metadata": [],
          "entities": [],
          "intent_ranking": [
            {
              "confidence": 0.99,
              "name": "nlu_fallback"
            },
            {
              "confidence": 0.838853657245636,
              "name": "relief"
            },
            {
              "confidence": 0.0788173228502274,
              "name": "thanks"
            },
            {
              "confidence": 0.0539873205125332,
              "name": "account_trouble"
            },
            {
              "confidence": 0.0121194049715996,
              "name": "agree"
            },
            {
              "confidence": 0.00501278694719076,
              "name": "disagree"
            },
            {
              "confidence": 0.00474171573296189,
              "name": "goodbyes"
            },
            {
              "confidence": 0.00369063019752502,
              "name": "Password_reset"
            },
            {
              "confidence": 0.00277714524418116,
              "name": "greetings"
            }
          ],
          "message_id": "f57ad5efaabc49e9b80a5ad5d1c54e40",
          "text": "I'm at the Columbus office.",
          "text_tokens": [
            [
              0,
              1
            ],
            [
              2,
              3
            ],
            [
              4,
              6
            ],
            [
              7,
              10
            ],
            [
              11,
              19
            ],
            [
              20,
              26
            ]
          ],
          "intent": {
            "confidence": 0.99,
            "name": "nlu_fallback"
          },
          "response_selector": {
            "default": {
              "response": {
                "confidence": 0,
                "responses": null,
                "utter_action": "utter_None",
                "intent_response_key": null
              },
              "ranking": []
            },
            "all_retrieval_intents": []
          }
        },
        "message_id": "f57ad5efaabc49e9b80a5ad5d1c54e40",
        "text": "I'm at the Columbus office.",
        "event": "user",
        "timestamp": 1719943437.68959
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "yesOrno",
        "event": "slot",
        "value": "I'm at the Columbus office.",
        "timestamp": 1719943437.6898
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "use_text_for_featurization": false,
        "event": "user_featurization",
        "timestamp": 1719943437.73715
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_eyJ0aWQiOjI3NDIwLCJ0eXBlIjoiYXNrX2FmZmlybWF0aW9uIn0=",
        "event": "action",
        "type": "ask_affirmation",
        "timestamp": 1719943437.73716,
        "policy": "AugmentedMemoizationPolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "data": {
          "custom": {
            "payload": {
              "quick_replies": [
                {
                  "payload": "/relief",
                  "title": "Yes"
                },
                {
                  "payload": "/advanced_nlu_fallback",
                  "title": "No"
                }
              ],
              "text": "I am not quite sure what you are saying. Are you talking about relief?"
            },
            "script_typing": 0,
            "msgid": "5bb71974-522f-4e3c-80a5-ebf9e23f6fbf",
            "fallback_text": ""
          }
        },
        "text": null,
        "event": "bot",
        "timestamp": 1719943437.73722
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_listen",
        "event": "action",
        "type": "listen",
        "timestamp": 1719943437.74102,
        "policy": "AugmentedMemoizationPolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "last customer message",
        "event": "slot",
        "value": "I'm in the New York office.",
        "timestamp": 1719943447
      },
      {
        "input_channel": "rest",
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "parse_data": {
          "metadata": [],
          "entities": [],
          "intent_ranking": [
            {
              "confidence": 0.99,
              "name": "nlu_fallback"
            },
            {
              "confidence": 0.432721138000488,
              "name": "relief"
            },
            {
              "confidence": 0.401632755994797,
              "name": "account_trouble"
            },
            {
              "confidence": 0.061856634914875,
              "name": "thanks"
            },
            {
              "confidence": 0.0409050695598125,
              "name": "Password_reset"
            },
            {
              "confidence": 0.0317919477820396,
              "name": "agree"
            },
            {
              "confidence": 0.0194509346038103,
              "name": "disagree"
            },
            {
              "confidence": 0.00719568505883217,
              "name": "greetings"
            },
            {
              "confidence": 0.00444584107026458,
              "name": "goodbyes"
            }
          ],
          "message_id": "ceff2630054d4fe4adc9cb147150d5e6",
          "text": "I'm in the New York office.",
          "text_tokens": [
            [
              0,
              1
            ],
            [
              2,
              3
            ],
            [
              4,
              6
            ],
            [
              7,
              10
            ],
            [
              11,
              14
            ],
            [
              15,
              19
            ],
            [
              20,
              26
            ]
          ],
          "intent": {
            "confidence": 0.99,
            "name": "nlu_fallback"
          },
          "response_selector": {
            "default": {
              "response": {
                "confidence": 0,
                "responses": null,
                "utter_action": "utter_None",
                "intent_response_key": null
              },
              "ranking": []
            },
            "all_retrieval_intents": []
          }
        },
        "message_id": "ceff2630054d4fe4adc9cb147150d5e6",
        "text": "I'm in the New York office.",
        "event": "user",
        "timestamp": 1719943447.09339
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "yesOrno",
        "event": "slot",
        "value": "I'm in the New York office.",
        "timestamp": 1719943447.0936
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "use_text_for_featurization": false,
        "event": "user_featurization",
        "timestamp": 1719943447.15005
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_eyJ0aWQiOjI3NDIwLCJ0eXBlIjoiYXNrX2FmZmlybWF0aW9uIn0=",
        "event": "action",
        "type": "ask_affirmation",
        "timestamp": 1719943447.15007,
        "policy": "AugmentedMemoizationPolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "data": {
          "custom": {
            "payload": {
              "quick_replies": [
                {
                  "payload": "/relief",
                  "title": "Yes"
                },
                {
                  "payload": "/advanced_nlu_fallback",
                  "title": "No"
                }
              ],
              "text": "I am not quite sure what you are saying. Are you talking about relief?"
            },
            "script_typing": 0,
            "msgid": "37a3b57b-7e88-4627-ac58-4d957efcca96",
            "fallback_text": ""
          }
        },
        "text": null,
        "event": "bot",
        "timestamp": 1719943447.15014
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_listen",
        "event": "action",
        "type": "listen",
        "timestamp": 1719943447.15575,
        "policy": "AugmentedMemoizationPolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "last customer message",
        "event": "slot",
        "value": "I report to the NYC office",
        "timestamp": 1719944386
      },
      {
        "input_channel": "rest",
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "parse_data": {
          "metadata": [],
          "entities": [],
          "intent_ranking": [
            {
              "confidence": 0.99,
              "name": "nlu_fallback"
            },
            {
              "confidence": 0.551150023937225,
              "name": "relief"
            },
            {
              "confidence": 0.177890375256538,
              "name": "account_trouble"
            },
            {
              "confidence": 0.0891190320253372,
              "name": "thanks"
            },
            {
              "confidence": 0.0731835886836052,
              "name": "disagree"
            },
            {
              "confidence": 0.0399214811623097,
              "name": "greetings"
            },
            {
              "confidence": 0.0349704623222351,
              "name": "Password_reset"
            },
            {
              "confidence": 0.0223926920443773,
              "name": "goodbyes"
            },
            {
              "confidence": 0.0113723818212748,
              "name": "agree"
            }
          ],
          "message_id": "77c21edc1bf14f43941af49a62a25d83",
          "text": "I report to the NYC office",
          "text_tokens": [
            [
              0,
              1
            ],
            [
              2,
              8
            ],
            [
              9,
              11
            ],
            [
              12,
              15
            ],
            [
              16,
              19
            ],
            [
              20,
              26
            ]
          ],
          "intent": {
            "confidence": 0.99,
            "name": "nlu_fallback"
          },
          "response_selector": {
            "default": {
              "response": {
                "confidence": 0,
                "responses": null,
                "utter_action": "utter_None",
                "intent_response_key": null
              },
              "ranking": []
            },
            "all_retrieval_intents": []
          }
        },
        "message_id": "77c21edc1bf14f43941af49a62a25d83",
        "text": "I report to the NYC office",
        "event": "user",
        "timestamp": 1719944386.09162
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "name": "yesOrno",
        "event": "slot",
        "value": "I report to the NYC office",
        "timestamp": 1719944386.09182
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "use_text_for_featurization": false,
        "event": "user_featurization",
        "timestamp": 1719944386.15238
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_eyJ0aWQiOjI3NDIwLCJ0eXBlIjoiYXNrX2FmZmlybWF0aW9uIn0=",
        "event": "action",
        "type": "ask_affirmation",
        "timestamp": 1719944386.1524,
        "policy": "AugmentedMemoizationPolicy"
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "data": {
          "custom": {
            "payload": {
              "quick_replies": [
                {
                  "payload": "/relief",
                  "title": "Yes"
                },
                {
                  "payload": "/advanced_nlu_fallback",
                  "title": "No"
                }
              ],
              "text": "I am not quite sure what you are saying. Are you talking about relief?"
            },
            "script_typing": 0,
            "msgid": "7ca4a2f2-e4c7-45b7-b90c-aee47e818e62",
            "fallback_text": ""
          }
        },
        "text": null,
        "event": "bot",
        "timestamp": 1719944386.15245
      },
      {
        "metadata": {
          "model_id": "e3446bf187254f30b008e14cd2c003fa"
        },
        "action_text": null,
        "hide_rule_turn": false,
        "confidence": 1,
        "name": "action_listen",
        "event": "action",
        "type": "listen",
        "timestamp": 1719944386.15873,
        "policy": "AugmentedMemoizationPolicy"
      }
    ]
  },
  "lastMessageAt": 1719944386159,
  "journey": "start__1->greetings__2->nlu_fallback__3->end",
  "transitions": [
    {
      "name": "start__1->greetings__2"
    },
    {
      "name": "greetings__2->nlu_fallback__3"
    },
    {
      "name": "nlu_fallback__3->end"
    }
  ]
};
