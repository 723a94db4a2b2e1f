import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one PostgreSQL server (or uses DATABASE_URL) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Integration tests start servers and run real queries.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
    // At least two workers, even on two cores (Vitest's default is one less than the cores):
    // most integration files spend much of their time waiting on PostgreSQL or on a child
    // process.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
