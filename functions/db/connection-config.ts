import type { ClientConfig } from 'pg';
import { ConfigurationFault } from '../errors.js';
import type { DatabaseLocation } from './database-location.js';
import { type AuthTokenSigner, rdsAuthTokenSigner } from './iam-auth-token.js';
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

/**
 * TLS in AWS (a secret or IAM authentication): on, with the server certificate verified
 * (Lambda trusts the Amazon RDS CAs through `NODE_EXTRA_CA_CERTS`; RDS Proxy's certificates
 * come from Amazon's public CAs, which Node.js trusts anyway).
 */
export const verifiedTls: ClientConfig['ssl'] = { rejectUnauthorized: true };

/** TLS was turned off, or left unverified, for IAM authentication, which requires it. */
export class IamTlsRequiredError extends ConfigurationFault {
  override readonly name = 'IamTlsRequiredError';
}

/** How to build a connection's settings. */
export interface ConnectionConfigOptions {
  /**
   * Bypass the secret cache (after the password was rejected: it may have been rotated).
   * @default false
   */
  readonly forceFetch?: boolean;
  /**
   * TLS in AWS (a secret or IAM). A `DATABASE_URL` sets its own (`sslmode`). IAM
   * authentication refuses anything but verified TLS.
   * @default verifiedTls
   */
  readonly ssl?: ClientConfig['ssl'];
  /**
   * Signs the password of each new connection with IAM authentication.
   * @default rdsAuthTokenSigner - `@aws-sdk/rds-signer`, imported on the first token
   */
  readonly signer?: AuthTokenSigner;
}

/**
 * The node-postgres settings for one job's session. With a secret, TLS is on and the server
 * certificate is verified; `DB_HOST`/`DB_PORT` (the location's `endpoint`) replace the
 * secret's host and port. With IAM authentication, no password is stored anywhere: the
 * password is a function that node-postgres calls when the server asks for one, once per new
 * connection, and that signs a fresh token (tokens last 15 minutes); TLS is required and
 * verified, as RDS requires for IAM authentication and as a token, good for 15 minutes to
 * whoever holds it, deserves.
 *
 * @throws {IamTlsRequiredError} with IAM authentication and `ssl` off or unverified.
 */
export async function connectionConfig(
  location: DatabaseLocation,
  applicationName: string,
  secrets: SecretSource,
  options: ConnectionConfigOptions = {},
): Promise<ClientConfig> {
  const base = { ...clientDefaults, application_name: applicationName };
  const ssl = options.ssl ?? verifiedTls;
  if (location.kind === 'url') return { ...base, connectionString: location.url };
  if (location.kind === 'iam') {
    if (!isVerified(ssl)) {
      throw new IamTlsRequiredError(
        'IAM authentication sends a token that logs in for 15 minutes: it needs TLS with the server certificate verified (ssl: { rejectUnauthorized: true })',
      );
    }
    const signer = options.signer ?? rdsAuthTokenSigner;
    const { host, port, user, region } = location;
    return {
      ...base,
      host,
      port,
      database: location.database,
      user,
      password: () => signer({ host, port, user, region }),
      ssl,
    };
  }
  const secret = await readRdsSecret(secrets, location.secretArn, {
    forceFetch: options.forceFetch ?? false,
  });
  return {
    ...base,
    host: location.endpoint?.host ?? secret.host,
    port: location.endpoint?.port ?? secret.port,
    database: secret.dbname,
    user: secret.username,
    password: secret.password,
    ssl,
  };
}

/** TLS on, with the certificate checked (`true`, or options that do not turn the check off). */
function isVerified(ssl: ClientConfig['ssl']): boolean {
  if (ssl === true) return true;
  return typeof ssl === 'object' && ssl !== null && ssl.rejectUnauthorized !== false;
}
