/** Exit codes of the CLI: 0 ok, 1 a run failed (or an AWS request did), 2 a usage or configuration error. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
