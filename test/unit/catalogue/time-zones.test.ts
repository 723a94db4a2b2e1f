import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CatalogueError,
  catalogue,
  parseJobTimeZones,
  withTimeZones,
} from '../../../functions/catalogue/index.js';
import { TriggerKind } from '../../../functions/schedule/schedule.js';
import { localCatalogue } from '../../../harness/local-catalogue.js';

const purge = (entries: ReturnType<typeof withTimeZones>) =>
  entries.find((entry) => entry.name === 'idempotency-key-purge');

describe('the idempotency-key purge’s zone', () => {
  it('is UTC in the catalogue, on an EventBridge rule', () => {
    expect(purge(catalogue)?.schedule.timeZone).toBe('UTC');
    expect(purge(catalogue)?.schedule.triggerKind).toBe(TriggerKind.Rule);
  });

  it('moves to 03:30 Bratislava time when a deployment sets it, and onto Scheduler', () => {
    // Act
    const entries = withTimeZones(catalogue, { 'idempotency-key-purge': 'Europe/Bratislava' });

    // Assess
    const schedule = purge(entries)?.schedule;
    expect(schedule?.expression).toBe('cron(30 3 * * ? *)');
    expect(schedule?.timeZone).toBe('Europe/Bratislava');
    expect(schedule?.triggerKind).toBe(TriggerKind.SchedulerSchedule);
    // 03:30 CEST on 1 Jul 2027
    expect(schedule?.next(Date.parse('2027-07-01T00:00:00Z'), 0)).toBe(
      Date.parse('2027-07-01T01:30:00Z'),
    );
    // the other job and the catalogue itself are untouched
    expect(entries[0]).toBe(catalogue[0]);
    expect(purge(catalogue)?.schedule.timeZone).toBe('UTC');
  });
});

describe('withTimeZones', () => {
  it('names a job the catalogue does not have', () => {
    expect(() => withTimeZones(catalogue, { 'no-such-job': 'Europe/Bratislava' })).toThrow(
      'time zone set for "no-such-job", which the catalogue does not have',
    );
  });

  it('names the job whose zone is unknown', () => {
    const set = () => withTimeZones(catalogue, { 'location-cleanup': 'Europe/Bratslava' });
    expect(set).toThrow(CatalogueError);
    expect(set).toThrow('job "location-cleanup": unknown time zone "Europe/Bratslava"');
  });
});

describe('parseJobTimeZones', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['{"location-cleanup":"Asia/Tokyo"}', { 'location-cleanup': 'Asia/Tokyo' }],
    [{ 'location-cleanup': 'Asia/Tokyo' }, { 'location-cleanup': 'Asia/Tokyo' }],
  ])('reads %j', (raw, expected) => {
    expect(parseJobTimeZones(raw)).toEqual(expected);
  });

  it.each([
    ['{oops', 'must be JSON'],
    [['Asia/Tokyo'], 'must map job names to time zone names'],
    [{ 'location-cleanup': 9 }, 'must map job names to time zone names'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseJobTimeZones(raw)).toThrow(message);
  });
});

describe('localCatalogue: the harness reads cdk.json’s jobTimeZones, as the stack does', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function cdkJson(context: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-json-'));
    dirs.push(dir);
    const file = join(dir, 'cdk.json');
    writeFileSync(file, JSON.stringify({ app: 'x', context }));
    return file;
  }

  it('applies the zones it sets', () => {
    const file = cdkJson({ jobTimeZones: { 'idempotency-key-purge': 'Europe/Bratislava' } });
    expect(purge(localCatalogue(catalogue, file))?.schedule.timeZone).toBe('Europe/Bratislava');
  });

  it('is the catalogue as it is without them (the repository’s cdk.json sets none)', () => {
    expect(localCatalogue(catalogue, cdkJson({}))).toEqual(catalogue);
    expect(localCatalogue()).toEqual(catalogue);
  });

  it('reports a malformed value as a catalogue error naming the file and key', () => {
    const file = cdkJson({ jobTimeZones: '{oops' });
    expect(() => localCatalogue(catalogue, file)).toThrow(CatalogueError);
    expect(() => localCatalogue(catalogue, file)).toThrow(
      `${file}: context jobTimeZones must be JSON`,
    );
  });
});
