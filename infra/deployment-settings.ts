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

/** Deployment choices: CDK context keys, all optional (docs/reference/context-keys.md). */
export interface DeploymentSettings {
  /**
   * The Secrets Manager secret with the database connection (RDS JSON): context `dbSecretArn`.
   * @default - the stack creates an empty secret for the operator to fill in
   */
  readonly dbSecretArn?: string;
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
  return {
    ...(dbSecretArn ? { dbSecretArn } : {}),
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
