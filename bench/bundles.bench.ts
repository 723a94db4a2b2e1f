/**
 * `npm run bench -- bundles`: for each function the stack builds, the minified bundle's size
 * and the time to import it in a fresh Node process (the cold-start share that is ours),
 * against a bare handler bundled the same way: median of 20 each. Targets: each bundle at
 * most 250 KB, import time at most 1.5 times the bare handler's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { synthesizeBundles } from '../test/bundle/synthesize-bundles.js';
import { BenchReport } from './common/results-file.js';

const runs = 20;
const maxBundleBytes = 250 * 1024;
const maxImportRatio = 1.5;

/** A handler that does nothing, bundled with the functions' esbuild settings. */
async function bareBundle(dir: string): Promise<string> {
  const entry = join(dir, 'bare.ts');
  const outfile = join(dir, 'bare', 'index.js');
  await writeFile(entry, 'export const handler = async () => ({});\n');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    logLevel: 'silent',
  });
  return outfile;
}

/** Median wall time of a fresh `node` that requires the bundle and exits. */
function importTime(bundle: string): number {
  const times: number[] = [];
  const script = `require(${JSON.stringify(bundle)})`;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    execFileSync(process.execPath, ['--enable-source-maps', '-e', script], { stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return ((times[runs / 2 - 1] ?? 0) + (times[runs / 2] ?? 0)) / 2;
}

export default async function bundlesBench(flags: string[]): Promise<void> {
  const out = new BenchReport(
    'bundles',
    `Each function's minified bundle and the time to import it in a fresh Node.js process (median of ${runs}), against a bare handler bundled the same way. Targets: each bundle at most 250 KB, import time at most ${maxImportRatio} times the bare handler's.`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'bundle-bench-'));
  let met = true;
  try {
    const bundles = await synthesizeBundles(join(dir, 'cdk.out'));
    const bare = await bareBundle(dir);
    const bareTime = importTime(bare);
    out.print(
      `median of ${runs} fresh Node processes each (node ${process.version}, ${process.arch})`,
    );
    out.print(
      `${'bundle'.padEnd(24)}${'size'.padStart(10)}  ${'import'.padStart(9)}  ${'vs bare'.padStart(8)}`,
    );
    out.print(
      `${'bare handler'.padEnd(24)}${kb((await stat(bare)).size)}  ${ms(bareTime)}  ${'1.00x'.padStart(8)}`,
    );
    for (const [name, bundle] of bundles) {
      const size = (await stat(bundle)).size;
      const time = importTime(bundle);
      const ratio = time / bareTime;
      const ok = size <= maxBundleBytes && ratio <= maxImportRatio;
      met &&= ok;
      out.print(
        `${name.padEnd(24)}${kb(size)}  ${ms(time)}  ${`${ratio.toFixed(2)}x`.padStart(8)}  ${ok ? 'met' : 'MISSED'} (≤ 250 KB, ≤ ${maxImportRatio}x)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await out.save(flags, met);
  if (!met) process.exitCode = 1;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`.padStart(10);
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`.padStart(9);
}
