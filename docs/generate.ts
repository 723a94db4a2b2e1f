/**
 * `npm run docs`: writes the reference pages generated from specs in code (see
 * docs/reference-pages.ts). test/unit/docs.test.ts fails when a committed page differs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generatedPages } from './reference-pages.js';

const root = join(import.meta.dirname, '..');

for (const page of generatedPages()) {
  const file = join(root, page.path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, page.text);
  console.log(`wrote ${page.path}`);
}
