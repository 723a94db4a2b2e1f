import type { Env } from '../config/env.js';

/**
 * Powertools' cold-start rule (the first invocation of an on-demand execution environment;
 * never under provisioned concurrency), read from the handler's environment, for a handler to
 * ask once per invocation. Needed because each run logs through a new Powertools child logger,
 * which on its own would report `cold_start: true` on every run.
 */
export class ColdStart {
  #cold: boolean;

  /** @param env - `AWS_LAMBDA_INITIALIZATION_TYPE`, as Lambda sets it (`on-demand`). */
  constructor(env: Env) {
    this.#cold = env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';
  }

  /** `true` for the first invocation only (on-demand instances); each call counts as one. */
  nextInvocation(): boolean {
    const cold = this.#cold;
    this.#cold = false;
    return cold;
  }
}
