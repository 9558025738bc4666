// The graphql-ws client on its own, resuming after a reconnect: every event carries an
// `eventCursor`; subscribing again with `since: <last cursor>` replays what was missed, in order,
// then goes live — each event exactly once.
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws'; // Node only: a browser has WebSocket built in; drop this and webSocketImpl.

const MESSAGE_ADDED = `subscription($id: ID!, $since: String) {
  messageAdded(conversationId: $id, since: $since) { id sender text eventCursor }
}`;

export interface Message {
  id: string;
  sender: string;
  text: string | null;
  eventCursor: string;
}

export function followMessages(wsUrl: string, conversationId: string, onMessage: (m: Message) => void, apiKey?: string) {
  // No automatic retries: graphql-ws would resubscribe with the *original* variables. This loop
  // reconnects itself, with the cursor of the last event it saw.
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
  let since: string | null = null;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        const events: AsyncIterable<FormattedExecutionResult<{ messageAdded: Message }>> = client.iterate({
          query: MESSAGE_ADDED,
          variables: { id: conversationId, since },
        });
        for await (const event of events) {
          if (!event.data) throw new Error(event.errors?.[0]?.message ?? 'subscription error');
          since = event.data.messageAdded.eventCursor;
          onMessage(event.data.messageAdded);
        }
      } catch {
        // The socket closed (network, deploy, load balancer): wait a little, then resume.
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await client.dispose();
    },
  };
}
