import { describe, expect, it } from 'vitest';
import { HarnessLog } from '../../../../functions/log-messages.js';
import { humanLineLogger } from '../../../../harness/output/human-line-logger.js';

describe('humanLineLogger', () => {
  it('writes a line for people per message, leaving out the quiet ones', () => {
    // Prepare
    const written: string[] = [];
    const logger = humanLineLogger(
      (line) => void written.push(line),
      new Set([HarnessLog.DatabaseReady]),
      { now: () => Date.parse('2026-11-28T10:15:00Z') },
    );

    // Act
    logger.info(HarnessLog.DatabaseReady, { embedded: true });
    logger.warn(HarnessLog.SchemaMigrated, { applied: ['001_locations.sql'] });

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^10:15:00 {2}/);
    expect(written[0]).toContain('001_locations.sql');
  });

  it('leaves out the debug level, as a Powertools Logger does at its default level', () => {
    // Prepare
    const written: string[] = [];
    const logger = humanLineLogger((line) => void written.push(line));

    // Act
    logger.debug(HarnessLog.EmbeddedPostgresOutput, { program: 'postgres', line: 'LOG:  ready' });
    logger.warn(HarnessLog.EmbeddedPostgresKilled, { pid: 41, timeoutMs: 10_000 });

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/ {2}warning {2,}the embedded PostgreSQL \(PID 41\)/);
  });
});
