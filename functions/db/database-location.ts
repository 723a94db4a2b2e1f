import {
  ConfigError,
  type Env,
  readChoice,
  readInteger,
  readOptionalString,
} from '../config/env.js';
import { redact } from '../runner/redact.js';

/** A host and port to connect to instead of the secret's: an RDS Proxy endpoint, say. */
export interface Endpoint {
  /**
   * The host name (`DB_HOST`).
   * @default - the secret's `host`
   */
  readonly host?: string;
  /**
   * The port (`DB_PORT`).
   * @default - the secret's `port`
   */
  readonly port?: number;
}

/** A database reached with IAM authentication: a token signed for `user` at `host:port`. */
export interface IamDatabase {
  readonly kind: 'iam';
  /** The host the token is signed for and connected to (the instance or the proxy endpoint). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The database user, granted `rds_iam`; the role may `rds-db:connect` as this user only. */
  readonly user: string;
  /** The region the token is signed in (`AWS_REGION`, which Lambda sets). */
  readonly region: string;
}

/**
 * Where the database is and how to log in: a URL (local, tests), a Secrets Manager secret
 * (AWS; optionally through another endpoint than the secret's host), or IAM authentication
 * (AWS, no password anywhere).
 */
export type DatabaseLocation =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'secret'; readonly secretArn: string; readonly endpoint?: Endpoint }
  | IamDatabase;

/** How the functions log in when no `DATABASE_URL` is set (`DB_AUTH`). */
export const DatabaseAuth = { Secret: 'secret', Iam: 'iam' } as const;
export type DatabaseAuth = (typeof DatabaseAuth)[keyof typeof DatabaseAuth];

const postgresSchemes = ['postgres:', 'postgresql:'];
const hostName = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** The variables only IAM authentication reads: with a secret, the secret names them. */
const iamOnly = ['DB_NAME', 'DB_USER'] as const;

/**
 * `DATABASE_URL` when set. Else, by `DB_AUTH`: `secret` (the default) reads `DB_SECRET_ARN`,
 * with `DB_HOST` and `DB_PORT` overriding the secret's host and port (RDS Proxy); `iam` reads
 * `DB_HOST`, `DB_PORT` (5432), `DB_NAME`, `DB_USER` and `AWS_REGION`, and no secret.
 *
 * @throws {ConfigError} naming the variable at fault: none of them set, `DATABASE_URL` not a
 *   `postgres://` URL, a bad host or port, IAM authentication missing one of its variables or
 *   given a secret, a secret given `DB_NAME` or `DB_USER`.
 */
export function readDatabaseLocation(env: Env): DatabaseLocation {
  const url = readDatabaseUrl(env);
  if (url) return { kind: 'url', url };
  const auth = readChoice(env, 'DB_AUTH', Object.values(DatabaseAuth), DatabaseAuth.Secret);
  const host = readHost(env);
  const port =
    env.DB_PORT === undefined
      ? undefined
      : readInteger(env, 'DB_PORT', { min: 1, max: 65_535, default: 5432 });
  const secretArn = readOptionalString(env, 'DB_SECRET_ARN');
  if (auth === DatabaseAuth.Iam) {
    if (secretArn) {
      throw new ConfigError(
        'DB_SECRET_ARN',
        'DB_AUTH=iam signs a token for each connection and reads no secret: unset DB_SECRET_ARN, or DB_AUTH to log in with the secret',
      );
    }
    const required = (name: string, what: string) => {
      const value = readOptionalString(env, name);
      if (!value) {
        throw new ConfigError(name, `DB_AUTH=iam needs ${name}: ${what}`);
      }
      return value;
    };
    return {
      kind: 'iam',
      host: host ?? required('DB_HOST', 'the host to connect to and sign the token for'),
      port: port ?? 5432,
      database: required('DB_NAME', 'the database to connect to'),
      user: required('DB_USER', 'the database user granted rds_iam'),
      region: required('AWS_REGION', 'the region the token is signed in (Lambda sets it)'),
    };
  }
  const misplaced = iamOnly.find((name) => readOptionalString(env, name) !== undefined);
  if (misplaced) {
    throw new ConfigError(
      misplaced,
      `${misplaced} is read with DB_AUTH=iam only; with DB_SECRET_ARN the secret names the database and the user: unset ${misplaced}, or set DB_AUTH=iam`,
    );
  }
  if (secretArn) {
    const endpoint = { ...(host ? { host } : {}), ...(port ? { port } : {}) };
    return Object.keys(endpoint).length > 0
      ? { kind: 'secret', secretArn, endpoint }
      : { kind: 'secret', secretArn };
  }
  throw new ConfigError(
    'DATABASE_URL',
    'no database configured: set DATABASE_URL (a postgres:// URL), DB_SECRET_ARN (an RDS secret in Secrets Manager) or DB_AUTH=iam (IAM authentication)',
  );
}

/** `DB_HOST`: a host name or an IPv4 address; unset or blank gives `undefined`. */
function readHost(env: Env): string | undefined {
  const host = readOptionalString(env, 'DB_HOST');
  if (host !== undefined && !hostName.test(host)) {
    throw new ConfigError(
      'DB_HOST',
      `DB_HOST must be a host name such as jobs.proxy-abc123.eu-west-1.rds.amazonaws.com, got ${JSON.stringify(host)}`,
    );
  }
  return host;
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
