import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPages, logMessagesPage, metricsPage } from '../../docs/reference-pages.js';
import { HarnessLog, JobLog } from '../../functions/log-messages.js';
import { runMetricDocs, runMetrics } from '../../functions/runner/metric-names.js';
import { documentedGrants } from '../support/job-role.js';

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

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

async function markdownFiles(): Promise<string[]> {
  const pages = await Promise.all(
    ['docs', 'docs/reference', 'bench/results'].map(async (dir) =>
      (await readdir(join(root, dir)))
        .filter((file) => file.endsWith('.md'))
        .map((file) => `${dir}/${file}`),
    ),
  );
  return ['README.md', ...pages.flat()];
}

describe('the documentation links', () => {
  it('point at files and headings that exist', async () => {
    // Prepare
    const broken: string[] = [];
    const anchors = new Map<string, Set<string>>();
    const anchorsOf = async (file: string) => {
      let found = anchors.get(file);
      if (!found) {
        const text = await readFile(join(root, file), 'utf8');
        found = new Set(
          [...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.+)$/gm)].map((match) =>
            anchorOf(match[1] ?? ''),
          ),
        );
        anchors.set(file, found);
      }
      return found;
    };

    // Act
    for (const page of await markdownFiles()) {
      const text = await readFile(join(root, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const file = path ? relative(root, resolve(root, dirname(page), path)) : page;
        const exists = await stat(join(root, file)).then(
          () => true,
          () => false,
        );
        if (!exists) broken.push(`${page}: ${target} (no ${file})`);
        else if (anchor && !(await anchorsOf(file)).has(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor})`);
        }
      }
    }

    // Assess
    expect(broken).toEqual([]);
  });
});

describe("the jobs' database role in docs/deploy.md", () => {
  it("shows every statement the tests create the jobs' role with", async () => {
    // Prepare
    const page = await readFile(join(root, 'docs', 'deploy.md'), 'utf8');
    const role = 'maintenance';
    const partition = ['locations_p20261201'];

    // Act
    const statements = [
      ...documentedGrants.tables(role),
      ...documentedGrants.lockRows(role, 'locations', 'created_at'),
      ...documentedGrants.dropPartitions(role, 'locations', partition),
      ...documentedGrants.detachPartitions(role, 'locations', partition),
      ...documentedGrants.premakePartitions(role, 'locations', 'public'),
    ];

    // Assess
    for (const statement of statements) expect(page).toContain(statement);
  });
});
