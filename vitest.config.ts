import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real peers (an IdP, MCP servers, Chromium) and the CI machine has
    // 2 cores: generous timeouts, and at most two test files at a time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Child processes rather than worker threads: tests spawn servers and touch process-wide
    // state (env, cwd, signals) that threads would share.
    pool: 'forks',
    maxWorkers: 2,
  },
});
