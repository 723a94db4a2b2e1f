import { formatLogLine, type HumanLineOptions, type LogLine } from './human-lines.js';
import { captureLines, type WritableText } from './line-capture.js';

/** How `run` and `start` print the runs' log lines. */
export const OutputMode = {
  /** One short line per event, for a person at a terminal. */
  Human: 'human',
  /** The JSON lines exactly as the handlers write them (and Lambda would). */
  Json: 'json',
} as const;
export type OutputMode = (typeof OutputMode)[keyof typeof OutputMode];

/** `--json`, or output that is not a terminal (a pipe, a file): JSON; otherwise for people. */
export function chooseOutputMode(json: boolean, stdout: { readonly isTTY?: boolean }): OutputMode {
  return json || !stdout.isTTY ? OutputMode.Json : OutputMode.Human;
}

/**
 * In human mode, rewrites every JSON line written to the streams as a line for people (see
 * `formatLogLine`), leaving other text as it is; in JSON mode leaves the streams alone, so
 * what is printed is byte for byte what the handlers wrote. Returns the undo.
 */
export function installOutput(
  mode: OutputMode,
  streams: readonly WritableText[],
  options: HumanLineOptions = {},
): () => void {
  if (mode === OutputMode.Json) return () => undefined;
  const restores = streams.map((stream) =>
    captureLines(stream, (line) => humanLine(line, options)),
  );
  return () => {
    for (const restore of restores) restore();
  };
}

/** One written line for people; text that is not a JSON object stays as it is. */
export function humanLine(line: string, options: HumanLineOptions = {}): string | undefined {
  if (!line.startsWith('{')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
  return formatLogLine(parsed as LogLine, options);
}
