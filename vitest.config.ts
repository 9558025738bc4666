import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node, and so every dependency (Apollo, graphql-ws,
    // @graphql-tools), loads its CJS `index.js`, while Vite would hand src files the "module"
    // `index.mjs`. Two graphql realms break `instanceof` checks (graphql-ws rejects a schema or
    // GraphQLErrors made by the other one), so src gets the same copy as in production.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers; keep each file in its own fork so ports and timers never leak.
    pool: 'forks',
    testTimeout: 20_000,
    // Hooks start servers and replica processes (tsx compiles each at start): on a loaded 2-core
    // machine that takes tens of seconds, and a hook that waits for a condition should not give up first.
    hookTimeout: 120_000,
  },
});
