import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * How the functions reach the database and log in (functions/db/database-location.ts reads
 * the environment this sets).
 */
export type DatabaseAccess =
  | {
      /** The secret's user and password, at the secret's host or at `host`. */
      readonly kind: 'secret';
      readonly secret: secretsmanager.ISecret;
      /**
       * The host to connect to instead of the secret's (an RDS Proxy endpoint).
       * @default - the secret's host
       */
      readonly host?: string;
      /**
       * The port to connect to instead of the secret's.
       * @default - the secret's port
       */
      readonly port?: number;
    }
  | {
      /** IAM authentication: a token per connection, no secret, no password anywhere. */
      readonly kind: 'iam';
      readonly host: string;
      /** @default 5432 */
      readonly port?: number;
      readonly database: string;
      readonly user: string;
      /** The DB instance's or cluster's resource id, or the RDS Proxy's id. */
      readonly resourceId: string;
    };

/**
 * Lets `role` reach the database as `access` says, and returns the environment that tells the
 * function how: with a secret, reading that one secret (`DB_SECRET_ARN`, and `DB_HOST` and
 * `DB_PORT` when they differ from the secret's); with IAM authentication, `rds-db:connect` as
 * exactly that database user on exactly that instance, cluster or proxy (`DB_AUTH=iam`,
 * `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`), and no secret.
 */
export function grantDatabaseAccess(
  role: iam.IRole,
  access: DatabaseAccess,
): Record<string, string> {
  if (access.kind === 'secret') {
    access.secret.grantRead(role);
    return {
      DB_SECRET_ARN: access.secret.secretArn,
      ...(access.host ? { DB_HOST: access.host } : {}),
      ...(access.port ? { DB_PORT: String(access.port) } : {}),
    };
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['rds-db:connect'],
      resources: [dbUserArn(Stack.of(role), access.resourceId, access.user)],
    }),
  );
  return {
    DB_AUTH: 'iam',
    DB_HOST: access.host,
    DB_PORT: String(access.port ?? 5432),
    DB_NAME: access.database,
    DB_USER: access.user,
  };
}

/** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`. */
export function dbUserArn(stack: Stack, resourceId: string, user: string): string {
  return stack.formatArn({
    service: 'rds-db',
    resource: 'dbuser',
    resourceName: `${resourceId}/${user}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
