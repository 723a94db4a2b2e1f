/**
 * `npm run bench [-- <name>... [--flags]]`: runs the benchmarks in `bench/<name>.bench.ts`
 * (all of them when none is named) one after another, each printing its own tables and
 * rewriting them, with the date and the machine, in `bench/results/<name>.md`.
 * Flags after the names go to every benchmark (e.g. `--rows 200000` for the cleanup one).
 */
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';

const suffix = '.bench.ts';
const available = (await readdir(import.meta.dirname))
  .filter((file) => file.endsWith(suffix))
  .map((file) => basename(file, suffix))
  .sort();

const args = process.argv.slice(2);
const firstFlag = args.findIndex((arg) => arg.startsWith('--'));
const names = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
const unknown = names.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

for (const name of names.length > 0 ? names : available) {
  console.log(`\n=== ${name} ===`);
  const module = (await import(`./${name}${suffix}`)) as {
    default: (flags: string[]) => Promise<void>;
  };
  await module.default(flags);
}
