import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPages, logMessagesPage, metricsPage } from '../../docs/reference-pages.js';
import { HarnessLog, JobLog } from '../../functions/log-messages.js';
import { runMetricDocs, runMetrics } from '../../functions/runner/metric-names.js';

const root = join(import.meta.dirname, '..', '..');

describe('the generated reference pages', () => {
  for (const page of generatedPages()) {
    it(`${page.path} is what npm run docs writes`, async () => {
      // Prepare
      const committed = await readFile(join(root, page.path), 'utf8').catch(() => '(missing)');

      // Assess
      expect(committed, `${page.path} is stale: run npm run docs and commit it`).toBe(page.text);
    });
  }

  it('list every log message, each once', () => {
    const page = logMessagesPage();
    for (const message of [...Object.values(JobLog), ...Object.values(HarnessLog)]) {
      expect(page.split(`| \`${message}\` |`)).toHaveLength(2);
    }
  });

  it('list every metric with its unit', () => {
    const page = metricsPage();
    for (const [key, doc] of Object.entries(runMetricDocs)) {
      expect(page).toContain(
        `| \`${runMetrics[key as keyof typeof runMetricDocs]}\` | ${doc.unit} |`,
      );
    }
  });
});
