import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  MaintenanceJobsStack,
  type MaintenanceJobsStackProps,
} from '../../infra/maintenance-jobs-stack.js';

/** The jobs folder of the test fixtures (holds `throwaway-job`). */
export const fixtureJobsDir = join(import.meta.dirname, 'fixtures', 'jobs');

/** Synthesises the stack in a fresh app (bundling the functions) and returns its template. */
export function synthesize(props: MaintenanceJobsStackProps = {}) {
  const app = new App({ context: { 'cli-telemetry': false } });
  const stack = new MaintenanceJobsStack(app, 'TestJobs', {
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** cdk-nag AwsSolutions findings that are not acknowledged, as `rule: resource` strings. */
export function nagFindings(app: App, stack: MaintenanceJobsStack): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.ruleName}: ${resource.resourceLogicalId}`,
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
