import { ConfigError, type Env, readOptionalString } from '../config/env.js';
import { redact } from '../runner/redact.js';

/** Where the database is: a URL (local, tests) or a Secrets Manager secret (AWS). */
export type DatabaseLocation =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'secret'; readonly secretArn: string };

const postgresSchemes = ['postgres:', 'postgresql:'];

/**
 * `DATABASE_URL` when set, else `DB_SECRET_ARN`.
 *
 * @throws {ConfigError} when neither is set, or `DATABASE_URL` is not a `postgres://` URL.
 */
export function readDatabaseLocation(env: Env): DatabaseLocation {
  const url = readDatabaseUrl(env);
  if (url) return { kind: 'url', url };
  const secretArn = readOptionalString(env, 'DB_SECRET_ARN');
  if (secretArn) return { kind: 'secret', secretArn };
  throw new ConfigError(
    'DATABASE_URL',
    'no database configured: set DATABASE_URL (a postgres:// URL) or DB_SECRET_ARN (an RDS secret in Secrets Manager)',
  );
}

/**
 * `DATABASE_URL`, checked: a `postgres://` (or `postgresql://`) URL with a host or a socket
 * folder (`?host=/var/run/postgresql`). Unset or blank gives `undefined`.
 *
 * @throws {ConfigError} naming the variable, with the value's credentials masked.
 */
export function readDatabaseUrl(env: Env): string | undefined {
  const raw = readOptionalString(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let problem: string | undefined;
  try {
    const url = new URL(raw);
    if (!postgresSchemes.includes(url.protocol)) {
      problem = `its scheme is ${url.protocol.replace(/:$/, '')}`;
    } else if (!url.hostname && !url.searchParams.get('host')) {
      problem = 'it names no host';
    }
  } catch {
    problem = 'it is not a URL';
  }
  if (problem) {
    throw new ConfigError(
      'DATABASE_URL',
      `DATABASE_URL must be a postgres:// URL such as postgres://user:password@host:5432/database, ` +
        `but ${problem}: ${JSON.stringify(redact(raw))}`,
    );
  }
  return raw;
}
