import type { EventEmitter } from 'node:events';

/** The signals that ask the CLI to stop: Ctrl-C, `kill`, and the terminal closing. */
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What {@link watchStopRequests} listens to. */
export interface StopRequestSources {
  /**
   * Where the signals arrive.
   * @default process
   */
  readonly signals?: Pick<EventEmitter, 'on' | 'off'>;
  /**
   * The CLI's output streams. A write error on one of them (EPIPE: the reader of a pipe went
   * away, as `| head` does; EIO: the terminal closed) is a stop request too; without a
   * listener it would crash the process and leave the embedded server running.
   * @default [process.stdout, process.stderr]
   */
  readonly streams?: readonly Pick<EventEmitter, 'on' | 'off'>[];
  /**
   * Told about stop requests that come while a stop is under way.
   * @default - a line on stderr
   */
  readonly onRepeat?: (reason: string) => void;
}

/** Stop requests being watched. */
export interface StopRequests {
  /** Resolves with the first request's reason: a signal's name, or `output closed (EPIPE)`. */
  readonly requested: Promise<string>;
  /** Stops listening (the stream error listeners stay: a closed stream must not crash the exit). */
  dispose(): void;
}

/**
 * Watches for the requests to stop: SIGINT, SIGTERM and SIGHUP, and a write error on the
 * output streams. Each is handled once a stop is under way too, so none of them kills the
 * process before it has stopped its runs and the embedded database.
 */
export function watchStopRequests(sources: StopRequestSources = {}): StopRequests {
  const signals = sources.signals ?? process;
  const streams = sources.streams ?? [process.stdout, process.stderr];
  const onRepeat =
    sources.onRepeat ??
    (() => process.stderr.write('shutdown under way, waiting for running jobs\n'));
  let resolve: (reason: string) => void = () => undefined;
  let stopping = false;
  const requested = new Promise<string>((settle) => {
    resolve = settle;
  });
  const request = (reason: string) => {
    if (stopping) {
      onRepeat(reason);
      return;
    }
    stopping = true;
    resolve(reason);
  };
  const onSignal = (signal: NodeJS.Signals) => request(signal);
  let outputClosed = false;
  const onStreamError = (error: NodeJS.ErrnoException) => {
    // Every later write fails the same way, and nobody reads a note about it: one request.
    if (outputClosed) return;
    outputClosed = true;
    if (!stopping) request(`output closed (${error.code ?? error.message})`);
  };
  for (const signal of stopSignals) signals.on(signal, onSignal);
  for (const stream of streams) stream.on('error', onStreamError);
  return {
    requested,
    dispose: () => {
      for (const signal of stopSignals) signals.off(signal, onSignal);
    },
  };
}
