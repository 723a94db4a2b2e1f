import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  DeploymentSettingsError,
  readDeploymentSettings,
} from '../../infra/deployment-settings.js';

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
});
