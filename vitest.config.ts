import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers; keep each file in its own fork so ports and timers never leak.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
