import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/env.js';
import { readDatabaseLocation } from '../../../functions/db/database-location.js';

const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pm-db-AbCdEf';
const proxyHost = 'jobs.proxy-abc123.eu-west-1.rds.amazonaws.com';
const iam = {
  DB_AUTH: 'iam',
  DB_HOST: proxyHost,
  DB_NAME: 'app',
  DB_USER: 'maintenance',
  AWS_REGION: 'eu-west-1',
};

describe('readDatabaseLocation', () => {
  it('prefers DATABASE_URL, then DB_SECRET_ARN', () => {
    expect(
      readDatabaseLocation({ DATABASE_URL: 'postgres://x/y', DB_SECRET_ARN: secretArn }),
    ).toEqual({
      kind: 'url',
      url: 'postgres://x/y',
    });
    expect(readDatabaseLocation({ DB_SECRET_ARN: secretArn })).toEqual({
      kind: 'secret',
      secretArn,
    });
  });

  it('refuses to run with none, naming each way', () => {
    expect(() => readDatabaseLocation({})).toThrow(ConfigError);
    expect(() => readDatabaseLocation({ DATABASE_URL: ' ' })).toThrow(
      /DATABASE_URL.*DB_SECRET_ARN.*DB_AUTH=iam/,
    );
  });

  it('takes DB_HOST and DB_PORT as the endpoint to reach instead of the secret’s (RDS Proxy)', () => {
    expect(
      readDatabaseLocation({ DB_SECRET_ARN: secretArn, DB_HOST: proxyHost, DB_PORT: '6432' }),
    ).toEqual({ kind: 'secret', secretArn, endpoint: { host: proxyHost, port: 6432 } });
    expect(readDatabaseLocation({ DB_SECRET_ARN: secretArn, DB_HOST: proxyHost })).toEqual({
      kind: 'secret',
      secretArn,
      endpoint: { host: proxyHost },
    });
  });

  it.each([
    ['a host with a scheme', { DB_HOST: 'postgres://proxy' }, 'DB_HOST'],
    ['a host with a port', { DB_HOST: 'proxy:5432' }, 'DB_HOST'],
    ['a port of 0', { DB_PORT: '0' }, 'DB_PORT'],
    ['a port that is no number', { DB_PORT: 'pg' }, 'DB_PORT'],
    ['DB_USER without DB_AUTH=iam', { DB_USER: 'maintenance' }, 'DB_USER'],
    ['DB_NAME without DB_AUTH=iam', { DB_NAME: 'app' }, 'DB_NAME'],
    ['an unknown DB_AUTH', { DB_AUTH: 'kerberos' }, 'DB_AUTH'],
  ])('refuses %s, naming the variable', (_label, change, variable) => {
    // Act
    const read = () => readDatabaseLocation({ DB_SECRET_ARN: secretArn, ...change });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(expect.objectContaining({ variable }));
  });

  it('reads IAM authentication from DB_AUTH=iam: host, port, database, user, region, no secret', () => {
    expect(readDatabaseLocation(iam)).toEqual({
      kind: 'iam',
      host: proxyHost,
      port: 5432,
      database: 'app',
      user: 'maintenance',
      region: 'eu-west-1',
    });
    expect(readDatabaseLocation({ ...iam, DB_AUTH: 'IAM', DB_PORT: '6543' })).toMatchObject({
      kind: 'iam',
      port: 6543,
    });
  });

  it.each(['DB_HOST', 'DB_NAME', 'DB_USER', 'AWS_REGION'])(
    'refuses IAM authentication without %s, naming it',
    (variable) => {
      // Act
      const read = () => readDatabaseLocation({ ...iam, [variable]: undefined });

      // Assess
      expect(read).toThrow(expect.objectContaining({ variable }));
      expect(read).toThrow(`DB_AUTH=iam needs ${variable}`);
    },
  );

  it('refuses IAM authentication given a secret too: it reads none', () => {
    expect(() => readDatabaseLocation({ ...iam, DB_SECRET_ARN: secretArn })).toThrow(
      expect.objectContaining({ variable: 'DB_SECRET_ARN' }),
    );
  });

  it('still prefers DATABASE_URL to IAM authentication (the local harness sets it)', () => {
    expect(readDatabaseLocation({ ...iam, DATABASE_URL: 'postgres://x/y' })).toEqual({
      kind: 'url',
      url: 'postgres://x/y',
    });
  });
});
