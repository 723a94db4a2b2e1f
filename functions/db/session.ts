import type { Logger } from '@aws-lambda-powertools/logger';
import type { ClientConfig } from 'pg';
import pg from 'pg';
import { JobLog } from '../log-messages.js';
import { describeError } from '../runner/errors.js';
import { connectionConfig, verifiedTls } from './connection-config.js';
import type { DatabaseLocation } from './database-location.js';
import type { AuthTokenSigner } from './iam-auth-token.js';
import type { SecretSource } from './rds-secret.js';
import { SqlState, sqlStateOf } from './sqlstate.js';

/** What a {@link DatabaseSession} is built from. */
export interface DatabaseSessionOptions {
  /** Where the database is. */
  readonly location: DatabaseLocation;
  /** `application_name` of the session, shown in `pg_stat_activity`: the job's name. */
  readonly applicationName: string;
  /** Logs a connection lost between runs. */
  readonly logger: Logger;
  /**
   * Where secrets come from.
   * @default - Secrets Manager through Powertools Parameters, loaded only when needed
   */
  readonly secrets?: SecretSource;
  /**
   * TLS in AWS (a secret or IAM authentication; IAM refuses it off or unverified).
   * @default verifiedTls
   */
  readonly ssl?: ClientConfig['ssl'];
  /**
   * Signs each new connection's token with IAM authentication.
   * @default rdsAuthTokenSigner - `@aws-sdk/rds-signer`, imported on the first token
   */
  readonly signer?: AuthTokenSigner;
}

/**
 * One database connection, opened on first use and kept for later runs (one per Lambda
 * instance). A connection that errors or ends is dropped and reopened on the next use.
 */
export class DatabaseSession {
  #client: pg.Client | undefined;
  #secrets: SecretSource | undefined;

  constructor(private readonly options: DatabaseSessionOptions) {
    this.#secrets = options.secrets;
  }

  /** A connected client. */
  async client(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    try {
      this.#client = await this.#connect(false);
    } catch (error) {
      if (this.options.location.kind !== 'secret' || !isInvalidPassword(error)) throw error;
      this.#client = await this.#connect(true);
    }
    return this.#client;
  }

  /** Closes the connection, if open. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(forceFetch: boolean): Promise<pg.Client> {
    const secrets =
      this.options.location.kind === 'secret' ? await this.#secretSource() : undefined;
    const config = await connectionConfig(
      this.options.location,
      this.options.applicationName,
      secrets ?? noSecrets,
      {
        forceFetch,
        ssl: this.options.ssl ?? verifiedTls,
        ...(this.options.signer ? { signer: this.options.signer } : {}),
      },
    );
    const client = new pg.Client(config);
    const forget = () => {
      if (this.#client === client) this.#client = undefined;
    };
    client.on('error', (error) => {
      forget();
      this.options.logger.warn(JobLog.DatabaseConnectionLost, { error: describeError(error) });
    });
    client.on('end', forget);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  async #secretSource(): Promise<SecretSource> {
    if (!this.#secrets) {
      // Loaded on demand: runs that use DATABASE_URL or IAM authentication never load it.
      const { secretsManagerSource } = await import('./secrets-manager.js');
      this.#secrets = secretsManagerSource();
    }
    return this.#secrets;
  }
}

const noSecrets: SecretSource = {
  get: () => Promise.reject(new Error('no secret source')),
};

function isInvalidPassword(error: unknown): boolean {
  return sqlStateOf(error) === SqlState.InvalidPassword;
}
