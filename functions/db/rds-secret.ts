import { z } from 'zod';

/** The fields of an RDS database secret that a connection needs. */
const RdsSecretSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535).default(5432),
  dbname: z.string().min(1).default('postgres'),
  username: z.string().min(1),
  password: z.string().min(1),
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
