import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { cdkJsonContext } from '../../infra/cdk-json-context.js';
import { MaintenanceJobsStack } from '../../infra/maintenance-jobs-stack.js';

interface TemplateWithCode {
  Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
}

/**
 * Synthesises the stack (cdk.json's flags, the catalogue) into `outdir`, as `cdk synth` does,
 * and returns each function's built bundle, `asset.<hash>/index.js`, by job name.
 */
export async function synthesizeBundles(outdir: string): Promise<Map<string, string>> {
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new MaintenanceJobsStack(app, 'Bundles');
  const assembly = app.synth();
  const template = JSON.parse(
    await readFile(
      join(assembly.directory, assembly.getStackArtifact(stack.artifactId).templateFile),
      'utf8',
    ),
  ) as TemplateWithCode;
  const bundles = new Map<string, string>();
  for (const job of stack.jobs) {
    const logicalId = stack.getLogicalId(job.jobFunction.function.node.defaultChild as never);
    // The code's S3 key is `<asset hash>.zip`; the assembly holds the asset as `asset.<hash>/`.
    const hash = template.Resources[logicalId]?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    if (!hash) throw new Error(`no code asset for ${job.entry.name}`);
    bundles.set(job.entry.name, join(outdir, `asset.${hash}`, 'index.js'));
  }
  return bundles;
}
