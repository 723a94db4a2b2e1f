/**
 * `npm run bench -- bundles`: for each function the stack builds, the minified bundle's size
 * and the time to import it as Lambda loads a CommonJS handler (`require` in a fresh Node
 * process, with the function's environment, NODE_OPTIONS included), against a bare handler
 * bundled and started the same way. On Lambda's Node (24: `BUNDLE_NODE`, else the one
 * `.ci/node24` installs) and, for comparison, on the Node running the bench. Each round
 * starts the bare handler and then each bundle, one after another, so that they share the
 * machine's load; the ratio is the median of the rounds' ratios. Targets, on Lambda's Node:
 * each bundle at most 250 KB, its import at most 1.5 times the bare handler's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  bundleNode,
  installedNode24,
  type NodeBinary,
  nodeBinary,
} from '../test/bundle/bundle-node.js';
import { type BuiltBundle, synthesizeBundles } from '../test/bundle/synthesize-bundles.js';
import { BenchReport } from './common/results-file.js';

const rounds = 30;
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
    sourcesContent: false,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    logLevel: 'silent',
  });
  return outfile;
}

/** Wall time of a fresh `node` that requires `file` with `environment`, and exits. */
function importOnce(node: string, file: string, environment: Record<string, string>): number {
  const started = performance.now();
  execFileSync(node, ['-e', `require(${JSON.stringify(file)})`], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '', ...environment },
  });
  return performance.now() - started;
}

interface Timing {
  /** Median import time. */
  readonly ms: number;
  /** Median over the rounds of this import's time over the bare handler's. */
  readonly ratio: number;
}

/** Times the bare handler and each bundle in turns, `rounds` times, on `node`. */
function timeImports(
  node: string,
  bare: string,
  bundles: readonly BuiltBundle[],
): { bare: number; bundles: Timing[] } {
  // The bare handler starts as the functions do: same environment, same NODE_OPTIONS.
  const environment = bundles[0]?.environment ?? {};
  const bareTimes: number[] = [];
  const times = bundles.map(() => [] as number[]);
  const ratios = bundles.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const bareTime = importOnce(node, bare, environment);
    bareTimes.push(bareTime);
    bundles.forEach((bundle, index) => {
      const time = importOnce(node, bundle.file, bundle.environment);
      times[index]?.push(time);
      ratios[index]?.push(time / bareTime);
    });
  }
  return {
    bare: median(bareTimes),
    bundles: bundles.map((_, index) => ({
      ms: median(times[index] ?? []),
      ratio: median(ratios[index] ?? []),
    })),
  };
}

/** Lambda's Node: `BUNDLE_NODE`, else the one `.ci/node24` installs; undefined if neither. */
function lambdaNode(): NodeBinary | undefined {
  if (process.env.BUNDLE_NODE?.trim()) return bundleNode();
  return existsSync(installedNode24) ? nodeBinary(installedNode24, 'Node 24') : undefined;
}

export default async function bundlesBench(flags: string[]): Promise<void> {
  const out = new BenchReport(
    'bundles',
    `Each function's minified bundle and the time to import it as Lambda loads a CommonJS handler (\`require\` in a fresh process, with the function's environment, NODE_OPTIONS included), against a bare handler bundled the same way: median of ${rounds} rounds taking each in turn, on Node 24 (Lambda's nodejs24.x, where the targets are checked) and on the Node running the bench. Targets: each bundle at most 250 KB, import time at most ${maxImportRatio} times the bare handler's on Node 24.`,
  );
  const lambda = lambdaNode();
  let met = lambda !== undefined;
  if (!lambda) {
    out.print(
      'Lambda runs the bundles on Node 24, which is not installed here: run `.ci/node24` ' +
        '(it installs it into .cache/node24) or set BUNDLE_NODE to a Node 24 binary.',
    );
  } else if (!lambda.version.startsWith('v24.')) {
    out.print(`warning: Lambda runs Node 24, but the bundles run on ${lambda.version} here`);
  }
  const nodes: NodeBinary[] = [
    ...(lambda ? [lambda] : []),
    ...(lambda?.version === process.version
      ? []
      : [{ path: process.execPath, version: process.version }]),
  ];

  const dir = await mkdtemp(join(tmpdir(), 'bundle-bench-'));
  try {
    const built = await synthesizeBundles(join(dir, 'cdk.out'));
    const names = [...built.keys()];
    const bundles = [...built.values()];
    const bare = await bareBundle(dir);
    const results = nodes.map((node) => timeImports(node.path, bare, bundles));

    const options = bundles[0]?.environment.NODE_OPTIONS;
    out.print(
      `median of ${rounds} rounds, each starting a fresh Node process per bundle that requires it` +
        ` (NODE_OPTIONS=${options || '(none)'}, as the functions have it; ${process.arch})`,
    );
    const header = nodes
      .map((node, index) =>
        `${node.version}${index === 0 && lambda ? ' (Lambda)' : ''}`.padStart(21),
      )
      .join('');
    out.print(`${''.padEnd(24)}${''.padStart(10)}${header}`);
    out.print(
      `${'bundle'.padEnd(24)}${'size'.padStart(10)}${nodes.map(() => `  ${'import'.padStart(9)}  ${'vs bare'.padStart(8)}`).join('')}`,
    );
    out.print(
      `${'bare handler'.padEnd(24)}${kb((await stat(bare)).size)}${results.map((result) => `  ${ms(result.bare)}  ${'1.00x'.padStart(8)}`).join('')}`,
    );
    for (const [index, bundle] of bundles.entries()) {
      const size = (await stat(bundle.file)).size;
      const timings = results.map((result) => result.bundles[index] as Timing);
      const lambdaRatio = lambda ? timings[0]?.ratio : undefined;
      const ok =
        size <= maxBundleBytes && lambdaRatio !== undefined && lambdaRatio <= maxImportRatio;
      met &&= ok;
      out.print(
        `${(names[index] ?? '').padEnd(24)}${kb(size)}${timings.map((timing) => `  ${ms(timing.ms)}  ${`${timing.ratio.toFixed(2)}x`.padStart(8)}`).join('')}  ${ok ? 'met' : 'MISSED'} (≤ 250 KB, ≤ ${maxImportRatio}x on Node 24)`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await out.save(flags, met);
  if (!met) process.exitCode = 1;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`.padStart(10);
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`.padStart(9);
}
