import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StageNameError, stackNameFor } from '../functions/catalogue/stack-outputs.js';
import { type JobTimeZones, parseJobTimeZones } from '../functions/catalogue/time-zones.js';
import { jsonSetting } from '../functions/config/json-setting.js';
import { ConfigurationFault } from '../functions/errors.js';

/** Where the functions run when the database is in a private network. */
export interface NetworkSettings {
  /** The VPC's id, `vpc-...`. */
  readonly vpcId: string;
  /** Private subnets with a route to the database (and to Secrets Manager: NAT or endpoint). */
  readonly subnetIds: readonly string[];
  /** A security group the database accepts connections from. */
  readonly securityGroupId: string;
}

/**
 * IAM authentication: the functions log in as `user` with a token signed for each connection,
 * and read no secret.
 */
export interface IamAuthSettings {
  /** The database to connect to: context `dbName`. */
  readonly database: string;
  /** The database user, granted `rds_iam`: context `dbUser`. */
  readonly user: string;
  /**
   * What the user logs in to, in the `rds-db:connect` ARN: context `dbResourceId`. The DB
   * instance's resource id (`db-...`), the Aurora cluster's (`cluster-...`), or the RDS
   * Proxy's id (`prx-...`) when connecting through a proxy.
   */
  readonly resourceId: string;
}

/** Deployment choices: CDK context keys, all optional (docs/reference/context-keys.md). */
export interface DeploymentSettings {
  /**
   * The Secrets Manager secret with the database connection (RDS JSON): context `dbSecretArn`.
   * @default - the stack creates an empty secret for the operator to fill in (none with IAM
   *   authentication)
   */
  readonly dbSecretArn?: string;
  /**
   * The host to connect to when it differs from the secret's (an RDS Proxy endpoint): context
   * `dbHost`. Required with IAM authentication, which has no secret.
   * @default - the secret's `host`
   */
  readonly dbHost?: string;
  /**
   * The port to connect to: context `dbPort`.
   * @default - the secret's `port`; 5432 with IAM authentication
   */
  readonly dbPort?: number;
  /**
   * IAM authentication instead of the secret's password: context `dbAuth=iam` with `dbHost`,
   * `dbName`, `dbUser` and `dbResourceId`.
   * @default - the functions log in with the secret's user and password
   */
  readonly iamAuth?: IamAuthSettings;
  /**
   * Where alarm notifications are emailed: context `alarmEmail`.
   * @default - no subscription; subscribe to the alarm topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * VPC placement: context `vpcId`, `subnetIds` (comma-separated) and `securityGroupId`.
   * @default - functions run outside any VPC
   */
  readonly network?: NetworkSettings;
  /**
   * How long the functions' logs are kept: context `logRetentionDays`.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Powertools log level of every function: context `logLevel`.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Extra environment per job, e.g. `{"location-cleanup": {"LOCATION_RETENTION_DAYS": "14"}}`:
   * context `jobEnvironment`. The job validates the values when it runs.
   * @default - none: every job uses its defaults
   */
  readonly jobEnvironment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * A second, independent copy of the stack in the same account: context `stage`. The stack
   * is then `LocationMaintenanceJobs-<stage>`, with its own functions, alarms, dashboard,
   * secret and saved queries.
   * @default - no stage: the stack is `LocationMaintenanceJobs`
   */
  readonly stage?: string;
  /**
   * Jobs deployed paused (trigger disabled, "no successful run" alarm off), as with
   * `enabled: false` in the catalogue: context `pausedJobs`, comma-separated.
   * @default - none: each job as its catalogue entry says
   */
  readonly pausedJobs?: readonly string[];
  /**
   * The time zone each named job's schedule is read in, e.g.
   * `{"idempotency-key-purge": "Europe/Bratislava"}`: context `jobTimeZones`. A zoned job
   * deploys on EventBridge Scheduler. The local harness reads this key from cdk.json too.
   * @default - every job in its catalogue zone (UTC unless the catalogue says otherwise)
   */
  readonly jobTimeZones?: JobTimeZones;
}

/** A context value is invalid; the message names the key. */
export class DeploymentSettingsError extends ConfigurationFault {
  override readonly name = 'DeploymentSettingsError';
}

const secretArn = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const hostName = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** What `rds-db:connect` names: a DB instance, an Aurora cluster, or an RDS Proxy. */
const resourceId = /^(db|cluster|prx)-[A-Za-z0-9]+$/;
/** A PostgreSQL user name that an IAM ARN can hold exactly: no `*`, `?`, `/` or quotes. */
const databaseUser = /^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$/;
const iamOnlyKeys = ['dbName', 'dbUser', 'dbResourceId'] as const;
const email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const logLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];
const retentionValues = Object.values(RetentionDays).filter((value) => typeof value === 'number');

/**
 * Reads and validates the deployment settings from CDK context (`-c key=value` or cdk.json).
 *
 * @throws {DeploymentSettingsError} naming the context key at fault.
 */
export function readDeploymentSettings(context: (key: string) => unknown): DeploymentSettings {
  const text = (key: string) => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string')
      throw new DeploymentSettingsError(`context ${key} must be a string`);
    return value.trim();
  };
  const dbSecretArn = text('dbSecretArn');
  if (dbSecretArn && !secretArn.test(dbSecretArn)) {
    throw new DeploymentSettingsError(
      `context dbSecretArn must be a Secrets Manager secret ARN, got ${dbSecretArn}`,
    );
  }
  const alarmEmail = text('alarmEmail');
  if (alarmEmail && !email.test(alarmEmail)) {
    throw new DeploymentSettingsError(
      `context alarmEmail must be an email address, got ${alarmEmail}`,
    );
  }
  const logLevel = text('logLevel')?.toUpperCase();
  if (logLevel && !logLevels.includes(logLevel)) {
    throw new DeploymentSettingsError(
      `context logLevel must be one of ${logLevels.join(', ')}, got ${logLevel}`,
    );
  }
  const stage = text('stage');
  if (stage) {
    try {
      stackNameFor(stage);
    } catch (error) {
      if (error instanceof StageNameError)
        throw new DeploymentSettingsError(`context ${error.message}`);
      throw error;
    }
  }
  const pausedJobs = readList(context('pausedJobs'));
  const database = readDatabase(text, context('dbPort'), dbSecretArn);
  return {
    ...(dbSecretArn ? { dbSecretArn } : {}),
    ...database,
    ...(stage ? { stage } : {}),
    ...(pausedJobs.length > 0 ? { pausedJobs } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(logLevel ? { logLevel } : {}),
    ...optional('network', readNetwork(text, context)),
    ...optional('logRetention', readRetention(context('logRetentionDays'))),
    ...optional('jobEnvironment', readJobEnvironment(context('jobEnvironment'))),
    ...optional('jobTimeZones', readJobTimeZones(context('jobTimeZones'))),
  };
}

type DatabaseKeys = Pick<DeploymentSettings, 'dbHost' | 'dbPort' | 'iamAuth'>;

/** `dbHost`, `dbPort`, and `dbAuth` with the keys IAM authentication needs. */
function readDatabase(
  text: (key: string) => string | undefined,
  rawPort: unknown,
  dbSecretArn: string | undefined,
): DatabaseKeys {
  const dbHost = text('dbHost');
  if (dbHost && !hostName.test(dbHost)) {
    throw new DeploymentSettingsError(
      `context dbHost must be a host name (an RDS Proxy or instance endpoint), got ${dbHost}`,
    );
  }
  // A number in cdk.json, text from -c dbPort=5432.
  const dbPort =
    rawPort === undefined || rawPort === '' ? undefined : Number(String(rawPort).trim());
  if (dbPort !== undefined && !(Number.isInteger(dbPort) && dbPort >= 1 && dbPort <= 65_535)) {
    throw new DeploymentSettingsError(
      `context dbPort must be a whole number from 1 to 65535, got ${String(rawPort)}`,
    );
  }
  const endpoint = { ...(dbHost ? { dbHost } : {}), ...(dbPort ? { dbPort } : {}) };
  const auth = text('dbAuth')?.toLowerCase() ?? 'secret';
  if (auth === 'secret') {
    const misplaced = iamOnlyKeys.find((key) => text(key) !== undefined);
    if (misplaced) {
      throw new DeploymentSettingsError(
        `context ${misplaced} is for dbAuth=iam; with a secret, the secret names the database and the user`,
      );
    }
    return endpoint;
  }
  if (auth !== 'iam') {
    throw new DeploymentSettingsError(`context dbAuth must be secret or iam, got ${auth}`);
  }
  if (dbSecretArn) {
    throw new DeploymentSettingsError(
      'context dbSecretArn and dbAuth=iam do not go together: IAM authentication reads no secret',
    );
  }
  const missing = ['dbHost', ...iamOnlyKeys].filter((key) => text(key) === undefined);
  if (missing.length > 0) {
    throw new DeploymentSettingsError(`context dbAuth=iam needs ${missing.join(', ')} too`);
  }
  const user = text('dbUser') as string;
  if (!databaseUser.test(user)) {
    throw new DeploymentSettingsError(
      `context dbUser must be a plain database user name (letters, digits, _ $ . -), got ${user}`,
    );
  }
  const id = text('dbResourceId') as string;
  if (!resourceId.test(id)) {
    throw new DeploymentSettingsError(
      `context dbResourceId must be a DB instance's resource id (db-...), an Aurora cluster's (cluster-...) or an RDS Proxy's id (prx-...), got ${id}`,
    );
  }
  return { ...endpoint, iamAuth: { database: text('dbName') as string, user, resourceId: id } };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A comma-separated string (as `-c key=a,b` gives it) or a JSON array (cdk.json). */
function readList(raw: unknown): string[] {
  return (Array.isArray(raw) ? raw : String(raw ?? '').split(','))
    .map((item) => String(item).trim())
    .filter(Boolean);
}

function readNetwork(
  text: (key: string) => string | undefined,
  context: (key: string) => unknown,
): NetworkSettings | undefined {
  const vpcId = text('vpcId');
  const subnetIds = readList(context('subnetIds'));
  const securityGroupId = text('securityGroupId');
  const given = [vpcId, subnetIds.length > 0, securityGroupId].filter(Boolean).length;
  if (given === 0) return undefined;
  if (!vpcId || subnetIds.length === 0 || !securityGroupId) {
    throw new DeploymentSettingsError(
      'context vpcId, subnetIds and securityGroupId go together: set all three or none',
    );
  }
  const ids: [key: string, id: string, prefix: string][] = [
    ['vpcId', vpcId, 'vpc'],
    ...subnetIds.map((id): [string, string, string] => ['subnetIds', id, 'subnet']),
    ['securityGroupId', securityGroupId, 'sg'],
  ];
  const bad = ids.find(([, id, prefix]) => !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id));
  if (bad)
    throw new DeploymentSettingsError(`context ${bad[0]}: "${bad[1]}" is not a ${bad[2]}-… id`);
  return { vpcId, subnetIds, securityGroupId };
}

function readRetention(raw: unknown): RetentionDays | undefined {
  if (raw === undefined || raw === '') return undefined;
  const days = Number(raw);
  if (!retentionValues.includes(days)) {
    throw new DeploymentSettingsError(
      `context logRetentionDays must be one of CloudWatch's retention periods (${retentionValues.join(', ')}), got ${String(raw)}`,
    );
  }
  return days as RetentionDays;
}

function readJobTimeZones(raw: unknown): JobTimeZones | undefined {
  try {
    return parseJobTimeZones(raw);
  } catch (error) {
    throw new DeploymentSettingsError(`context jobTimeZones ${(error as Error).message}`);
  }
}

function readJobEnvironment(raw: unknown): DeploymentSettings['jobEnvironment'] {
  let value: unknown;
  try {
    value = jsonSetting(raw, '{"<job>": {"VARIABLE": "value"}}');
  } catch (error) {
    throw new DeploymentSettingsError(`context jobEnvironment ${(error as Error).message}`);
  }
  if (value === undefined) return undefined;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every(
      (variables) =>
        typeof variables === 'object' &&
        variables !== null &&
        Object.values(variables).every((setting) => typeof setting === 'string'),
    );
  if (!valid) {
    throw new DeploymentSettingsError(
      'context jobEnvironment must map job names to {"VARIABLE": "string value"}',
    );
  }
  return value as DeploymentSettings['jobEnvironment'];
}
