import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { recentRunsQuery, renderLogQuery } from '../../functions/runner/run-log-queries.js';
import type { HistoryEntry } from '../../harness/history/run-history.js';
import { AwsCommandError, awsCall } from './aws-errors.js';

/** What {@link queryRecentRuns} asks for. */
export interface RecentRunsRequest {
  /** The jobs' log groups. */
  readonly logGroupNames: readonly string[];
  /** The most runs returned. */
  readonly limit: number;
  /** The end of the time range searched (epoch ms). */
  readonly now: number;
  /**
   * How far back the search goes.
   * @default 30 days (the functions' default log retention)
   */
  readonly windowMs?: number;
}

/** What the query's polling needs. */
export interface PollingOptions {
  /** Waits between two looks at the query's results. */
  readonly delay: (ms: number) => Promise<void>;
  /**
   * Time between two looks.
   * @default 1_000
   */
  readonly intervalMs?: number;
  /**
   * Looks before giving up (the query is then stopped).
   * @default 120
   */
  readonly maxPolls?: number;
}

const day = 86_400_000;
const finished = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']);

/**
 * The latest runs in the log groups, newest first: the stack's "recent runs" Logs Insights
 * query (the `job finished` lines), each row's whole line parsed back into the run's record.
 *
 * @throws {AwsCommandError} when the query cannot start, fails, or does not finish in time.
 */
export async function queryRecentRuns(
  logs: CloudWatchLogsClient,
  request: RecentRunsRequest,
  polling: PollingOptions,
): Promise<HistoryEntry[]> {
  const doing = `querying the logs of ${request.logGroupNames.join(', ')}`;
  const start = Math.floor((request.now - (request.windowMs ?? 30 * day)) / 1_000);
  const { queryId } = await awsCall(doing, () =>
    logs.send(
      new StartQueryCommand({
        logGroupNames: [...request.logGroupNames],
        startTime: start,
        endTime: Math.ceil(request.now / 1_000),
        queryString: renderLogQuery(recentRunsQuery(request.limit)),
      }),
    ),
  );
  const maxPolls = polling.maxPolls ?? 120;
  for (let poll = 0; poll < maxPolls; poll++) {
    const answer = await awsCall(doing, () => logs.send(new GetQueryResultsCommand({ queryId })));
    if (answer.status && finished.has(answer.status)) {
      if (answer.status !== 'Complete') {
        throw new AwsCommandError(`${doing}: the query ended ${answer.status}`, 1);
      }
      return (answer.results ?? []).flatMap(toEntry);
    }
    await polling.delay(polling.intervalMs ?? 1_000);
  }
  try {
    await logs.send(new StopQueryCommand({ queryId }));
  } catch {
    // The query stops by itself after 60 minutes; the error below says what matters.
  }
  throw new AwsCommandError(`${doing}: the query did not finish after ${maxPolls} looks`, 1);
}

/** A row's `@message`, the `job finished` line as the function wrote it, as a run record. */
function toEntry(row: readonly ResultField[]): HistoryEntry[] {
  const message = row.find((field) => field.field === '@message')?.value;
  if (!message) return [];
  try {
    const line = JSON.parse(message) as Partial<HistoryEntry>;
    const valid =
      typeof line.job === 'string' &&
      typeof line.outcome === 'string' &&
      typeof line.startedAt === 'string' &&
      typeof line.scheduledTime === 'string' &&
      typeof line.durationMs === 'number';
    if (!valid) return [];
    const {
      job,
      runId = '',
      trigger = 'schedule',
      scheduledTime,
      startedAt,
      endedAt = startedAt,
    } = line as HistoryEntry;
    return [
      {
        job,
        runId,
        trigger,
        scheduledTime,
        startedAt,
        endedAt,
        durationMs: line.durationMs as number,
        outcome: line.outcome as HistoryEntry['outcome'],
        ...(line.result ? { result: line.result } : {}),
        ...(line.error ? { error: line.error } : {}),
        ...(line.reason ? { reason: line.reason } : {}),
      },
    ];
  } catch {
    return [];
  }
}
