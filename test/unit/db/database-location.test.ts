import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/env.js';
import { readDatabaseLocation } from '../../../functions/db/database-location.js';

const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pm-db-AbCdEf';

describe('readDatabaseLocation', () => {
  it('prefers DATABASE_URL, then DB_SECRET_ARN', () => {
    expect(
      readDatabaseLocation({ DATABASE_URL: 'postgres://x/y', DB_SECRET_ARN: secretArn }),
    ).toEqual({
      kind: 'url',
      url: 'postgres://x/y',
    });
    expect(readDatabaseLocation({ DB_SECRET_ARN: secretArn })).toEqual({
      kind: 'secret',
      secretArn,
    });
  });

  it('refuses to run with neither, naming both variables', () => {
    expect(() => readDatabaseLocation({})).toThrow(ConfigError);
    expect(() => readDatabaseLocation({ DATABASE_URL: ' ' })).toThrow(
      /DATABASE_URL.*DB_SECRET_ARN/,
    );
  });
});
