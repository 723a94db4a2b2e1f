import type { ClientConfig } from 'pg';
import type { DatabaseLocation } from './database-location.js';
import { readRdsSecret, type SecretSource } from './rds-secret.js';

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
