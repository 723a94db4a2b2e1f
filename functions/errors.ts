/**
 * The base of every error the project throws, and what a failure means to the person running
 * it: a fault of their configuration (a setting, the catalogue, the command line, the table the
 * job is set to clean: fix it, then run again) or a failed run (the database, AWS, the network).
 */

/** Exit codes of the command line. */
export const ExitCode = {
  /** The run succeeded, was cut short or was skipped. */
  Ok: 0,
  /** A run failed or was abandoned, or an AWS request failed. */
  Failed: 1,
  /** The command line or the configuration is wrong: nothing was done. */
  Usage: 2,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Whose fault a failure is: the user's configuration, or the run's. */
export const Fault = { Configuration: 'configuration', Run: 'run' } as const;

/** One of {@link Fault}'s values. */
export type Fault = (typeof Fault)[keyof typeof Fault];

/**
 * The base of the project's errors: each says whose fault it is, and so the command line's
 * exit code (2 for the configuration, 1 for the run).
 */
export class MaintenanceError extends Error {
  /**
   * Whose fault: `configuration` (nothing was done; fix a setting and run again) or `run`.
   * @default 'run'
   */
  readonly fault: Fault = Fault.Run;

  /** The command line's exit code for this failure. */
  get exitCode(): ExitCode {
    return this.fault === Fault.Configuration ? ExitCode.Usage : ExitCode.Failed;
  }
}

/** The base of the errors that are the user's configuration's fault (exit code 2). */
export class ConfigurationFault extends MaintenanceError {
  override readonly fault: Fault = Fault.Configuration;
}
