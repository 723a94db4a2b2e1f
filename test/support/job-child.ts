/**
 * Run as a separate Node process (`node --import tsx job-child.ts`), like one Lambda instance:
 * invokes the location cleanup's handler once on `DATABASE_URL`, with a manual event and
 * `CHILD_REMAINING_MS` of remaining time on the system clock, its batches waiting up to 10
 * minutes for locks (so that a test can hold it mid-way for certain, then kill it). Its JSON
 * log lines go to stdout.
 */
import { createLocationCleanup } from '../../functions/jobs/location-cleanup/location-cleanup.js';
import { createJobHandler } from '../../functions/lambda/create-handler.js';

const remainingMs = Number(process.env.CHILD_REMAINING_MS ?? 900_000);
const started = Date.now();
const patient = { statementTimeoutMs: 600_000, lockTimeoutMs: 600_000 };
const handler = createJobHandler(
  'location-cleanup',
  createLocationCleanup({ limits: patient, countLimits: patient }),
);
await handler({}, { getRemainingTimeInMillis: () => started + remainingMs - Date.now() }).finally(
  () => handler.close(),
);
