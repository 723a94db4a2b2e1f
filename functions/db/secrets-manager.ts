import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretSource } from './rds-secret.js';

/** How long a fetched secret is reused before it is fetched again, in seconds. */
const secretMaxAgeSeconds = 15 * 60;

/** Secrets Manager, through Powertools Parameters, with a cache shared by warm invocations. */
export function secretsManagerSource(provider = new SecretsProvider()): SecretSource {
  return {
    async get(secretId, options) {
      const value = await provider.get(secretId, {
        maxAge: secretMaxAgeSeconds,
        forceFetch: options?.forceFetch ?? false,
      });
      if (typeof value !== 'string') {
        throw new Error(
          `secret ${secretId} has no SecretString (binary secrets are not supported)`,
        );
      }
      return value;
    },
  };
}
