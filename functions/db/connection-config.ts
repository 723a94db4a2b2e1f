import type { ClientConfig } from 'pg';
import { ConfigError, type Env, readOptionalString } from '../config/env.js';
import { readRdsSecret, type SecretSource } from './rds-secret.js';

/** Where the database is: a URL (local, tests) or a Secrets Manager secret (AWS). */
export type DatabaseLocation =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'secret'; readonly secretArn: string };

/**
 * `DATABASE_URL` when set, else `DB_SECRET_ARN`.
 *
 * @throws {ConfigError} when neither is set.
 */
export function readDatabaseLocation(env: Env): DatabaseLocation {
  const url = readOptionalString(env, 'DATABASE_URL');
  if (url) return { kind: 'url', url };
  const secretArn = readOptionalString(env, 'DB_SECRET_ARN');
  if (secretArn) return { kind: 'secret', secretArn };
  throw new ConfigError(
    'DATABASE_URL',
    'no database configured: set DATABASE_URL (a postgres:// URL) or DB_SECRET_ARN (an RDS secret in Secrets Manager)',
  );
}

/** Session settings applied to every connection. */
const sessionDefaults = {
  connectionTimeoutMillis: 10_000,
  // A safety net; jobs set tighter per-transaction timeouts on each batch.
  statement_timeout: 60_000,
  lock_timeout: 5_000,
  idle_in_transaction_session_timeout: 60_000,
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
  const base = { ...sessionDefaults, application_name: applicationName };
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
