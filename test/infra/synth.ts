import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect } from 'vitest';
import { cdkJsonContext } from '../../infra/cdk-json-context.js';
import {
  MaintenanceJobsStack,
  type MaintenanceJobsStackProps,
} from '../../infra/maintenance-jobs-stack.js';

/** The jobs folder of the test fixtures (holds `throwaway-job`). */
export const fixtureJobsDir = join(import.meta.dirname, 'fixtures', 'jobs');

const outdirs: string[] = [];

/**
 * cdk.json's context (its feature flags) with bundling skipped: a template test looks at the
 * template, not at the code, and esbuild would otherwise bundle every function on every
 * synthesis (seconds each). The code assets keep their place in the template, with a hash of
 * their own; the real bundles are built and run by test/bundle.
 */
export function templateTestContext(): Record<string, unknown> {
  return { ...cdkJsonContext(), [BUNDLING_STACKS]: [] };
}

/**
 * Synthesises the stack in a fresh app with cdk.json's feature flags (without bundling the
 * functions: {@link templateTestContext}) into a temporary cloud assembly, and returns its
 * template.
 */
export function synthesize(props: MaintenanceJobsStackProps = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'stack-test-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: templateTestContext() });
  const stack = new MaintenanceJobsStack(app, 'TestJobs', {
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Deletes the cloud assemblies (bundles included) that {@link synthesize} wrote. */
export function removeSynthesized(): void {
  for (const outdir of outdirs.splice(0)) rmSync(outdir, { recursive: true, force: true });
}

/** cdk-nag AwsSolutions findings that are not acknowledged, as `rule: construct path` strings. */
export function nagFindings(app: App, stack: MaintenanceJobsStack): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.ruleName}: ${resource.constructPath ?? resource.resourceLogicalId}`,
    ),
  );
}

/** The resources of one type, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(template.findResources(type)) as [
    string,
    { Properties: Record<string, unknown> },
  ][];
}

/** The synthesis warnings on the stack (what `cdk synth` prints as WARNING), as text. */
export function warningsOf(stack: MaintenanceJobsStack): string[] {
  return Annotations.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((warning) => `${warning.id}: ${String(warning.entry.data)}`);
}

/** Every queue is encrypted (SSE-SQS) and `count` queue policies refuse requests without TLS. */
export function expectQueuesEncryptedWithTls(template: Template, count: number): void {
  for (const [, queue] of resourcesOf(template, 'AWS::SQS::Queue')) {
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
  }
  template.resourcePropertiesCountIs(
    'AWS::SQS::QueuePolicy',
    {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    },
    count,
  );
}
