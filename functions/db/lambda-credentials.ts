/**
 * What the Lambda bundles load instead of `@aws-sdk/credential-providers` (an esbuild alias,
 * set in infra/job-function.ts): `@aws-sdk/rds-signer` imports that package for its default
 * credentials, the SDK's whole provider chain (SSO, profiles, web identity, instance metadata,
 * ...), 95 KB minified, of which a function needs only the first link. Lambda gives the
 * function's role's credentials in the environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), renewing them with the instance, so that is
 * where this reads them, each time a token is signed. Outside the bundles (the local harness,
 * the tests) the real chain is used.
 */

/** The credentials a request is signed with. */
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The provider `@aws-sdk/rds-signer` asks for: here, Lambda's environment only.
 *
 * @throws {Error} naming the variables, when Lambda's credentials are not in the environment.
 */
export function fromNodeProviderChain(): () => Promise<Credentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(
        "no AWS credentials to sign the database token with: Lambda sets the function's role's in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
      );
    }
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };
}
