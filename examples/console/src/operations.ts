// Everything the console asks botgraph, as typed operations (GraphQL Codegen's client preset).
import { graphql } from '../../../docs/clients/__generated__/gql.js';

export const ConsoleInbox = graphql(`
  query ConsoleInbox($first: Int!) {
    providers {
      provider
      enabled
      healthy
    }
    conversations(first: $first) {
      edges {
        node {
          ...ConsoleConversation
        }
      }
    }
  }
`);

export const ConsoleConversationFields = graphql(`
  fragment ConsoleConversation on Conversation {
    id
    provider
    title
    status
    handoff
    updatedAt
    channel
    endUser {
      name
    }
  }
`);

export const ConsoleMessages = graphql(`
  query ConsoleMessages($id: ID!) {
    conversation(id: $id) {
      ...ConsoleConversation
      messages(last: 50) {
        edges {
          node {
            ...ConsoleMessage
          }
        }
      }
    }
  }
`);

export const ConsoleMessageFields = graphql(`
  fragment ConsoleMessage on Message {
    id
    sender
    text
    createdAt
    intent {
      name
      confidence
    }
    quickReplies {
      title
    }
  }
`);

export const ConsoleConversationUpdated = graphql(`
  subscription ConsoleConversationUpdated {
    conversationUpdated {
      ...ConsoleConversation
    }
  }
`);

export const ConsoleHandoffRequested = graphql(`
  subscription ConsoleHandoffRequested {
    handoffRequested {
      ...ConsoleConversation
    }
  }
`);

export const ConsoleMessageAdded = graphql(`
  subscription ConsoleMessageAdded($id: ID!) {
    messageAdded(conversationId: $id) {
      ...ConsoleMessage
    }
  }
`);

export const ConsoleStartHandoff = graphql(`
  mutation ConsoleStartHandoff($id: ID!) {
    startHandoff(input: { conversationId: $id }) {
      conversation {
        ...ConsoleConversation
      }
    }
  }
`);

export const ConsoleEndHandoff = graphql(`
  mutation ConsoleEndHandoff($id: ID!) {
    endHandoff(input: { conversationId: $id }) {
      conversation {
        ...ConsoleConversation
      }
    }
  }
`);

export const ConsoleSend = graphql(`
  mutation ConsoleSend($id: ID!, $text: String!, $key: String!) {
    sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $key }) {
      message {
        ...ConsoleMessage
      }
      replayed
    }
  }
`);
