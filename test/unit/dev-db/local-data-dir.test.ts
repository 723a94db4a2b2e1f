import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDataDir } from '../../../dev-db/local-database.js';

const local = join(import.meta.dirname, '..', '..', '..', '.local');

describe('localDataDir', () => {
  it('is .local/postgres by default', () => {
    expect(localDataDir({})).toBe(join(local, 'postgres'));
  });

  it('keeps another major version’s cluster in a folder of its own', () => {
    expect(localDataDir({ POSTGRES_VERSION: '14' })).toBe(join(local, 'postgres-14'));
  });

  it('is LOCAL_POSTGRES_DIR when set, whatever the version', () => {
    expect(localDataDir({ LOCAL_POSTGRES_DIR: '/tmp/pg', POSTGRES_VERSION: '14' })).toBe('/tmp/pg');
  });

  it('refuses a POSTGRES_VERSION that is not a major version', () => {
    expect(() => localDataDir({ POSTGRES_VERSION: '14.2' })).toThrow(/^POSTGRES_VERSION must be/);
  });
});
