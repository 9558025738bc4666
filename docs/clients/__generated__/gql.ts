/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Inbox($first: Int!, $after: String, $filter: ConversationFilter) {\n    conversations(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          provider\n          title\n          status\n          handoff\n          updatedAt\n          endUser {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.InboxDocument,
    "\n  query Conversation($id: ID!, $last: Int!) {\n    conversation(id: $id) {\n      id\n      provider\n      title\n      status\n      handoff\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            id\n            sender\n            text\n            createdAt\n            intent {\n              name\n              confidence\n            }\n            quickReplies {\n              title\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n          hasNextPage\n          endCursor\n        }\n      }\n      trackerEvents {\n        __typename\n        type\n        timestamp\n        ... on UserUtteranceEvent {\n          text\n          intent {\n            name\n            confidence\n          }\n        }\n        ... on BotUtteranceEvent {\n          text\n          quickReplies {\n            title\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConversationDocument,
    "\n  subscription MessageAdded($conversationId: ID!, $since: String) {\n    messageAdded(conversationId: $conversationId, since: $since) {\n      id\n      sender\n      text\n      createdAt\n      eventCursor\n    }\n  }\n": typeof types.MessageAddedDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      message {\n        id\n        sender\n        text\n      }\n      replayed\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  query ConsoleInbox($first: Int!) {\n    providers {\n      provider\n      enabled\n      healthy\n    }\n    conversations(first: $first) {\n      edges {\n        node {\n          ...ConsoleConversation\n        }\n      }\n    }\n  }\n": typeof types.ConsoleInboxDocument,
    "\n  fragment ConsoleConversation on Conversation {\n    id\n    provider\n    title\n    status\n    handoff\n    updatedAt\n    channel\n    endUser {\n      name\n    }\n  }\n": typeof types.ConsoleConversationFragmentDoc,
    "\n  query ConsoleMessages($id: ID!) {\n    conversation(id: $id) {\n      ...ConsoleConversation\n      messages(last: 50) {\n        edges {\n          node {\n            ...ConsoleMessage\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleMessagesDocument,
    "\n  fragment ConsoleMessage on Message {\n    id\n    sender\n    text\n    createdAt\n    intent {\n      name\n      confidence\n    }\n    quickReplies {\n      title\n    }\n  }\n": typeof types.ConsoleMessageFragmentDoc,
    "\n  subscription ConsoleConversationUpdated {\n    conversationUpdated {\n      ...ConsoleConversation\n    }\n  }\n": typeof types.ConsoleConversationUpdatedDocument,
    "\n  subscription ConsoleHandoffRequested {\n    handoffRequested {\n      ...ConsoleConversation\n    }\n  }\n": typeof types.ConsoleHandoffRequestedDocument,
    "\n  subscription ConsoleMessageAdded($id: ID!) {\n    messageAdded(conversationId: $id) {\n      ...ConsoleMessage\n    }\n  }\n": typeof types.ConsoleMessageAddedDocument,
    "\n  mutation ConsoleStartHandoff($id: ID!) {\n    startHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n": typeof types.ConsoleStartHandoffDocument,
    "\n  mutation ConsoleEndHandoff($id: ID!) {\n    endHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n": typeof types.ConsoleEndHandoffDocument,
    "\n  mutation ConsoleSend($id: ID!, $text: String!, $key: String!) {\n    sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $key }) {\n      message {\n        ...ConsoleMessage\n      }\n      replayed\n    }\n  }\n": typeof types.ConsoleSendDocument,
};
const documents: Documents = {
    "\n  query Inbox($first: Int!, $after: String, $filter: ConversationFilter) {\n    conversations(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          provider\n          title\n          status\n          handoff\n          updatedAt\n          endUser {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.InboxDocument,
    "\n  query Conversation($id: ID!, $last: Int!) {\n    conversation(id: $id) {\n      id\n      provider\n      title\n      status\n      handoff\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            id\n            sender\n            text\n            createdAt\n            intent {\n              name\n              confidence\n            }\n            quickReplies {\n              title\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n          hasNextPage\n          endCursor\n        }\n      }\n      trackerEvents {\n        __typename\n        type\n        timestamp\n        ... on UserUtteranceEvent {\n          text\n          intent {\n            name\n            confidence\n          }\n        }\n        ... on BotUtteranceEvent {\n          text\n          quickReplies {\n            title\n          }\n        }\n      }\n    }\n  }\n": types.ConversationDocument,
    "\n  subscription MessageAdded($conversationId: ID!, $since: String) {\n    messageAdded(conversationId: $conversationId, since: $since) {\n      id\n      sender\n      text\n      createdAt\n      eventCursor\n    }\n  }\n": types.MessageAddedDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      message {\n        id\n        sender\n        text\n      }\n      replayed\n    }\n  }\n": types.SendMessageDocument,
    "\n  query ConsoleInbox($first: Int!) {\n    providers {\n      provider\n      enabled\n      healthy\n    }\n    conversations(first: $first) {\n      edges {\n        node {\n          ...ConsoleConversation\n        }\n      }\n    }\n  }\n": types.ConsoleInboxDocument,
    "\n  fragment ConsoleConversation on Conversation {\n    id\n    provider\n    title\n    status\n    handoff\n    updatedAt\n    channel\n    endUser {\n      name\n    }\n  }\n": types.ConsoleConversationFragmentDoc,
    "\n  query ConsoleMessages($id: ID!) {\n    conversation(id: $id) {\n      ...ConsoleConversation\n      messages(last: 50) {\n        edges {\n          node {\n            ...ConsoleMessage\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleMessagesDocument,
    "\n  fragment ConsoleMessage on Message {\n    id\n    sender\n    text\n    createdAt\n    intent {\n      name\n      confidence\n    }\n    quickReplies {\n      title\n    }\n  }\n": types.ConsoleMessageFragmentDoc,
    "\n  subscription ConsoleConversationUpdated {\n    conversationUpdated {\n      ...ConsoleConversation\n    }\n  }\n": types.ConsoleConversationUpdatedDocument,
    "\n  subscription ConsoleHandoffRequested {\n    handoffRequested {\n      ...ConsoleConversation\n    }\n  }\n": types.ConsoleHandoffRequestedDocument,
    "\n  subscription ConsoleMessageAdded($id: ID!) {\n    messageAdded(conversationId: $id) {\n      ...ConsoleMessage\n    }\n  }\n": types.ConsoleMessageAddedDocument,
    "\n  mutation ConsoleStartHandoff($id: ID!) {\n    startHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n": types.ConsoleStartHandoffDocument,
    "\n  mutation ConsoleEndHandoff($id: ID!) {\n    endHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n": types.ConsoleEndHandoffDocument,
    "\n  mutation ConsoleSend($id: ID!, $text: String!, $key: String!) {\n    sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $key }) {\n      message {\n        ...ConsoleMessage\n      }\n      replayed\n    }\n  }\n": types.ConsoleSendDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inbox($first: Int!, $after: String, $filter: ConversationFilter) {\n    conversations(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          provider\n          title\n          status\n          handoff\n          updatedAt\n          endUser {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Inbox($first: Int!, $after: String, $filter: ConversationFilter) {\n    conversations(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          provider\n          title\n          status\n          handoff\n          updatedAt\n          endUser {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Conversation($id: ID!, $last: Int!) {\n    conversation(id: $id) {\n      id\n      provider\n      title\n      status\n      handoff\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            id\n            sender\n            text\n            createdAt\n            intent {\n              name\n              confidence\n            }\n            quickReplies {\n              title\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n          hasNextPage\n          endCursor\n        }\n      }\n      trackerEvents {\n        __typename\n        type\n        timestamp\n        ... on UserUtteranceEvent {\n          text\n          intent {\n            name\n            confidence\n          }\n        }\n        ... on BotUtteranceEvent {\n          text\n          quickReplies {\n            title\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Conversation($id: ID!, $last: Int!) {\n    conversation(id: $id) {\n      id\n      provider\n      title\n      status\n      handoff\n      messages(last: $last) {\n        edges {\n          cursor\n          node {\n            id\n            sender\n            text\n            createdAt\n            intent {\n              name\n              confidence\n            }\n            quickReplies {\n              title\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n          hasNextPage\n          endCursor\n        }\n      }\n      trackerEvents {\n        __typename\n        type\n        timestamp\n        ... on UserUtteranceEvent {\n          text\n          intent {\n            name\n            confidence\n          }\n        }\n        ... on BotUtteranceEvent {\n          text\n          quickReplies {\n            title\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageAdded($conversationId: ID!, $since: String) {\n    messageAdded(conversationId: $conversationId, since: $since) {\n      id\n      sender\n      text\n      createdAt\n      eventCursor\n    }\n  }\n"): (typeof documents)["\n  subscription MessageAdded($conversationId: ID!, $since: String) {\n    messageAdded(conversationId: $conversationId, since: $since) {\n      id\n      sender\n      text\n      createdAt\n      eventCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      message {\n        id\n        sender\n        text\n      }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      message {\n        id\n        sender\n        text\n      }\n      replayed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleInbox($first: Int!) {\n    providers {\n      provider\n      enabled\n      healthy\n    }\n    conversations(first: $first) {\n      edges {\n        node {\n          ...ConsoleConversation\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleInbox($first: Int!) {\n    providers {\n      provider\n      enabled\n      healthy\n    }\n    conversations(first: $first) {\n      edges {\n        node {\n          ...ConsoleConversation\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleConversation on Conversation {\n    id\n    provider\n    title\n    status\n    handoff\n    updatedAt\n    channel\n    endUser {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleConversation on Conversation {\n    id\n    provider\n    title\n    status\n    handoff\n    updatedAt\n    channel\n    endUser {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMessages($id: ID!) {\n    conversation(id: $id) {\n      ...ConsoleConversation\n      messages(last: 50) {\n        edges {\n          node {\n            ...ConsoleMessage\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ConsoleMessages($id: ID!) {\n    conversation(id: $id) {\n      ...ConsoleConversation\n      messages(last: 50) {\n        edges {\n          node {\n            ...ConsoleMessage\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleMessage on Message {\n    id\n    sender\n    text\n    createdAt\n    intent {\n      name\n      confidence\n    }\n    quickReplies {\n      title\n    }\n  }\n"): (typeof documents)["\n  fragment ConsoleMessage on Message {\n    id\n    sender\n    text\n    createdAt\n    intent {\n      name\n      confidence\n    }\n    quickReplies {\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleConversationUpdated {\n    conversationUpdated {\n      ...ConsoleConversation\n    }\n  }\n"): (typeof documents)["\n  subscription ConsoleConversationUpdated {\n    conversationUpdated {\n      ...ConsoleConversation\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleHandoffRequested {\n    handoffRequested {\n      ...ConsoleConversation\n    }\n  }\n"): (typeof documents)["\n  subscription ConsoleHandoffRequested {\n    handoffRequested {\n      ...ConsoleConversation\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleMessageAdded($id: ID!) {\n    messageAdded(conversationId: $id) {\n      ...ConsoleMessage\n    }\n  }\n"): (typeof documents)["\n  subscription ConsoleMessageAdded($id: ID!) {\n    messageAdded(conversationId: $id) {\n      ...ConsoleMessage\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleStartHandoff($id: ID!) {\n    startHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleStartHandoff($id: ID!) {\n    startHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleEndHandoff($id: ID!) {\n    endHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleEndHandoff($id: ID!) {\n    endHandoff(input: { conversationId: $id }) {\n      conversation {\n        ...ConsoleConversation\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSend($id: ID!, $text: String!, $key: String!) {\n    sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $key }) {\n      message {\n        ...ConsoleMessage\n      }\n      replayed\n    }\n  }\n"): (typeof documents)["\n  mutation ConsoleSend($id: ID!, $text: String!, $key: String!) {\n    sendMessage(input: { conversationId: $id, text: $text, idempotencyKey: $key }) {\n      message {\n        ...ConsoleMessage\n      }\n      replayed\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;