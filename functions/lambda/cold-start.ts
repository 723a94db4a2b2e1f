import { Utility } from '@aws-lambda-powertools/commons';

/**
 * Powertools' cold-start rule (the first invocation of an on-demand execution environment;
 * never under provisioned concurrency), for a handler to read once per invocation. Needed
 * because each run logs through a new Powertools child logger, which on its own would
 * report `cold_start: true` on every run.
 */
export class ColdStart extends Utility {
  /** `true` for the first invocation only (on-demand instances); each call counts as one. */
  nextInvocation(): boolean {
    return this.getColdStart();
  }
}
