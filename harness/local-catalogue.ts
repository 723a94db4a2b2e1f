import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CatalogueEntry,
  CatalogueError,
  catalogue,
  parseJobTimeZones,
  withTimeZones,
} from '../functions/catalogue/index.js';

/** The repository's cdk.json, whose context the CDK app reads. */
const cdkJsonFile = join(import.meta.dirname, '..', 'cdk.json');

/**
 * The catalogue as the stack deploys it by default: with the time zones set in cdk.json's
 * context (`jobTimeZones`), so that the harness runs each job on the instants AWS would.
 * (A zone given only on the command line, `cdk deploy -c jobTimeZones=...`, is not seen here.)
 *
 * @throws {CatalogueError} for an unreadable `jobTimeZones`, an unknown job or zone.
 */
export function localCatalogue(
  entries: readonly CatalogueEntry[] = catalogue,
  file = cdkJsonFile,
): readonly CatalogueEntry[] {
  const context = (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> })
    .context;
  try {
    return withTimeZones(entries, parseJobTimeZones(context?.jobTimeZones));
  } catch (error) {
    if (error instanceof CatalogueError) throw error;
    throw new CatalogueError(`${file}: context jobTimeZones ${(error as Error).message}`);
  }
}
