import { ExitCode, Fault, MaintenanceError } from '../../functions/errors.js';

/** An `--aws` command could not do its work; the message is the one line to print. */
export class AwsCommandError extends MaintenanceError {
  override readonly name = 'AwsCommandError';
  override readonly fault: Fault;

  constructor(
    message: string,
    /** 2: where or who is wrong (credentials, region, stack, job); 1: AWS refused or failed. */
    exitCode: 1 | 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.fault = exitCode === ExitCode.Usage ? Fault.Configuration : Fault.Run;
  }
}

const credentialErrors = new Set(['CredentialsProviderError', 'TokenProviderError']);
const expiredErrors = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const deniedErrors = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

/**
 * One line saying what went wrong with an AWS call, `doing` saying what the call was for
 * (`reading the stack LocationMaintenanceJobs`): missing or expired credentials and a
 * missing region (exit 2), access denied and anything else (exit 1).
 */
export function explainAwsError(error: unknown, doing: string): AwsCommandError {
  if (error instanceof AwsCommandError) return error;
  const { name = 'Error', message = String(error) } = (error ?? {}) as {
    name?: string;
    message?: string;
  };
  if (credentialErrors.has(name) || /could not load credentials/i.test(message)) {
    return new AwsCommandError(
      `no AWS credentials for ${doing}: sign in (aws sso login, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); the usual AWS credential chain is used`,
      2,
      { cause: error },
    );
  }
  if (expiredErrors.has(name)) {
    return new AwsCommandError(
      `the AWS credentials have expired (${doing}): sign in again (e.g. aws sso login)`,
      2,
      { cause: error },
    );
  }
  if (/region is missing/i.test(message)) {
    return new AwsCommandError(`no AWS region for ${doing}: pass --region or set AWS_REGION`, 2, {
      cause: error,
    });
  }
  if (deniedErrors.has(name)) {
    return new AwsCommandError(`access denied ${doing}: ${message}`, 1, { cause: error });
  }
  return new AwsCommandError(`${doing} failed: ${name}: ${message}`, 1, { cause: error });
}

/** Runs an AWS call, turning its failure into an {@link AwsCommandError} about `doing`. */
export async function awsCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainAwsError(error, doing);
  }
}
