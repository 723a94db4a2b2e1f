import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../../cli/cli-args.js';

const noDb = { migrate: false, seed: false, partitioned: false };

describe('parseCommand', () => {
  it.each([
    [
      [],
      {
        name: 'start',
        runNow: false,
        shutdownTimeoutMs: 30_000,
        db: noDb,
        metrics: false,
        json: false,
      },
    ],
    [['list'], { name: 'list' }],
    [['-h'], { name: 'help' }],
    [['run', 'x', '--help'], { name: 'help' }],
    [
      ['run', 'location-cleanup', '--dry-run', '--seed', '--json'],
      {
        name: 'run',
        job: 'location-cleanup',
        dryRun: true,
        db: { ...noDb, seed: true },
        metrics: false,
        json: true,
      },
    ],
    [
      ['run', 'location-cleanup', '--aws', '--stage', 'dev', '--region', 'eu-west-1'],
      {
        name: 'run',
        job: 'location-cleanup',
        dryRun: false,
        db: noDb,
        metrics: false,
        json: false,
        aws: { stackName: 'LocationMaintenanceJobs-dev', region: 'eu-west-1' },
      },
    ],
    [
      ['start', '--run-now', '--shutdown-timeout', '5', '--partitioned'],
      {
        name: 'start',
        runNow: true,
        shutdownTimeoutMs: 5_000,
        db: { ...noDb, partitioned: true },
        metrics: false,
        json: false,
      },
    ],
    [['history'], { name: 'history', limit: 20, json: false }],
    [
      ['history', 'location-cleanup', '--limit', '1000', '--aws'],
      {
        name: 'history',
        job: 'location-cleanup',
        limit: 1_000,
        json: false,
        aws: { stackName: 'LocationMaintenanceJobs' },
      },
    ],
    [['status', '--json'], { name: 'status', json: true }],
    [
      ['resume', 'location-cleanup', '--aws'],
      { name: 'resume', job: 'location-cleanup', aws: { stackName: 'LocationMaintenanceJobs' } },
    ],
  ])('%j parses to the command the CLI runs', (argv, command) => {
    expect(parseCommand(argv)).toEqual(command);
  });

  it.each([
    [['list', 'x'], '"list" takes no arguments, got x'],
    [['run', 'a', 'b'], '"run" takes one job, got a b'],
    [['history', 'a', 'b'], '"history" takes at most one job, got a b'],
    [['run'], '"run" needs a job name: npm run jobs -- run <job>'],
    [['pause', '--aws'], '"pause" needs a job name: npm run jobs -- pause <job> --aws'],
    [
      ['resume', 'a'],
      '"resume" works on the deployed stack: add --aws (locally, set enabled: false in the job\'s catalogue entry)',
    ],
    [['run', 'a', '--limit', '3'], '--limit does not apply to "run"'],
    [['run', 'a', '--aws', '--metrics', '--seed'], '--seed does not apply with --aws'],
    [['run', 'a', '--region', 'eu-west-1'], '--region goes with --aws'],
    [
      ['run', 'a', '--aws', '--region', 'mars'],
      '--region must be an AWS region such as eu-west-1, got "mars"',
    ],
    [
      ['start', '--shutdown-timeout', '3601'],
      '--shutdown-timeout must be a whole number of seconds from 0 to 3600, got "3601"',
    ],
    [
      ['start', '--shutdown-timeout', '1.5'],
      '--shutdown-timeout must be a whole number of seconds',
    ],
    [['history', '--limit', '1001'], '--limit must be a whole number from 1 to 1000, got "1001"'],
    [['history', '--limit', ''], '--limit must be a whole number from 1 to 1000, got ""'],
    [['run', 'a', '--limit'], "Option '--limit <value>' argument missing"],
    [['run', 'location-cleanup', '--bogus'], "Unknown option '--bogus'"],
    [['list', '--dry-run'], '--dry-run does not apply to "list"'],
    [
      ['start', '--shutdown-timeout', 'soon'],
      '--shutdown-timeout must be a whole number of seconds',
    ],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['history', '--limit', '0'], '--limit must be a whole number from 1 to 1000'],
    [['status', '--stage', 'staging'], '--stage goes with --aws'],
    [['pause', 'location-cleanup'], '"pause" works on the deployed stack: add --aws'],
    [['run', 'location-cleanup', '--aws', '--migrate'], '--migrate does not apply with --aws'],
    [['status', '--aws', '--stage', 'Bad_Stage'], '--stage must be lowercase letters'],
    [['start', '--aws'], '--aws does not apply to "start"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
