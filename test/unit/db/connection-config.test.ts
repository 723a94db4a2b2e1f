import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectionConfig, IamTlsRequiredError } from '../../../functions/db/connection-config.js';
import { secretsManagerSource } from '../../../functions/db/secrets-manager.js';

const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pm-db-AbCdEf';
const rdsSecret = {
  engine: 'postgres',
  host: 'pm.cluster-abc.us-east-1.rds.amazonaws.com',
  port: 5432,
  dbname: 'pm',
  username: 'maintenance',
  password: 'hunter2-hunter2',
};

describe('connectionConfig', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  afterEach(() => secretsManager.reset());
  afterAll(() => secretsManager.restore());

  it('uses DATABASE_URL as it is, with the job as application_name and no other startup parameter', async () => {
    // Act
    const config = await connectionConfig(
      { kind: 'url', url: 'postgres://u:p@localhost:5432/db' },
      'location-cleanup',
      secretsManagerSource(),
    );

    // Assess
    expect(config).toMatchObject({
      connectionString: 'postgres://u:p@localhost:5432/db',
      application_name: 'location-cleanup',
    });
    // PgBouncer in transaction mode refuses these at connect (08P01): each transaction sets them
    for (const setting of [
      'statement_timeout',
      'lock_timeout',
      'idle_in_transaction_session_timeout',
      'options',
    ]) {
      expect(config).not.toHaveProperty(setting);
    }
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('builds a verified-TLS connection from the RDS secret', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand, { SecretId: secretArn })
      .resolves({ SecretString: JSON.stringify(rdsSecret) });

    // Act
    const config = await connectionConfig(
      { kind: 'secret', secretArn },
      'location-cleanup',
      secretsManagerSource(),
    );

    // Assess
    expect(config).toMatchObject({
      host: rdsSecret.host,
      port: 5432,
      database: 'pm',
      user: 'maintenance',
      password: rdsSecret.password,
      application_name: 'location-cleanup',
      ssl: { rejectUnauthorized: true },
    });
  });

  it('fetches the secret once and reuses it across warm invocations, unless forced', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(rdsSecret) });
    const source = secretsManagerSource();
    const location = { kind: 'secret', secretArn } as const;

    // Act
    await connectionConfig(location, 'job', source);
    await connectionConfig(location, 'job', source);
    const callsWhileCached = secretsManager.commandCalls(GetSecretValueCommand).length;
    await connectionConfig(location, 'job', source, { forceFetch: true });

    // Assess
    expect(callsWhileCached).toBe(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('accepts the port as a string and defaults dbname', async () => {
    // Prepare
    const { dbname: _dbname, ...withoutDbname } = rdsSecret;
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ ...withoutDbname, port: '6543' }) });

    // Act
    const config = await connectionConfig(
      { kind: 'secret', secretArn },
      'job',
      secretsManagerSource(),
    );

    // Assess
    expect(config).toMatchObject({ port: 6543, database: 'postgres' });
  });

  it('names missing fields without revealing the secret’s values', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ password: rdsSecret.password, port: 'x' }) });

    // Act
    const attempt = connectionConfig({ kind: 'secret', secretArn }, 'job', secretsManagerSource());

    // Assess
    await expect(attempt).rejects.toThrow(/missing or has invalid fields: host, port, username/);
    await expect(attempt).rejects.not.toThrow(rdsSecret.password);
  });

  it.each([
    ['a port of 0', { port: 0 }, 'port'],
    ['a port above 65535', { port: 65_536 }, 'port'],
    ['a fractional port', { port: 5432.5 }, 'port'],
    ['a port that is no number', { port: '54x' }, 'port'],
    ['an empty host and dbname', { host: '', dbname: '' }, 'host, dbname'],
    ['a username that is a number', { username: 7 }, 'username'],
  ])('refuses a secret with %s, naming the field', async (_label, change, fields) => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ ...rdsSecret, ...change }) });

    // Act
    const attempt = connectionConfig({ kind: 'secret', secretArn }, 'job', secretsManagerSource());

    // Assess
    await expect(attempt).rejects.toThrow(
      `secret ${secretArn} is missing or has invalid fields: ${fields}`,
    );
  });

  it('says when the secret is not JSON, without echoing it', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'password=hunter2-hunter2' });

    // Act
    const attempt = connectionConfig({ kind: 'secret', secretArn }, 'job', secretsManagerSource());

    // Assess
    await expect(attempt).rejects.toThrow(`secret ${secretArn} is not JSON`);
    await expect(attempt).rejects.not.toThrow('hunter2');
  });

  it('passes Secrets Manager errors on', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new Error('AccessDeniedException: not allowed'));

    // Act
    const attempt = connectionConfig({ kind: 'secret', secretArn }, 'job', secretsManagerSource());

    // Assess
    await expect(attempt).rejects.toThrow('not allowed');
  });

  it('reaches the secret’s database through another endpoint (an RDS Proxy) when given one', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(rdsSecret) });
    const proxy = 'jobs.proxy-abc123.us-east-1.rds.amazonaws.com';

    // Act
    const config = await connectionConfig(
      { kind: 'secret', secretArn, endpoint: { host: proxy } },
      'job',
      secretsManagerSource(),
    );

    // Assess: the secret's credentials and database, the proxy's host, the secret's port
    expect(config).toMatchObject({
      host: proxy,
      port: 5432,
      database: 'pm',
      user: 'maintenance',
      password: rdsSecret.password,
      ssl: { rejectUnauthorized: true },
    });
  });
});

describe('connectionConfig with IAM authentication', () => {
  const location = {
    kind: 'iam',
    host: 'jobs.proxy-abc123.eu-west-1.rds.amazonaws.com',
    port: 5432,
    database: 'app',
    user: 'maintenance',
    region: 'eu-west-1',
  } as const;
  const noSecrets = { get: () => Promise.reject(new Error('IAM authentication reads no secret')) };

  it('signs a token for each connection as its password, with verified TLS and no secret', async () => {
    // Prepare
    const signed: unknown[] = [];
    const signer = async (target: unknown) => {
      signed.push(target);
      return `token-${signed.length}`;
    };

    // Act
    const config = await connectionConfig(location, 'location-cleanup', noSecrets, { signer });
    const password = config.password as () => Promise<string>;

    // Assess: nothing signed until node-postgres asks, then a fresh token each time
    expect(config).toMatchObject({
      host: location.host,
      port: 5432,
      database: 'app',
      user: 'maintenance',
      application_name: 'location-cleanup',
      ssl: { rejectUnauthorized: true },
    });
    expect(signed).toEqual([]);
    expect([await password(), await password()]).toEqual(['token-1', 'token-2']);
    expect(signed).toEqual([
      { host: location.host, port: 5432, user: 'maintenance', region: 'eu-west-1' },
      { host: location.host, port: 5432, user: 'maintenance', region: 'eu-west-1' },
    ]);
  });

  it.each([
    ['off', false],
    ['unverified', { rejectUnauthorized: false }],
  ])('refuses TLS %s', async (_label, ssl) => {
    // Act
    const attempt = connectionConfig(location, 'job', noSecrets, {
      ssl,
      signer: async () => 'token',
    });

    // Assess
    await expect(attempt).rejects.toThrow(IamTlsRequiredError);
  });
});
