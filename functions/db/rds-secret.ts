/** Connection fields read from an RDS secret. */
export interface RdsSecret {
  host: string;
  port: number;
  dbname: string;
  username: string;
  password: string;
}

/** Where secrets come from; in AWS, Secrets Manager (see `secrets-manager.ts`). */
export interface SecretSource {
  /** Returns the secret's string value, from the cache unless `forceFetch`. */
  get(secretId: string, options?: { forceFetch?: boolean }): Promise<string>;
}

/**
 * Reads the RDS secret JSON (`host`, `port`, `dbname`, `username`, `password`).
 * Error messages name the missing fields, never their values.
 */
export async function readRdsSecret(
  source: SecretSource,
  secretId: string,
  options?: { forceFetch?: boolean },
): Promise<RdsSecret> {
  const text = await source.get(secretId, options);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(
      `secret ${secretId} is not JSON; expected an RDS secret with host, port, dbname, username and password`,
    );
  }
  const parsed = parseRdsSecret(json);
  if ('invalid' in parsed) {
    throw new Error(
      `secret ${secretId} is missing or has invalid fields: ${parsed.invalid.join(', ')}`,
    );
  }
  return parsed.secret;
}

/**
 * The fields a connection needs: `host`, `username` and `password`, non-empty strings; `port`,
 * a whole number from 1 to 65535 or text that converts to one (`Number`), 5432 when left out;
 * `dbname`, a non-empty string, `postgres` when left out. Other fields are ignored. Else the
 * names of the invalid fields, in that order (`''` for a secret that is not a JSON object).
 */
function parseRdsSecret(json: unknown): { secret: RdsSecret } | { invalid: string[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { invalid: [''] };
  const fields = json as Record<string, unknown>;
  const nonEmpty = (value: unknown): value is string =>
    typeof value === 'string' && value.length > 0;
  const port = fields.port === undefined ? 5432 : toNumber(fields.port);
  const secret = {
    host: fields.host,
    port,
    dbname: fields.dbname === undefined ? 'postgres' : fields.dbname,
    username: fields.username,
    password: fields.password,
  };
  const invalid = [
    ...(nonEmpty(secret.host) ? [] : ['host']),
    ...(Number.isInteger(port) && port >= 1 && port <= 65_535 ? [] : ['port']),
    ...(nonEmpty(secret.dbname) ? [] : ['dbname']),
    ...(nonEmpty(secret.username) ? [] : ['username']),
    ...(nonEmpty(secret.password) ? [] : ['password']),
  ];
  return invalid.length > 0 ? { invalid } : { secret: secret as RdsSecret };
}

/** `Number(value)`, or NaN when there is no number to convert to (e.g. a symbol). */
function toNumber(value: unknown): number {
  try {
    return Number(value);
  } catch {
    return Number.NaN;
  }
}
