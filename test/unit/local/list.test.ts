import { describe, expect, it } from 'vitest';
import { defineCatalogue } from '../../../functions/catalogue/index.js';
import { formatJobList } from '../../../functions/local/commands/list.js';
import { Schedule } from '../../../functions/schedule/schedule.js';

describe('jobs list', () => {
  it('shows a paused job (enabled: false) as paused, with no next runs', () => {
    // Prepare
    const entries = defineCatalogue([
      {
        name: 'on-job',
        description: 'On.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
      },
      {
        name: 'off-job',
        description: 'Off.',
        schedule: Schedule.hourly({ minute: 5 }),
        timeoutSeconds: 60,
        enabled: false,
      },
    ]);

    // Act
    const table = formatJobList(entries, Date.parse('2026-11-28T10:00:00Z'));

    // Assess
    const row = (job: string) => table.split('\n').find((line) => line.startsWith(`${job} `));
    expect(row('off-job')).toMatch(/none: paused \(enabled: false\)$/);
    expect(row('on-job')).toMatch(
      /2026-11-28T10:05:00Z, 2026-11-28T11:05:00Z, 2026-11-28T12:05:00Z$/,
    );
  });
});
