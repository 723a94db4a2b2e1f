import * as z from 'zod/mini';

const nonEmpty = () => z.string().check(z.minLength(1));

/** The fields of an RDS database secret that a connection needs. */
const RdsSecretSchema = z.object({
  host: nonEmpty(),
  port: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65_535)), 5432),
  dbname: z._default(nonEmpty(), 'postgres'),
  username: nonEmpty(),
  password: nonEmpty(),
});

/** Connection fields read from an RDS secret. */
export type RdsSecret = z.infer<typeof RdsSecretSchema>;

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
  const parsed = RdsSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    throw new Error(`secret ${secretId} is missing or has invalid fields: ${fields.join(', ')}`);
  }
  return parsed.data;
}
