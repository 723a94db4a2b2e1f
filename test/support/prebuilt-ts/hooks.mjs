/**
 * Module hooks (`module.register`) that run the project's TypeScript from JavaScript
 * transpiled ahead of time (see prebuild.ts): a process started with them runs `cli/cli.ts`
 * as `node --import tsx` does, each module at its own file URL (so `import.meta.dirname`, the
 * harness's paths and `import()` of a handler's `.ts` file are the same), without tsx's
 * start-up in every process (tsx and esbuild loaded in the hooks' thread, a cache looked up
 * per file): about half a second of CPU per process on Node 20.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root, and where its transpiled copy is (same layout, `.js` for `.ts`). */
let root = '';
let outDir = '';
/** The file URLs of the transpiled `.ts` files. */
let sources = new Set();

export function initialize(data) {
  root = data.root;
  outDir = data.outDir;
  sources = new Set(data.sources);
}

/** TypeScript's NodeNext imports name `./module.js` for `./module.ts`. */
export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL).href;
    if (sources.has(url)) return { url, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!sources.has(url)) return nextLoad(url, context);
  const file = join(outDir, relative(root, fileURLToPath(url))).replace(/\.ts$/, '.js');
  return { format: 'module', source: await readFile(file, 'utf8'), shortCircuit: true };
}
