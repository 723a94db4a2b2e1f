import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../functions/catalogue/index.js';
import { schedulerInput } from '../../functions/lambda/scheduler-input.js';
import { harnessLogDocs, jobLogDocs } from '../../functions/log-messages.js';
import { runMetricDocs } from '../../functions/runner/metric-names.js';
import { rdsSignerAssetPath, rdsSignerPackage } from '../../infra/job-function.js';
import { seedSteadyDemoData } from '../support/demo-data.js';
import { scheduledEvent } from '../support/lambda-context.js';
import { useTestDatabase } from '../support/test-database.js';
import { hasOpenssl, startTlsPostgres } from '../support/tls-postgres.js';
import { bundleNode } from './bundle-node.js';
import { type BuiltBundle, synthesizeBundles } from './synthesize-bundles.js';

const run = promisify(execFile);
const db = useTestDatabase();
/** Lambda runs the bundles on Node 24: CI names it in BUNDLE_NODE (see bundle-node.ts). */
const node = bundleNode();
const openssl = await hasOpenssl();

interface Invocation {
  code: number;
  lines: Record<string, unknown>[];
  result?: Record<string, unknown>;
  error?: { name: string; message: string };
  output: string;
}

/**
 * Calls a bundle's handler in a separate process of the chosen Node, with the function's
 * environment (NODE_OPTIONS among it) and `env`, as Lambda would.
 */
async function invoke(
  bundle: BuiltBundle,
  event: unknown,
  env: Record<string, string>,
): Promise<Invocation> {
  const args = [
    join(import.meta.dirname, 'invoke-bundle.cjs'),
    bundle.file,
    JSON.stringify(event),
    '300000',
  ];
  const childEnv = {
    PATH: process.env.PATH ?? '',
    ...bundle.environment,
    ...env,
  };
  let stdout: string;
  let stderr: string;
  let code = 0;
  try {
    ({ stdout, stderr } = await run(node.path, args, { env: childEnv }));
  } catch (failure) {
    ({ stdout, stderr } = failure as { stdout: string; stderr: string });
    code = (failure as { code: number }).code;
  }
  const output = `${stdout}\n${stderr}`;
  const marker = (prefix: string) => {
    const line = stdout.split('\n').find((text) => text.startsWith(prefix));
    return line ? JSON.parse(line.slice(prefix.length)) : undefined;
  };
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines, result: marker('__RESULT__'), error: marker('__ERROR__'), output };
}

async function expiredLocations(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    "SELECT count(*) FROM locations WHERE created_at < now() - interval '30 days'",
  );
  return Number(rows[0]?.count);
}

describe(`the built bundles, invoked as Lambda does (on Node ${node.version})`, () => {
  let outdir: string;
  let bundles: Map<string, BuiltBundle>;
  let client: pg.Client;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'bundle-test-'));
    bundles = await synthesizeBundles(outdir);
    client = await db().connect();
    // Nothing expires within the hour, so what a test counts is what the job then finds.
    await seedSteadyDemoData(client, { devices: 4, locationsPerDevice: 500, idempotencyKeys: 300 });
  });
  afterAll(() => rm(outdir, { recursive: true, force: true }));

  it('builds one minified bundle per catalogued job, at most 250 KB', async () => {
    expect([...bundles.keys()].sort()).toEqual(catalogue.map((job) => job.name).sort());
    for (const bundle of bundles.values()) {
      expect((await stat(bundle.file)).size).toBeGreaterThan(0);
      // The bundles bench's size target
      expect((await stat(bundle.file)).size).toBeLessThanOrEqual(250 * 1024);
      expect((await stat(`${bundle.file}.map`)).size).toBeGreaterThan(0);
      // The stack's functions map stack traces back to the TypeScript sources.
      expect(bundle.environment.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('builds the RDS signer into each asset apart, where the handler’s import finds it, and leaves it out of the handler’s bundle', async () => {
    const specifier = JSON.stringify(rdsSignerPackage);
    for (const bundle of bundles.values()) {
      // WHEN the chosen Node imports the signer from the bundle's folder, as the handler's
      // `import()` does (the project's node_modules is not above it: the asset is alone, as
      // in Lambda)
      const { stdout } = await run(
        node.path,
        [
          '-e',
          `import(${specifier}).then((signer) => console.log(JSON.stringify({ Signer: typeof signer.Signer, file: require.resolve(${specifier}) })))`,
        ],
        { cwd: dirname(bundle.file), env: { PATH: process.env.PATH ?? '' } },
      );

      // THEN it is the asset's copy
      const signerFile = join(dirname(bundle.file), rdsSignerAssetPath);
      expect(JSON.parse(stdout)).toEqual({ Signer: 'function', file: signerFile });
      // The signer's service name is in its code only; the handler names the package.
      expect(await readFile(signerFile, 'utf8')).toContain('"rds-db"');
      const handlerCode = await readFile(bundle.file, 'utf8');
      expect(handlerCode).not.toContain('"rds-db"');
      expect(handlerCode).toContain(`import(${specifier})`);
    }
  });

  it('leaves out the data the reference pages are generated from', async () => {
    const docs = [jobLogDocs, harnessLogDocs, runMetricDocs].flatMap((table) =>
      Object.values(table).map((doc) => doc.means),
    );
    for (const bundle of bundles.values()) {
      const code = await readFile(bundle.file, 'utf8');
      expect(docs.filter((means) => code.includes(means))).toEqual([]);
    }
  });

  it('location-cleanup: deletes the expired rows on a Scheduled Event, logging the runner’s JSON lines', async () => {
    // GIVEN expired rows
    const expired = await expiredLocations(client);
    expect(expired).toBeGreaterThan(0);

    // WHEN the bundle's handler gets a Scheduled Event
    const bundle = bundles.get('location-cleanup') as BuiltBundle;
    const invocation = await invoke(bundle, scheduledEvent(new Date()), { DATABASE_URL: db().url });

    // THEN
    expect(invocation.code, invocation.output).toBe(0);
    expect(invocation.result).toMatchObject({
      outcome: 'succeeded',
      result: { deleted: expired, complete: true },
    });
    expect(await expiredLocations(client)).toBe(0);
    const started = invocation.lines.find((line) => line.message === 'job started');
    const finished = invocation.lines.find((line) => line.message === 'job finished');
    expect(started).toMatchObject({
      level: 'INFO',
      service: 'location-maintenance-jobs',
      job: 'location-cleanup',
      trigger: 'schedule',
      function_request_id: 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
    });
    for (const field of ['runId', 'scheduledTime', 'startedAt', 'deadline'])
      expect(started).toHaveProperty(field);
    expect(finished).toMatchObject({ outcome: 'succeeded', runId: started?.runId });
    for (const field of ['startedAt', 'endedAt', 'durationMs', 'result'])
      expect(finished).toHaveProperty(field);
    expect(invocation.lines.find((line) => '_aws' in line)).toMatchObject({
      job: 'location-cleanup',
      Runs: 1,
      Succeeded: 1,
      RowsDeleted: expired,
    });
  });

  it('idempotency-key-purge: a manual dry run counts and deletes nothing, then a run deletes', async () => {
    // GIVEN
    const bundle = bundles.get('idempotency-key-purge') as BuiltBundle;
    const count = async () =>
      Number(
        (await client.query('SELECT count(*) FROM idempotency_keys WHERE expires_at < now()'))
          .rows[0].count,
      );
    const expired = await count();

    // WHEN
    const dryRun = await invoke(bundle, { dryRun: true }, { DATABASE_URL: db().url });
    const afterDryRun = await count();
    const real = await invoke(bundle, {}, { DATABASE_URL: db().url });

    // THEN
    expect(dryRun.result).toMatchObject({
      trigger: 'manual',
      result: { dryRun: true, wouldDelete: expired },
    });
    expect(afterDryRun).toBe(expired);
    expect(real.result).toMatchObject({ outcome: 'succeeded', result: { deleted: expired } });
    expect(await count()).toBe(0);
  });

  it('idempotency-key-purge: refuses a Scheduled Event asking for a dry run, deleting nothing; runs on the Scheduler input', async () => {
    // GIVEN expired keys (an earlier test purged the demo data's)
    const bundle = bundles.get('idempotency-key-purge') as BuiltBundle;
    await client.query(
      `INSERT INTO idempotency_keys (key_hash, device_id, response_body, expires_at)
       SELECT 'bundle-test-' || n, (SELECT device_id FROM devices LIMIT 1), '{}', now() - interval '1 day'
       FROM generate_series(1, 25) AS n`,
    );
    const expiredKeys = async () =>
      Number(
        (await client.query('SELECT count(*) FROM idempotency_keys WHERE expires_at < now()'))
          .rows[0].count,
      );
    const expired = await expiredKeys();
    expect(expired).toBeGreaterThan(0);

    // WHEN a Scheduled Event carries dryRun, then the Scheduler input arrives
    const withDryRun = await invoke(
      bundle,
      { ...scheduledEvent(new Date()), detail: { dryRun: true } },
      { DATABASE_URL: db().url },
    );
    const afterRefusal = await expiredKeys();
    const scheduled = await invoke(
      bundle,
      schedulerInput({
        scheduleArn: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/purge',
        scheduledTime: new Date().toISOString(),
        executionId: 'd32c5kddcf5bb8c3',
        attemptNumber: '1',
      }),
      { DATABASE_URL: db().url },
    );

    // THEN the first is refused before any work, the second deletes as scheduled
    expect(withDryRun.code).toBe(1);
    expect(withDryRun.error).toMatchObject({
      name: 'InvalidEventError',
      message: expect.stringContaining('a scheduled run takes no options'),
    });
    expect(afterRefusal).toBe(expired);
    expect(scheduled.result).toMatchObject({
      trigger: 'schedule',
      outcome: 'succeeded',
      result: { deleted: expired },
    });
    expect(scheduled.lines.find((line) => line.message === 'job started')).toMatchObject({
      executionId: 'd32c5kddcf5bb8c3',
      attempt: 1,
    });
    expect(await expiredKeys()).toBe(0);
  });

  it('rejects a malformed event before any work, and the invocation fails', async () => {
    // WHEN
    const invocation = await invoke(
      bundles.get('location-cleanup') as BuiltBundle,
      { source: 'aws.s3', 'detail-type': 'Object Created' },
      { DATABASE_URL: db().url },
    );

    // THEN
    expect(invocation.code).toBe(1);
    expect(invocation.error).toMatchObject({
      name: 'InvalidEventError',
      message: expect.stringContaining('expected an EventBridge Scheduled Event'),
    });
    expect(invocation.lines.some((line) => line.message === 'job started')).toBe(false);
    expect(invocation.lines.find((line) => line.message === 'event rejected')).toMatchObject({
      level: 'ERROR',
    });
  });

  it('fails the invocation with its error logged when the database is unreachable, without the password', async () => {
    // WHEN: nothing listens on port 1
    const invocation = await invoke(
      bundles.get('location-cleanup') as BuiltBundle,
      scheduledEvent(new Date()),
      {
        DATABASE_URL: 'postgres://jobs:Bundl3Secret@127.0.0.1:1/pm',
      },
    );

    // THEN
    expect(invocation.code).toBe(1);
    expect(invocation.error).toMatchObject({ name: 'JobFailedError' });
    expect(invocation.lines.find((line) => line.message === 'job finished')).toMatchObject({
      level: 'ERROR',
      outcome: 'failed',
      error: { code: 'ECONNREFUSED' },
    });
    expect(invocation.output).not.toContain('Bundl3Secret');
  });

  it.skipIf(!openssl)(
    'IAM authentication: signs a token with the signer built into the asset and credentials from the environment, sent over TLS verified with NODE_EXTRA_CA_CERTS',
    async () => {
      // GIVEN a server with TLS whose CA the function trusts, as Lambda's RDS CAs, and a role
      // the token is checked for (RDS would accept it; this server only knows a password)
      const server = await startTlsPostgres();
      try {
        const dir = await mkdtemp(join(tmpdir(), 'bundle-ca-'));
        const caFile = join(dir, 'ca.pem');
        await writeFile(caFile, server.ca);
        const admin = new pg.Client({ connectionString: server.url });
        await admin.connect();
        await admin.query("CREATE ROLE maintenance_iam LOGIN PASSWORD 'only-rds-knows'");
        await admin.end();
        const env = {
          DB_AUTH: 'iam',
          DB_HOST: '127.0.0.1',
          DB_PORT: String(server.port),
          DB_NAME: 'postgres',
          DB_USER: 'maintenance_iam',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE12',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_SESSION_TOKEN: 'session-token-of-the-role',
        };
        const bundle = bundles.get('idempotency-key-purge') as BuiltBundle;

        // WHEN invoked trusting the CA, and then not
        const trusted = await invoke(bundle, {}, { ...env, NODE_EXTRA_CA_CERTS: caFile });
        const untrusted = await invoke(bundle, {}, env);
        await rm(dir, { recursive: true, force: true });

        // THEN the token reached the server as the password, which refused it (28P01): the
        // signer loaded and signed, over TLS the function verified; untrusted, no login at all
        const failure = (invocation: Invocation) =>
          invocation.lines.find((line) => line.message === 'job finished')?.error;
        expect(trusted.code, trusted.output).toBe(1);
        expect(failure(trusted)).toMatchObject({
          code: '28P01',
          message: expect.stringContaining('maintenance_iam'),
        });
        expect(failure(untrusted)).toMatchObject({
          message: expect.stringContaining('unable to verify the first certificate'),
        });
        expect(`${trusted.output}${untrusted.output}`).not.toContain('EXAMPLEKEY');
      } finally {
        await server.stop();
      }
    },
  );
});
