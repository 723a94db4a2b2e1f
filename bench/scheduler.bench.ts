/**
 * `npm run bench -- scheduler`: simulates one year (2027, not a leap year) of two catalogues on
 * the virtual clock, through the local scheduler, with no-op handlers: the real catalogue
 * (UTC), and a zoned one (Europe/Bratislava, through both daylight-saving changes). Target:
 * under 1 s each, with exact fire counts: 8,760 hourly and 365 daily fires in UTC; in
 * Bratislava 8,759 hourly (the repeated autumn hour runs once) and 364 daily at 02:30 (a time
 * that 28 March skips). The baseline is the same fire times computed directly with
 * `Schedule.next`, without the scheduler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { type CatalogueEntry, catalogue, defineCatalogue } from '../functions/catalogue/index.js';
import type { JobHandler } from '../functions/lambda/create-handler.js';
import type { RunRecord } from '../functions/runner/types.js';
import { Schedule } from '../functions/schedule/schedule.js';
import { Scheduler } from '../harness/scheduler.js';
import { VirtualClock } from '../test/support/virtual-clock.js';
import { BenchReport } from './common/results-file.js';

const yearStart = Date.parse('2027-01-01T00:00:00Z');
const yearEnd = Date.parse('2028-01-01T00:00:00Z');
const repetitions = 5;
const targetMs = 1_000;

interface Simulation {
  readonly title: string;
  readonly entries: readonly CatalogueEntry[];
  /** The exact number of fires each job must have in 2027. */
  readonly expected: Readonly<Record<string, number>>;
}

const zone = 'Europe/Bratislava';
const simulations: readonly Simulation[] = [
  {
    title: 'the catalogue (UTC)',
    entries: catalogue,
    expected: { 'location-cleanup': 8_760, 'idempotency-key-purge': 365 },
  },
  {
    title: `a zoned catalogue (${zone})`,
    entries: defineCatalogue([
      {
        name: 'zoned-hourly',
        description: 'Hourly at :15, Bratislava time.',
        schedule: Schedule.hourly({ minute: 15, timeZone: zone }),
        timeoutSeconds: 300,
      },
      {
        name: 'zoned-daily-skipped',
        description: 'Daily at 02:30, Bratislava time, which 28 March skips.',
        schedule: Schedule.daily({ hour: 2, minute: 30, timeZone: zone }),
        timeoutSeconds: 300,
      },
    ]),
    expected: { 'zoned-hourly': 8_759, 'zoned-daily-skipped': 364 },
  },
];

function noOpHandler(counts: Map<string, number>, name: string): JobHandler {
  const handler = async () => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return {} as RunRecord;
  };
  const noOp: JobHandler = Object.assign(handler, {
    checkConfig: () => undefined,
    close: async () => undefined,
    withEnv: () => noOp,
  });
  return noOp;
}

/** One simulated year through the scheduler; returns fires per job. */
async function simulateYear(entries: readonly CatalogueEntry[]): Promise<Map<string, number>> {
  const clock = new VirtualClock(yearStart);
  const counts = new Map<string, number>();
  const scheduler = new Scheduler({
    clock,
    logger: new Logger({ logLevel: 'SILENT' }),
    jobs: entries.map((entry) => ({ entry, handler: noOpHandler(counts, entry.name) })),
  });
  scheduler.start();
  await clock.advanceAsync(yearEnd - yearStart - 1);
  await scheduler.stop();
  return counts;
}

/** The same fire times, computed without the scheduler. */
function computeYear(entries: readonly CatalogueEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    let fires = 0;
    for (
      let fire = entry.schedule.next(yearStart, yearStart);
      fire !== undefined && fire < yearEnd;
      fire = entry.schedule.next(fire, yearStart)
    ) {
      fires += 1;
    }
    counts.set(entry.name, fires);
  }
  return counts;
}

async function median(run: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Runs one simulation, prints its table; returns whether every count and the target held. */
async function report(
  out: BenchReport,
  { title, entries, expected }: Simulation,
): Promise<boolean> {
  const counts = await simulateYear(entries);
  const direct = computeYear(entries);
  const simulated = await median(() => simulateYear(entries));
  const baseline = await median(() => computeYear(entries));
  let ok = simulated < targetMs;
  out.print(`one simulated year (2027) of ${title}, median of ${repetitions} runs`);
  out.print(`${'job'.padEnd(24)}${'fires'.padStart(7)}${'direct'.padStart(9)}`);
  for (const entry of entries) {
    const fires = counts.get(entry.name) ?? 0;
    const want = expected[entry.name];
    const matches = fires === want && direct.get(entry.name) === want;
    ok &&= matches;
    const check = matches ? 'ok' : `MISMATCH (want ${want})`;
    out.print(
      `${entry.name.padEnd(24)}${String(fires).padStart(7)}${String(direct.get(entry.name)).padStart(9)}  ${check}`,
    );
  }
  out.print(
    `scheduler, virtual clock    ${simulated.toFixed(1).padStart(8)} ms   (target < ${targetMs} ms: ${simulated < targetMs ? 'met' : 'MISSED'})`,
  );
  out.print(`baseline: Schedule.next only${baseline.toFixed(1).padStart(8)} ms`);
  out.print(`ratio scheduler / baseline  ${(simulated / baseline).toFixed(1).padStart(8)}x`);
  out.print('');
  return ok;
}

export default async function schedulerBench(flags: string[]): Promise<void> {
  const out = new BenchReport(
    'scheduler',
    'One simulated year (2027) of the catalogue and of a zoned catalogue (Europe/Bratislava) through the local scheduler on the virtual clock, against computing the same fire times with `Schedule.next` alone. Targets: exact fire counts, under 1 s each.',
  );
  const results: boolean[] = [];
  for (const simulation of simulations) results.push(await report(out, simulation));
  const met = !results.includes(false);
  await out.save(flags, met);
  // A wrong count or a missed target fails `npm run bench`.
  if (!met) process.exitCode = 1;
}
