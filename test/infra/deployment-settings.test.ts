import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  DeploymentSettingsError,
  readDeploymentSettings,
} from '../../infra/deployment-settings.js';

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pm/db-AbC123';
const proxyHost = 'jobs.proxy-abc123.eu-west-1.rds.amazonaws.com';
const iam = {
  dbAuth: 'iam',
  dbHost: proxyHost,
  dbName: 'app',
  dbUser: 'maintenance',
  dbResourceId: 'prx-0123456789abcdef0',
};
const read = (context: Record<string, unknown>) => readDeploymentSettings((key) => context[key]);

describe('readDeploymentSettings', () => {
  it('needs no context at all', () => {
    expect(read({})).toEqual({});
  });

  it('reads every key', () => {
    expect(
      read({
        dbSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pm/db-AbC123',
        alarmEmail: 'oncall@example.com',
        vpcId: 'vpc-0a1b2c3d',
        subnetIds: 'subnet-0a1b2c3d, subnet-0a1b2c3e',
        securityGroupId: 'sg-0a1b2c3d4e5f60718',
        logRetentionDays: '90',
        logLevel: 'debug',
        jobEnvironment: '{"location-cleanup":{"LOCATION_RETENTION_DAYS":"14"}}',
        jobTimeZones: '{"idempotency-key-purge":"Europe/Bratislava"}',
      }),
    ).toEqual({
      dbSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pm/db-AbC123',
      alarmEmail: 'oncall@example.com',
      network: {
        vpcId: 'vpc-0a1b2c3d',
        subnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'],
        securityGroupId: 'sg-0a1b2c3d4e5f60718',
      },
      logRetention: RetentionDays.THREE_MONTHS,
      logLevel: 'DEBUG',
      jobEnvironment: { 'location-cleanup': { LOCATION_RETENTION_DAYS: '14' } },
      jobTimeZones: { 'idempotency-key-purge': 'Europe/Bratislava' },
    });
  });

  it.each([
    [{ dbSecretArn: 'my-secret' }, 'context dbSecretArn must be a Secrets Manager secret ARN'],
    [{ alarmEmail: 'oncall' }, 'context alarmEmail must be an email address'],
    [{ vpcId: 'vpc-1' }, 'context vpcId, subnetIds and securityGroupId go together'],
    [
      { vpcId: 'vpc-0a1b2c3d', subnetIds: 'subnet-x', securityGroupId: 'sg-0a1b2c3d' },
      'context subnetIds: "subnet-x" is not a subnet-… id',
    ],
    [{ logRetentionDays: '10' }, 'context logRetentionDays must be one of'],
    [{ logLevel: 'LOUD' }, 'context logLevel must be one of'],
    [{ jobEnvironment: '{oops' }, 'context jobEnvironment must be JSON'],
    [
      { jobEnvironment: { 'location-cleanup': { LOCATION_RETENTION_DAYS: 14 } } },
      'must map job names',
    ],
    [{ jobTimeZones: '{oops' }, 'context jobTimeZones must be JSON'],
    [{ jobTimeZones: { 'idempotency-key-purge': 2 } }, 'context jobTimeZones must map job names'],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => read(context)).toThrow(DeploymentSettingsError);
    expect(() => read(context)).toThrow(message);
  });

  it('reads a proxy endpoint for the secret’s database: dbHost and dbPort (text or a number)', () => {
    expect(read({ dbSecretArn: secretArn, dbHost: proxyHost, dbPort: '6432' })).toEqual({
      dbSecretArn: secretArn,
      dbHost: proxyHost,
      dbPort: 6432,
    });
    expect(read({ dbHost: proxyHost, dbPort: 5432 })).toEqual({ dbHost: proxyHost, dbPort: 5432 });
  });

  it('reads IAM authentication: dbAuth=iam with dbHost, dbName, dbUser and dbResourceId', () => {
    expect(read(iam)).toEqual({
      dbHost: proxyHost,
      iamAuth: { database: 'app', user: 'maintenance', resourceId: 'prx-0123456789abcdef0' },
    });
  });

  it.each([
    [{ dbHost: 'https://proxy' }, 'context dbHost must be a host name'],
    [{ dbPort: '0' }, 'context dbPort must be a whole number from 1 to 65535'],
    [{ dbPort: 'pg' }, 'context dbPort must be a whole number from 1 to 65535'],
    [{ dbAuth: 'kerberos' }, 'context dbAuth must be secret or iam'],
    [{ dbUser: 'maintenance' }, 'context dbUser is for dbAuth=iam'],
    [{ dbResourceId: 'db-ABC' }, 'context dbResourceId is for dbAuth=iam'],
    [{ ...iam, dbSecretArn: secretArn }, 'context dbSecretArn and dbAuth=iam do not go together'],
    [{ ...iam, dbHost: undefined }, 'context dbAuth=iam needs dbHost too'],
    [
      { dbAuth: 'iam', dbHost: proxyHost },
      'context dbAuth=iam needs dbName, dbUser, dbResourceId too',
    ],
    // A wildcard would grant rds-db:connect as every user, or on every database
    [{ ...iam, dbUser: '*' }, 'context dbUser must be a plain database user name'],
    [{ ...iam, dbResourceId: 'prx-*' }, 'context dbResourceId must be'],
    [{ ...iam, dbResourceId: 'my-proxy' }, 'context dbResourceId must be'],
  ])('rejects the database keys %j, naming the key', (context, message) => {
    expect(() => read(context)).toThrow(DeploymentSettingsError);
    expect(() => read(context)).toThrow(message);
  });
});
