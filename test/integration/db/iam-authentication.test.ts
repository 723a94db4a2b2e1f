/**
 * IAM authentication (`DB_AUTH=iam`) against a real PostgreSQL that speaks TLS: the injected
 * signer's token is the only password, and the server checks it (the job's role has the fake
 * token as its password, where RDS would check the signature). No AWS call: the signer is a
 * function of the test. Skipped, saying why, where `openssl` (for the certificates) is missing.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IamTlsRequiredError } from '../../../functions/db/connection-config.js';
import type { AuthTokenSigner, AuthTokenTarget } from '../../../functions/db/iam-auth-token.js';
import { migrate } from '../../../functions/db/migrate.js';
import { createIdempotencyKeyPurge } from '../../../functions/jobs/idempotency-key-purge/idempotency-key-purge.js';
import { createJobHandler, JobFailedError } from '../../../functions/lambda/create-handler.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { lambdaContext } from '../../support/lambda-context.js';
import { hasOpenssl, startTlsPostgres, type TlsPostgres } from '../../support/tls-postgres.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { countRows, insertIdempotencyKeys, resetTables } from '../jobs/fixtures.js';

const openssl = await hasOpenssl();
if (!openssl) console.warn('IAM authentication tests skipped: openssl is not installed');

/** What a signed token looks like: long, and full of characters a password rarely has. */
const token = `127.0.0.1:5432/?Action=connect&DBUser=maintenance_iam&X-Amz-Signature=${randomBytes(32).toString('hex')}`;
const user = 'maintenance_iam';
const database = 'app';

describe.skipIf(!openssl)('IAM authentication, against a server with TLS', () => {
  let server: TlsPostgres;
  let admin: pg.Client;
  let asJob: pg.Client;
  let output: CapturedOutput;
  let clock: VirtualClock;
  let signed: AuthTokenTarget[];
  const handlers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await startTlsPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${token.replaceAll("'", "''")}'`);
    await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
    // The job's role owns its schema here, as a backend's migration user would.
    asJob = new pg.Client({ ...tlsClient(), password: token });
    await asJob.connect();
    await migrate(asJob);
  });
  afterAll(async () => {
    await asJob?.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await server?.stop();
  });
  beforeEach(async () => {
    await resetTables(asJob);
    output = captureStdout();
    clock = new VirtualClock(Date.parse('2026-11-28T10:15:00Z'));
    signed = [];
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((handler) => handler.close()));
    output.restore();
  });

  /** The job's role at the app database, over TLS verified against the server's CA. */
  function tlsClient(): pg.ClientConfig {
    return {
      host: '127.0.0.1',
      port: server.port,
      database,
      user,
      ssl: { ca: server.ca, rejectUnauthorized: true },
    };
  }

  /** A signer that records what it signs for and gives `result`. */
  function signer(result = token): AuthTokenSigner {
    return async (target) => {
      signed.push(target);
      return result;
    };
  }

  /** The idempotency-key purge's handler with IAM authentication, as the stack sets it up. */
  function iamHandler(sign: AuthTokenSigner, ssl: pg.ClientConfig['ssl'] = tlsClient().ssl) {
    const handler = createJobHandler('idempotency-key-purge', createIdempotencyKeyPurge(), {
      env: {
        DB_AUTH: 'iam',
        DB_HOST: '127.0.0.1',
        DB_PORT: String(server.port),
        DB_NAME: database,
        DB_USER: user,
        AWS_REGION: 'eu-west-1',
      },
      clock,
      logger: new Logger({ serviceName: 'test' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      ssl,
      signer: sign,
    });
    handlers.push(handler);
    return handler;
  }

  /** Whether the job's sessions on the server use TLS, one entry per session. */
  async function jobSessionsTls(): Promise<boolean[]> {
    const { rows } = await admin.query<{ ssl: boolean }>(
      `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.application_name = 'idempotency-key-purge'`,
    );
    return rows.map((row) => row.ssl);
  }

  it('logs in with the signer’s token as the password, over verified TLS, and runs the job', async () => {
    // Prepare
    await insertIdempotencyKeys(asJob, 300, `now() - interval '1 hour' - g * interval '1 second'`);
    await insertIdempotencyKeys(asJob, 100, `now() + g * interval '1 hour'`, 'valid');
    const handler = iamHandler(signer());

    // Act
    const record = await handler({}, lambdaContext(clock));

    // Assess
    expect(record.outcome).toBe('succeeded');
    expect(record.result).toMatchObject({ deleted: 300 });
    expect(await countRows(asJob, 'idempotency_keys')).toBe(100);
    expect(signed).toEqual([{ host: '127.0.0.1', port: server.port, user, region: 'eu-west-1' }]);
    expect(await jobSessionsTls()).toEqual([true]);
    expect(JSON.stringify(output.json())).not.toContain(token);
  });

  it('signs a new token for each new connection, and none for a kept one', async () => {
    // Prepare: a first run opens the instance's connection
    const handler = iamHandler(signer());
    await handler({}, lambdaContext(clock));

    // Act: a warm run reuses it; once it is closed, the next run connects anew
    await handler({}, lambdaContext(clock));
    const signedWhileKept = signed.length;
    await handler.close();
    const record = await handler({}, lambdaContext(clock));

    // Assess
    expect(signedWhileKept).toBe(1);
    expect(record.outcome).toBe('succeeded');
    expect(signed).toHaveLength(2);
  });

  it('is refused by the server when the token is not the one it checks', async () => {
    // Prepare: a token the server does not accept, as RDS refuses an expired one
    const handler = iamHandler(signer(`${token}-expired`));

    // Act
    const attempt = handler({}, lambdaContext(clock));

    // Assess
    await expect(attempt).rejects.toThrow(JobFailedError);
    const [finished] = output.logs('job finished');
    expect(finished).toMatchObject({
      outcome: 'failed',
      error: { code: '28P01', message: expect.stringContaining(user) },
    });
    expect(signed).toHaveLength(1);
  });

  it('refuses to connect without TLS, before signing anything', async () => {
    // Prepare
    const handler = iamHandler(signer(), false);

    // Act
    const attempt = handler({}, lambdaContext(clock));

    // Assess
    await expect(attempt).rejects.toThrow(JobFailedError);
    const [finished] = output.logs('job finished');
    expect(finished).toMatchObject({
      outcome: 'failed',
      error: { name: new IamTlsRequiredError('').name },
    });
    expect(signed).toEqual([]);
    expect(await jobSessionsTls()).toEqual([]);
  });
});
