import type { ClientConfig } from 'pg';
import { ConfigError, type Env, readOptionalString } from '../config/env.js';
import { redact } from '../runner/redact.js';
import { readRdsSecret, type SecretSource } from './rds-secret.js';

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

/**
 * Client-side settings of every connection. No server settings ride on the startup packet
 * beyond `application_name` (the one poolers accept besides the encoding and date settings):
 * PgBouncer in transaction mode refuses `statement_timeout`, `lock_timeout` and
 * `idle_in_transaction_session_timeout` there (`unsupported startup parameter`), and what a
 * session sets would stay on whichever server connection the pooler gave it. Those limits are
 * set with `SET LOCAL` in every transaction instead (`inShortTransaction`; statements outside
 * one are wrapped in one by `boundStatements`).
 */
const clientDefaults = {
  connectionTimeoutMillis: 10_000,
  keepAlive: true,
} satisfies ClientConfig;

/** TLS for connections made from a secret: on, with the server certificate verified. */
export const secretTls: ClientConfig['ssl'] = { rejectUnauthorized: true };

/** How to build a connection's settings. */
export interface ConnectionConfigOptions {
  /**
   * Bypass the secret cache (after the password was rejected: it may have been rotated).
   * @default false
   */
  readonly forceFetch?: boolean;
  /**
   * TLS for connections made from a secret. A `DATABASE_URL` sets its own (`sslmode`).
   * @default secretTls
   */
  readonly ssl?: ClientConfig['ssl'];
}

/**
 * The node-postgres settings for one job's session. With a secret, TLS is on and the
 * server certificate is verified (Lambda trusts the RDS CAs via `NODE_EXTRA_CA_CERTS`).
 */
export async function connectionConfig(
  location: DatabaseLocation,
  applicationName: string,
  secrets: SecretSource,
  options: ConnectionConfigOptions = {},
): Promise<ClientConfig> {
  const base = { ...clientDefaults, application_name: applicationName };
  if (location.kind === 'url') return { ...base, connectionString: location.url };
  const secret = await readRdsSecret(secrets, location.secretArn, {
    forceFetch: options.forceFetch ?? false,
  });
  return {
    ...base,
    host: secret.host,
    port: secret.port,
    database: secret.dbname,
    user: secret.username,
    password: secret.password,
    ssl: options.ssl ?? secretTls,
  };
}
