/** What an IAM authentication token is signed for. */
export interface AuthTokenTarget {
  /** The host connected to: the instance's, the cluster's or the RDS Proxy endpoint. */
  readonly host: string;
  readonly port: number;
  /** The database user the token logs in as. */
  readonly user: string;
  readonly region: string;
}

/**
 * Signs an IAM authentication token, the password of one new connection. A token is good
 * for 15 minutes, to open connections; a connection once open lasts past it.
 */
export type AuthTokenSigner = (target: AuthTokenTarget) => Promise<string>;

/**
 * `@aws-sdk/rds-signer`, imported on the first token: runs that log in otherwise never load it.
 * The token is signed locally (SigV4, with the function's role's credentials): no AWS call.
 */
export const rdsAuthTokenSigner: AuthTokenSigner = async (target) => {
  const { Signer } = await import('@aws-sdk/rds-signer');
  const signer = new Signer({
    hostname: target.host,
    port: target.port,
    username: target.user,
    region: target.region,
  });
  return signer.getAuthToken();
};
