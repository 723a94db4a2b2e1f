import type { LogFields, LogMessage, MessageLogger } from '../../functions/log-messages.js';

/** One call to a {@link MessageLogger}. */
export interface RecordedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: LogMessage;
  readonly fields: LogFields;
}

/** A {@link MessageLogger} that keeps every line, for a test to read. */
export interface RecordingLogger extends MessageLogger {
  /** Every line so far, in order; only those with `message` when it is given. */
  lines(message?: LogMessage): RecordedLine[];
}

/** A logger that records what it is given and writes nothing. */
export function recordingLogger(): RecordingLogger {
  const recorded: RecordedLine[] = [];
  const at =
    (level: RecordedLine['level']) =>
    (message: LogMessage, fields: LogFields): void => {
      recorded.push({ level, message, fields });
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    lines: (message) =>
      recorded.filter((line) => message === undefined || line.message === message),
  };
}
