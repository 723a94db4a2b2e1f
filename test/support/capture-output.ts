import { type MockInstance, vi } from 'vitest';

/** A JSON line written to stdout (a log line or an EMF metrics record). */
export type JsonLine = Record<string, unknown>;

/** What {@link captureStdout} returns. */
export interface CapturedOutput {
  /** Every JSON object written so far, in order. */
  json(): JsonLine[];
  /** Log lines (JSON with a `message`), optionally only those with this message. */
  logs(message?: string): JsonLine[];
  /** Embedded-metric-format records. */
  metrics(): JsonLine[];
  /** Everything written so far, as text. */
  text(): string;
  /** Stops capturing. */
  restore(): void;
}

/**
 * Captures what is written to stdout and stderr (Powertools Logger and Metrics write JSON
 * lines there; error lines go to stderr) without printing it.
 */
export function captureStdout(): CapturedOutput {
  let text = '';
  const append = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation(append),
    vi.spyOn(process.stderr, 'write').mockImplementation(append),
  ];
  const json = () =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as JsonLine);
  return {
    json,
    logs: (message) =>
      json().filter(
        (line) => 'message' in line && (message === undefined || line.message === message),
      ),
    metrics: () => json().filter((line) => '_aws' in line),
    text: () => text,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
