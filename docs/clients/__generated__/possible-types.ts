
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Bot",
      "Conversation",
      "EndUser",
      "Message"
    ],
    "TrackerEvent": [
      "ActionEvent",
      "BotUtteranceEvent",
      "GenericTrackerEvent",
      "SessionStartedEvent",
      "SlotEvent",
      "UserUtteranceEvent"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Bot",
      "Conversation",
      "EndUser",
      "Message"
    ],
    "TrackerEvent": [
      "ActionEvent",
      "BotUtteranceEvent",
      "GenericTrackerEvent",
      "SessionStartedEvent",
      "SlotEvent",
      "UserUtteranceEvent"
    ]
  }
};
      export default result;
    