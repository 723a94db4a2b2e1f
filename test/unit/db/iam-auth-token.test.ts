import { afterEach, describe, expect, it, vi } from 'vitest';
import { rdsAuthTokenSigner } from '../../../functions/db/iam-auth-token.js';

describe('rdsAuthTokenSigner', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('signs a 15-minute token for the user at the host, locally, with the role’s credentials', async () => {
    // Prepare: the credentials Lambda gives the function's role, in its environment
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLEEXAMPLE12');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session-token-of-the-role');

    // Act: no AWS call is made (a token is a presigned request, signed here)
    const token = await rdsAuthTokenSigner({
      host: 'jobs.proxy-abc123.eu-west-1.rds.amazonaws.com',
      port: 5432,
      user: 'maintenance',
      region: 'eu-west-1',
    });

    // Assess
    const url = new URL(`https://${token}`);
    expect(url.host).toBe('jobs.proxy-abc123.eu-west-1.rds.amazonaws.com:5432');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'connect',
      DBUser: 'maintenance',
      'X-Amz-Expires': '900',
      'X-Amz-Security-Token': 'session-token-of-the-role',
      'X-Amz-Credential': expect.stringMatching(
        /^ASIAEXAMPLEEXAMPLE12\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
      ),
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
