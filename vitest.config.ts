import { defineConfig } from 'vitest/config';

/**
 * How long a test, hook or teardown may take before it counts as hung. A hang guard only:
 * no test relies on it to end something, so it is generous (integration tests start servers,
 * spawn CLI processes and build bundles, which on a busy 2-core machine can take many times
 * their usual seconds). Nothing in the tests should race a wall-clock budget against real work.
 */
const hangGuardMs = 300_000;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one PostgreSQL server (or uses DATABASE_URL) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: hangGuardMs,
    hookTimeout: hangGuardMs,
    teardownTimeout: hangGuardMs,
  },
});
