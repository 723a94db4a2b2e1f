import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * How long a test, hook or teardown may take before it counts as hung. A hang guard only:
 * no test relies on it to end something, so it is generous (integration tests start servers,
 * spawn CLI processes and build bundles, which on a busy 2-core machine can take many times
 * their usual seconds). Nothing in the tests should race a wall-clock budget against real work.
 */
const hangGuardMs = 300_000;

/** The files that synthesise the CDK stack. */
const cdkFiles = ['test/infra/**/*.test.ts', 'test/bundle/**/*.test.ts'];
/** Pure functions and mocked clients. */
const unitFiles = ['test/unit/**/*.test.ts'];

/** What every project shares. */
const common = {
  pool: 'forks',
  testTimeout: hangGuardMs,
  hookTimeout: hangGuardMs,
  teardownTimeout: hangGuardMs,
  // One worker more than the cores (Vitest's default is one less): many integration files
  // spend much of their time waiting (on a lock another session holds, on pg_sleep in a
  // trigger, on a child process), and a third file then uses the core they leave idle.
  maxWorkers: availableParallelism() + 1,
} as const;

export default defineConfig({
  test: {
    // Starts one PostgreSQL server (or uses DATABASE_URL) for the whole run; the projects
    // inherit what it provides.
    globalSetup: ['test/support/global-setup.ts'],
    ...common,
    projects: [
      {
        // The files that synthesise the CDK stack share worker processes (a file does not
        // get a fresh one): each process that synthesises pays once for loading aws-cdk-lib
        // and cdk-nag, and for starting the WebAssembly engine of CloudFormation Validate,
        // which every synthesis runs (about 4 s of CPU).
        test: {
          ...common,
          name: 'cdk',
          include: cdkFiles,
          isolate: false,
        },
      },
      {
        // These files share worker processes too, so the AWS SDK and the rest load once per
        // worker instead of once per file: none depends on a fresh module state (they pass
        // in any order), and each restores the AWS SDK mocks it installs.
        test: {
          ...common,
          name: 'unit',
          include: unitFiles,
          isolate: false,
        },
      },
      {
        // The rest (servers, databases, child processes) share worker processes as well:
        // each file starts and stops what it uses, in a database of its own, so none depends
        // on a fresh process; and pg, Powertools and the jobs' code load once per worker
        // instead of once per file (about 0.6 s of CPU a file).
        test: {
          ...common,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...cdkFiles, ...unitFiles],
          isolate: false,
        },
      },
    ],
  },
});
