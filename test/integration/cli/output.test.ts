/**
 * What `run` and `start` print, with a real handler on a real database: the JSON lines as
 * the handler writes them (`--json`, or not a terminal), or one line per event for people;
 * no made-up Lambda fields; `cold_start` true on a handler's first run only.
 */
import type pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineCatalogue } from '../../../functions/catalogue/index.js';
import { systemClock } from '../../../functions/clock.js';
import { locationCleanup } from '../../../functions/jobs/location-cleanup/location-cleanup.js';
import { createJobHandler, type JobHandler } from '../../../functions/lambda/create-handler.js';
import { Schedule } from '../../../functions/schedule/schedule.js';
import { localContext } from '../../../harness/local-context.js';
import { formatDuration } from '../../../harness/output/format-values.js';
import { installOutput, OutputMode } from '../../../harness/output/output-mode.js';
import { type CapturedOutput, captureStdout } from '../../support/capture-output.js';
import { lambdaContext } from '../../support/lambda-context.js';
import { useTestDatabase } from '../../support/test-database.js';
import { insertLocations, resetTables } from '../jobs/fixtures.js';

const db = useTestDatabase();
const [entry] = defineCatalogue([
  {
    name: 'location-cleanup',
    description: 'Deletes old fixes.',
    schedule: Schedule.hourly({ minute: 15 }),
    timeoutSeconds: 300,
  },
]);

describe('the output of local runs', () => {
  let client: pg.Client;
  let terminal: CapturedOutput;
  let handler: JobHandler;
  let restoreOutput: (() => void) | undefined;

  beforeAll(async () => {
    client = await db().connect();
  });
  beforeEach(async () => {
    await resetTables(client);
    await insertLocations(client, 1_500, `now() - interval '40 days' + g * interval '1 second'`);
    handler = createJobHandler('location-cleanup', locationCleanup, {
      // As prepareJobs gives them to the handlers.
      env: {
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        DATABASE_URL: db().url,
        LOCATION_CLEANUP_BATCH_SIZE: '1000',
        LOCATION_CLEANUP_STRATEGY: 'index',
      },
    });
    // What reaches the terminal (or the pipe).
    terminal = captureStdout();
  });
  afterEach(async () => {
    restoreOutput?.();
    restoreOutput = undefined;
    terminal.restore();
    await handler.close();
  });

  const run = (event: object = {}) =>
    handler(event, localContext(entry as never, systemClock, new AbortController().signal));

  it('--json: the job finished line is the run record the handler returned, with Powertools’ own keys and no Lambda fields', async () => {
    // Prepare
    restoreOutput = installOutput(OutputMode.Json, [process.stdout, process.stderr]);

    // Act
    const record = await run();

    // Assess
    const [line] = terminal.logs('job finished');
    expect(line).toEqual({
      level: 'INFO',
      message: 'job finished',
      timestamp: expect.any(String),
      service: 'location-maintenance-jobs',
      sampling_rate: 0,
      cold_start: true,
      ...record,
    });
    expect(record.result).toMatchObject({ deleted: 1_500, batches: 2 });
    for (const logged of terminal.logs()) {
      expect(Object.keys(logged).filter((key) => key.startsWith('function_'))).toEqual([]);
    }
  });

  it('--json --metrics leaves the streams as they are: byte for byte what the handler writes', () => {
    // Prepare
    const before = process.stdout.write;

    // Act
    restoreOutput = installOutput(OutputMode.Json, [process.stdout, process.stderr], {
      metrics: true,
    });

    // Assess
    expect(process.stdout.write).toBe(before);
  });

  it.each([
    [OutputMode.Json, false],
    [OutputMode.Json, true],
    [OutputMode.Human, false],
    [OutputMode.Human, true],
  ])(
    '%s output, metrics %s: the metric lines only when asked, without touching process.env',
    async (mode, metrics) => {
      // Prepare
      const env = { ...process.env };
      restoreOutput = installOutput(mode, [process.stdout, process.stderr], { metrics });

      // Act
      await run();

      // Assess
      const written = terminal.text();
      expect(written.includes('"_aws"') || written.includes('metrics  ')).toBe(metrics);
      expect(written).toContain(
        mode === OutputMode.Json ? '"message":"job finished"' : 'succeeded',
      );
      expect(process.env).toEqual(env);
    },
  );

  it('cold_start: true on the handler’s first run, false on the next', async () => {
    // Act
    await run({ dryRun: true });
    await run({ dryRun: true });

    // Assess
    expect(terminal.logs('job started').map((line) => line.cold_start)).toEqual([true, false]);
  });

  it('in Lambda too: cold_start true on the first invocation only, next to Lambda’s fields', async () => {
    // Act
    await handler({ dryRun: true }, lambdaContext(systemClock));
    await handler({ dryRun: true }, lambdaContext(systemClock));

    // Assess
    expect(
      terminal.logs('job finished').map((line) => [line.cold_start, line.function_name]),
    ).toEqual([
      [true, 'test-function'],
      [false, 'test-function'],
    ]);
  });

  it('on a terminal: one line per event, the finished line with the counts the handler returned', async () => {
    // Prepare
    restoreOutput = installOutput(OutputMode.Human, [process.stdout, process.stderr], {
      jobWidth: 16,
    });

    // Act
    const record = await run();
    restoreOutput();
    restoreOutput = undefined;

    // Assess
    expect(terminal.json()).toEqual([]);
    const lines = terminal.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}location-cleanup {2}started {4}manual run$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d  location-cleanup  succeeded  ${formatDuration(record.durationMs)}  deleted 1,500 rows in 2 batches \\(index path\\); no row left$`,
      ),
    );
  });
});
