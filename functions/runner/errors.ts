import { Fault, MaintenanceError } from '../errors.js';
import { redact } from './redact.js';
import type { ErrorDetails } from './types.js';

/** Thrown by a job (or its setup) to end the run as `skipped`, e.g. when another run holds the job's claim. */
export class SkipRun extends MaintenanceError {
  override readonly name = 'SkipRun';
}

/** The reason a job's signal aborts when its deadline passes. */
export class DeadlineReached extends MaintenanceError {
  override readonly name = 'DeadlineReached';
}

const maxCauseDepth = 5;

/**
 * Turns anything thrown (an Error, a string, an object, `undefined`) into plain, loggable
 * details, following `cause` chains a few levels deep.
 */
export function describeError(thrown: unknown, depth = 0): ErrorDetails {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const cause =
      thrown.cause !== undefined && depth < maxCauseDepth
        ? describeError(thrown.cause, depth + 1)
        : undefined;
    return {
      name: thrown.name,
      message: redact(thrown.message || String(thrown)),
      ...(thrown.stack ? { stack: redact(thrown.stack) } : {}),
      ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
      ...(thrown instanceof MaintenanceError && thrown.fault === Fault.Configuration
        ? { fault: thrown.fault }
        : {}),
      ...(cause ? { cause } : {}),
    };
  }
  const message = typeof thrown === 'string' ? thrown : stringify(thrown);
  return { name: 'NonErrorThrown', message: redact(message) };
}

function stringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
