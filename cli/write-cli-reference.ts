/** `npm run docs`: writes the CLI reference (docs/reference/cli.md) from the command spec. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliReference, cliReferencePath } from './cli-reference.js';

await mkdir(path.dirname(cliReferencePath), { recursive: true });
await writeFile(cliReferencePath, cliReference());
console.log(`wrote ${path.relative(process.cwd(), cliReferencePath)}`);
