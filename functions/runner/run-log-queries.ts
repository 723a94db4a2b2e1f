/**
 * Logs Insights queries over the runner's log lines, shared by the CDK stack (which saves
 * them as query definitions) and the CLI (`history --aws` runs one). Plain data: importing
 * this loads no CDK code.
 */
import { JobLog } from '../log-messages.js';

/** A query in parts, as CDK's `logs.QueryString` takes them. */
export interface LogQueryParts {
  readonly fields?: readonly string[];
  readonly filterStatements?: readonly string[];
  readonly statsStatements?: readonly string[];
  readonly sort?: string;
  readonly limit?: number;
}

/** The name of the query `history --aws` runs; saved under this name by the stack. */
export const recentRunsQueryName = 'recent runs';

/**
 * The latest runs, newest first: a row per `job finished` line, with its whole line
 * (`@message`) so that every job's result, error and reason come along.
 */
export function recentRunsQuery(limit = 1_000): LogQueryParts {
  return {
    fields: ['@timestamp', 'job', 'trigger', 'scheduledTime', 'outcome', 'durationMs', '@message'],
    filterStatements: [`message = "${JobLog.JobFinished}"`],
    sort: '@timestamp desc',
    limit,
  };
}

/** The query's text, as CDK's `logs.QueryString` writes it (commands joined by `\n| `). */
export function renderLogQuery(parts: LogQueryParts): string {
  const commands = [
    ...(parts.fields?.length ? [`fields ${parts.fields.join(', ')}`] : []),
    ...(parts.filterStatements ?? []).map((statement) => `filter ${statement}`),
    ...(parts.statsStatements ?? []).map((statement) => `stats ${statement}`),
    ...(parts.sort ? [`sort ${parts.sort}`] : []),
    ...(parts.limit !== undefined ? [`limit ${parts.limit}`] : []),
  ];
  return commands.join('\n| ');
}
