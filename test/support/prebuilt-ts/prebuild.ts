/**
 * The project's TypeScript, transpiled once per test run, for the Node processes the tests
 * start (the CLI, a job or a server in a child process): see hooks.mjs. esbuild transpiles
 * each file on its own, as tsx does, with the project's tsconfig.json.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** The project's root. */
const root = join(import.meta.dirname, '..', '..', '..');

/** The folders whose `.ts` files a test's child process may import. */
const sourceFolders = ['cli', 'dev-db', 'functions', 'harness', 'infra', 'test/support'];

/**
 * Transpiles the project's TypeScript into `outDir` (same layout, `.js` for `.ts`) and writes
 * the module that registers hooks.mjs for it; returns that module's path, for `--import`.
 */
export async function prebuildTypeScript(outDir: string): Promise<string> {
  const sources: string[] = [];
  for (const folder of sourceFolders) {
    const entries = await readdir(join(root, folder), { recursive: true });
    for (const entry of entries) {
      if (entry.endsWith('.ts') && !entry.endsWith('.d.ts'))
        sources.push(join(root, folder, entry));
    }
  }
  await build({
    entryPoints: sources,
    outdir: outDir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  const register = join(outDir, 'register.mjs');
  const data = {
    root,
    outDir,
    sources: sources.map((file) => pathToFileURL(file).href),
  };
  await writeFile(
    register,
    `import { register } from 'node:module';\n` +
      `register(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'hooks.mjs')).href)}, { data: ${JSON.stringify(data)} });\n`,
  );
  return register;
}
