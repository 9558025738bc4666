// urql with Graphcache (normalized cache) and graphql-ws for subscriptions.
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws'; // Node only: a browser has WebSocket built in; drop this and webSocketImpl.
import generated from './__generated__/possible-types.js';

export function createUrqlClient(httpUrl: string, apiKey?: string) {
  const authorization = apiKey ? `Bearer ${apiKey}` : undefined;
  // urql sends queries as GET when the URL is short enough; Apollo Server's CSRF prevention wants
  // this header on a GET (or set `preferGetMethod: false` to POST everything).
  const headers: Record<string, string> = { 'apollo-require-preflight': 'true', ...(authorization ? { authorization } : {}) };
  const wsClient = createWsClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
  });
  const cache = cacheExchange({
    possibleTypes: generated.possibleTypes,
    // Objects without an id are embedded in their parent, not normalized.
    keys: {
      PageInfo: () => null,
      Intent: () => null,
      QuickReply: () => null,
      Attachment: () => null,
      CollectedDatum: () => null,
      ProviderInfo: (p) => p.provider as string,
      UserUtteranceEvent: () => null,
      BotUtteranceEvent: () => null,
      ActionEvent: () => null,
      SlotEvent: () => null,
      SessionStartedEvent: () => null,
      GenericTrackerEvent: () => null,
    },
    resolvers: {
      // Pages of a connection merge into one list (forward with `after`, backward with `before`).
      Query: { conversations: relayPagination() },
      Conversation: { messages: relayPagination() },
    },
  });
  const client = new Client({
    url: httpUrl,
    fetchOptions: () => ({ headers }),
    exchanges: [
      cache,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return { subscribe: (sink) => ({ unsubscribe: wsClient.subscribe(input, sink) }) };
        },
      }),
    ],
  });
  return { client, wsClient };
}
