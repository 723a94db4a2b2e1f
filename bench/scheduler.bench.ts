/**
 * `npm run bench -- scheduler`: simulates one year (2027, not a leap year) of the catalogue's
 * schedules on the virtual clock, through the local scheduler, with no-op handlers. Target:
 * under 1 s, with exactly 8,760 hourly and 365 daily fires. The baseline is the same fire
 * times computed directly with `Schedule.next`, without the scheduler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { catalogue } from '../functions/catalogue/index.js';
import type { JobHandler } from '../functions/lambda/create-handler.js';
import { Scheduler } from '../functions/local/scheduler.js';
import type { RunRecord } from '../functions/runner/types.js';
import { VirtualClock } from '../functions/virtual-clock.js';

const yearStart = Date.parse('2027-01-01T00:00:00Z');
const yearEnd = Date.parse('2028-01-01T00:00:00Z');
const expected: Record<string, number> = {
  'location-cleanup': 8_760,
  'idempotency-key-purge': 365,
};
const repetitions = 5;

function noOpHandler(counts: Map<string, number>, name: string): JobHandler {
  const handler = async () => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return {} as RunRecord;
  };
  return Object.assign(handler, { checkConfig: () => undefined, close: async () => undefined });
}

/** One simulated year through the scheduler; returns fires per job. */
async function simulateYear(): Promise<Map<string, number>> {
  const clock = new VirtualClock(yearStart);
  const counts = new Map<string, number>();
  const scheduler = new Scheduler({
    clock,
    logger: new Logger({ logLevel: 'SILENT' }),
    jobs: catalogue.map((entry) => ({ entry, handler: noOpHandler(counts, entry.name) })),
  });
  scheduler.start();
  await clock.advanceAsync(yearEnd - yearStart - 1);
  await scheduler.stop();
  return counts;
}

/** The same fire times, computed without the scheduler. */
function computeYear(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of catalogue) {
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

export default async function schedulerBench(): Promise<void> {
  const counts = await simulateYear();
  const direct = computeYear();
  const simulated = await median(simulateYear);
  const baseline = await median(computeYear);
  const rows = catalogue.map((entry) => {
    const fires = counts.get(entry.name) ?? 0;
    const want = expected[entry.name];
    const check = want === undefined ? '' : fires === want ? 'ok' : `MISMATCH (want ${want})`;
    return `${entry.name.padEnd(24)}${String(fires).padStart(7)}${String(direct.get(entry.name)).padStart(9)}  ${check}`;
  });
  console.log(`one simulated year (2027) of the catalogue, median of ${repetitions} runs`);
  console.log(`${'job'.padEnd(24)}${'fires'.padStart(7)}${'direct'.padStart(9)}`);
  for (const row of rows) console.log(row);
  console.log('');
  console.log(
    `scheduler, virtual clock    ${simulated.toFixed(1).padStart(8)} ms   (target < 1000 ms: ${simulated < 1_000 ? 'met' : 'MISSED'})`,
  );
  console.log(`baseline: Schedule.next only${baseline.toFixed(1).padStart(8)} ms`);
  console.log(`ratio scheduler / baseline  ${(simulated / baseline).toFixed(1).padStart(8)}x`);
  const wrong = catalogue.filter((entry) => {
    const want = expected[entry.name];
    return want !== undefined && counts.get(entry.name) !== want;
  });
  if (wrong.length > 0 || simulated >= 1_000) {
    // A wrong count or a missed target fails `npm run bench`.
    process.exitCode = 1;
  }
}
