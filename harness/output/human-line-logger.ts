/**
 * A {@link MessageLogger} that writes each line as people read it (see human-lines.ts), for a
 * command that prints progress without the JSON lines of the harness's Powertools Logger.
 */

import { type Clock, systemClock } from '../../functions/clock.js';
import type { LogMessage, MessageLogger } from '../../functions/log-messages.js';
import { formatLogLine } from './human-lines.js';

/**
 * Writes each line for people to `write`, at the info, warn and error levels alike, leaving
 * out the `quiet` messages, those that have no line for people, and the debug level (as a
 * Powertools Logger does at its default level).
 */
export function humanLineLogger(
  write: (line: string) => void,
  quiet: ReadonlySet<LogMessage> = new Set(),
  clock: Pick<Clock, 'now'> = systemClock,
): MessageLogger {
  const log =
    (level: string) => (message: LogMessage, fields: Readonly<Record<string, unknown>>) => {
      if (quiet.has(message)) return;
      const line = formatLogLine({ level, message, timestamp: clock.now(), ...fields });
      if (line) write(line);
    };
  return { debug: () => undefined, info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
}
