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

/** What {@link installOutput} prints besides the log lines. */
export interface OutputOptions extends HumanLineOptions {
  /**
   * Print the runs' metrics (CloudWatch embedded-metric-format lines) too.
   * @default false
   */
  readonly metrics?: boolean;
}

/**
 * In human mode, rewrites every JSON line written to the streams as a line for people (see
 * `formatLogLine`), leaving other text as it is; in JSON mode prints what the handlers wrote
 * byte for byte. Metric lines are left out unless `metrics`. Returns the undo.
 */
export function installOutput(
  mode: OutputMode,
  streams: readonly WritableText[],
  options: OutputOptions = {},
): () => void {
  const metrics = options.metrics ?? false;
  if (mode === OutputMode.Json && metrics) return () => undefined;
  const rewrite =
    mode === OutputMode.Json
      ? (line: string) => (isMetricLine(line) ? undefined : line)
      : (line: string) => (!metrics && isMetricLine(line) ? undefined : humanLine(line, options));
  const restores = streams.map((stream) => captureLines(stream, rewrite));
  return () => {
    for (const restore of restores) restore();
  };
}

/** An embedded-metric-format record (a JSON object with an `_aws` key). */
function isMetricLine(line: string): boolean {
  return line.startsWith('{') && line.includes('"_aws"') && isObject(parse(line)?._aws);
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
