import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/env.js';
import { readIdempotencyKeyPurgeConfig } from '../../../functions/jobs/idempotency-key-purge/config.js';
import { readLocationCleanupConfig } from '../../../functions/jobs/location-cleanup/config.js';
import { readRetentionSettings } from '../../../functions/retention/settings.js';

describe('readLocationCleanupConfig', () => {
  it('defaults to 30 days in batches of 10,000', () => {
    expect(readLocationCleanupConfig({})).toEqual({
      retentionDays: 30,
      retention: {
        batchSize: 10_000,
        minBatchSize: 10,
        strategy: 'auto',
        partitionRemoval: 'drop',
        premake: 4,
        columnTimeZoneVariable: 'LOCATION_CLEANUP_COLUMN_TIME_ZONE',
        limits: { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 },
        countLimits: { statementTimeoutMs: 60_000, lockTimeoutMs: 1_000 },
        partitionLimits: { statementTimeoutMs: 5_000, lockTimeoutMs: 50 },
        indexWalkLimitMs: 5_000,
        maxPagesPerBatch: 4_096,
        progressIntervalMs: 10_000,
        maxReplicaLagSeconds: 60,
        maxReplicaLagSecondsVariable: 'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS',
        replicaLagCheckIntervalMs: 1_000,
      },
    });
  });

  it.each(['auto', 'index', 'brin', 'heap'])('reads the strategy %s', (strategy) => {
    expect(
      readLocationCleanupConfig({ LOCATION_CLEANUP_STRATEGY: strategy.toUpperCase() }).retention
        .strategy,
    ).toBe(strategy);
  });

  it('reads both variables', () => {
    expect(
      readLocationCleanupConfig({
        LOCATION_RETENTION_DAYS: '90',
        LOCATION_CLEANUP_BATCH_SIZE: '2500',
        LOCATION_CLEANUP_STRATEGY: 'Heap',
        LOCATION_CLEANUP_COLUMN_TIME_ZONE: 'Europe/Bratislava',
        LOCATION_CLEANUP_PARTITIONS: 'detach',
        LOCATION_CLEANUP_PREMAKE: '0',
        LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '0',
      }),
    ).toMatchObject({
      retentionDays: 90,
      retention: {
        batchSize: 2_500,
        strategy: 'heap',
        columnTimeZone: 'Europe/Bratislava',
        partitionRemoval: 'detach',
        premake: 0,
        maxReplicaLagSeconds: 0,
      },
    });
  });

  it('reads the backend’s own name for the retention', () => {
    expect(readLocationCleanupConfig({ PM__LIMITS__LOCATION_RETENTION_DAYS: '14' })).toMatchObject({
      retentionDays: 14,
    });
  });

  it.each(['0', '1000'])('accepts a premake of %s', (raw) => {
    expect(readLocationCleanupConfig({ LOCATION_CLEANUP_PREMAKE: raw }).retention.premake).toBe(
      Number(raw),
    );
  });

  it.each(['100', '100000'])('accepts a batch size of %s', (raw) => {
    expect(
      readLocationCleanupConfig({ LOCATION_CLEANUP_BATCH_SIZE: raw }).retention.batchSize,
    ).toBe(Number(raw));
  });

  it.each([
    [{ LOCATION_RETENTION_DAYS: '0' }, 'LOCATION_RETENTION_DAYS'],
    [
      { LOCATION_RETENTION_DAYS: '7', PM__LIMITS__LOCATION_RETENTION_DAYS: '8' },
      'LOCATION_RETENTION_DAYS, PM__LIMITS__LOCATION_RETENTION_DAYS',
    ],
    [{ LOCATION_CLEANUP_BATCH_SIZE: '99' }, 'LOCATION_CLEANUP_BATCH_SIZE'],
    [{ LOCATION_CLEANUP_BATCH_SIZE: '100001' }, 'LOCATION_CLEANUP_BATCH_SIZE'],
    [{ LOCATION_CLEANUP_STRATEGY: 'fast' }, 'LOCATION_CLEANUP_STRATEGY'],
    [{ LOCATION_CLEANUP_STRATEGY: '' }, 'LOCATION_CLEANUP_STRATEGY'],
    [{ LOCATION_CLEANUP_PARTITIONS: 'truncate' }, 'LOCATION_CLEANUP_PARTITIONS'],
    [{ LOCATION_CLEANUP_PREMAKE: '-1' }, 'LOCATION_CLEANUP_PREMAKE'],
    [{ LOCATION_CLEANUP_PREMAKE: '1001' }, 'LOCATION_CLEANUP_PREMAKE'],
    [{ LOCATION_CLEANUP_PREMAKE: 'four' }, 'LOCATION_CLEANUP_PREMAKE'],
    [{ LOCATION_CLEANUP_COLUMN_TIME_ZONE: 'CET+25' }, 'LOCATION_CLEANUP_COLUMN_TIME_ZONE'],
    [{ LOCATION_CLEANUP_COLUMN_TIME_ZONE: ' ' }, 'LOCATION_CLEANUP_COLUMN_TIME_ZONE'],
    [
      { LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '-1' },
      'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS',
    ],
    [
      { LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '1.5' },
      'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS',
    ],
    [{ LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS: '' }, 'LOCATION_CLEANUP_MAX_REPLICA_LAG_SECONDS'],
  ])('with %j, fails naming %s', (env, variable) => {
    const failure = (() => {
      try {
        readLocationCleanupConfig(env);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).variable).toBe(variable);
  });
});

describe('readRetentionSettings', () => {
  it('takes an override for a variable that is not set, and the variable when it is', () => {
    // Act
    const unset = readRetentionSettings({}, 'TEST', { batchSize: 500, strategy: 'heap' });
    const set = readRetentionSettings({ TEST_BATCH_SIZE: '2000' }, 'TEST', { batchSize: 500 });

    // Assess
    expect(unset).toMatchObject({ batchSize: 500, strategy: 'heap' });
    expect(set).toMatchObject({ batchSize: 2000, strategy: 'auto' });
  });
});

describe('readIdempotencyKeyPurgeConfig', () => {
  it('defaults to batches of 10,000', () => {
    expect(readIdempotencyKeyPurgeConfig({}).retention).toMatchObject({
      batchSize: 10_000,
      strategy: 'auto',
      partitionRemoval: 'drop',
      maxReplicaLagSeconds: 60,
    });
  });

  it('reads its own maximum replica lag, by its prefix', () => {
    expect(
      readIdempotencyKeyPurgeConfig({ IDEMPOTENCY_KEY_PURGE_MAX_REPLICA_LAG_SECONDS: '86400' })
        .retention,
    ).toMatchObject({
      maxReplicaLagSeconds: 86_400,
      maxReplicaLagSecondsVariable: 'IDEMPOTENCY_KEY_PURGE_MAX_REPLICA_LAG_SECONDS',
    });
    expect(() =>
      readIdempotencyKeyPurgeConfig({ IDEMPOTENCY_KEY_PURGE_MAX_REPLICA_LAG_SECONDS: '86401' }),
    ).toThrow(
      'IDEMPOTENCY_KEY_PURGE_MAX_REPLICA_LAG_SECONDS must be a whole number from 0 to 86400, got "86401"',
    );
  });

  it('rejects a batch size out of range, naming the variable', () => {
    expect(() => readIdempotencyKeyPurgeConfig({ IDEMPOTENCY_KEY_PURGE_BATCH_SIZE: '50' })).toThrow(
      'IDEMPOTENCY_KEY_PURGE_BATCH_SIZE must be a whole number from 100 to 100000, got "50"',
    );
  });
});
