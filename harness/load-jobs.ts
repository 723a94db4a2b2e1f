import { pathToFileURL } from 'node:url';
import { type CatalogueEntry, handlerEntry } from '../functions/catalogue/index.js';
import type { JobHandler } from '../functions/lambda/create-handler.js';
import type { LocalJob } from './scheduler.js';

/**
 * Imports each job's Lambda entry (`functions/jobs/<name>/handler.ts`), the same module the
 * CDK stack bundles, and pairs it with its catalogue entry.
 */
export async function loadJobs(entries: readonly CatalogueEntry[]): Promise<LocalJob[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const file = handlerEntry(entry.name);
      const module = (await import(pathToFileURL(file).href)) as { handler?: JobHandler };
      if (typeof module.handler !== 'function') {
        throw new Error(`${file} does not export a handler made by createJobHandler`);
      }
      return { entry, handler: module.handler };
    }),
  );
}
