// Typed operations: GraphQL Codegen's client preset turns each `graphql()` call into a
// TypedDocumentNode (run `npm run codegen` after editing). Results and variables are typed from
// botgraph's schema: `data.conversations.edges[0].node.status` is a `ConversationStatus`.
import { graphql } from './__generated__/gql.js';

export const InboxQuery = graphql(`
  query Inbox($first: Int!, $after: String, $filter: ConversationFilter) {
    conversations(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          provider
          title
          status
          handoff
          updatedAt
          endUser {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

export const ConversationQuery = graphql(`
  query Conversation($id: ID!, $last: Int!) {
    conversation(id: $id) {
      id
      provider
      title
      status
      handoff
      messages(last: $last) {
        edges {
          cursor
          node {
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
        }
        pageInfo {
          hasPreviousPage
          startCursor
          hasNextPage
          endCursor
        }
      }
      trackerEvents {
        __typename
        type
        timestamp
        ... on UserUtteranceEvent {
          text
          intent {
            name
            confidence
          }
        }
        ... on BotUtteranceEvent {
          text
          quickReplies {
            title
          }
        }
      }
    }
  }
`);

export const MessageAddedSubscription = graphql(`
  subscription MessageAdded($conversationId: ID!, $since: String) {
    messageAdded(conversationId: $conversationId, since: $since) {
      id
      sender
      text
      createdAt
      eventCursor
    }
  }
`);

export const SendMessageMutation = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      message {
        id
        sender
        text
      }
      replayed
    }
  }
`);
