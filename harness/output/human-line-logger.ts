/**
 * A {@link MessageLogger} that writes each line as people read it (see human-lines.ts), for a
 * command that prints progress without the JSON lines of the harness's Powertools Logger.
 */

import { type Clock, systemClock } from '../../functions/clock.js';
import type { LogMessage, MessageLogger } from '../../functions/log-messages.js';
import { formatLogLine } from './human-lines.js';

/**
 * Writes each line for people to `write`, at every level alike, leaving out the `quiet`
 * messages (and those that have no line for people).
 */
export function humanLineLogger(
  write: (line: string) => void,
  quiet: ReadonlySet<LogMessage> = new Set(),
  clock: Pick<Clock, 'now'> = systemClock,
): MessageLogger {
  const log = (message: LogMessage, fields: Readonly<Record<string, unknown>> = {}) => {
    if (quiet.has(message)) return;
    const line = formatLogLine({ message, timestamp: clock.now(), ...fields });
    if (line) write(line);
  };
  return { info: log, warn: log, error: log };
}
