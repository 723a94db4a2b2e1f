import { inject } from 'vitest';

/**
 * The Node options that make a child process run the project's TypeScript, as
 * `node --import tsx` does (`npm start`, `npm run jobs`): the code global-setup.ts transpiled
 * for the run (see prebuilt-ts/hooks.mjs), which spares each process tsx's start-up; tsx
 * when there is none (a test file run without the global setup).
 */
export function typeScriptNodeOptions(): string[] {
  return ['--import', inject('typeScriptLoader') ?? 'tsx'];
}
