import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Temporal test servers and workers are heavy; two cores run two files at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
