/**
 * The reference server of `bench/compare.ts`: a bare Apollo Server 5 answering `{ hello }` on
 * `/graphql`, over node:http like botgraph. Its req/s and CPU per request are the yardstick botgraph's
 * figures are divided by, measured in the same run on the same machine.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const port = Number(process.argv[2]);
const server = new ApolloServer({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } });
const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
process.send?.({ type: 'ready', url });
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
