import { ConfigurationFault } from '../errors.js';

/**
 * A schedule expression, or an option given to a `Schedule` factory, is malformed.
 *
 * The message quotes the expression and says which part is wrong and why, e.g.
 * `cron(0 25 * * ? *): hours field "25" is out of range 0-23`.
 */
export class ScheduleExpressionError extends ConfigurationFault {
  override readonly name = 'ScheduleExpressionError';
}
