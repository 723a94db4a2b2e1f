import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { cdkJsonContext } from '../../infra/cdk-json-context.js';
import { MaintenanceJobsStack } from '../../infra/maintenance-jobs-stack.js';

interface TemplateWithCode {
  Resources: Record<
    string,
    {
      Properties: {
        Code?: { S3Key?: string };
        Environment?: { Variables?: Record<string, unknown> };
      };
    }
  >;
}

/** One function's built code, and the environment Lambda starts its Node process with. */
export interface BuiltBundle {
  /** The bundle, `asset.<hash>/index.js` (its source map beside it). */
  readonly file: string;
  /**
   * The function's environment variables that have a value at synthesis (not the secret's
   * ARN), `NODE_OPTIONS` among them; without `NODE_EXTRA_CA_CERTS`, a file only Lambda has.
   */
  readonly environment: Readonly<Record<string, string>>;
}

/** Lambda's own files, which a local process cannot load. */
const lambdaOnly = new Set(['NODE_EXTRA_CA_CERTS']);

/**
 * Synthesises the stack (cdk.json's flags, the catalogue) into `outdir`, as `cdk synth` does,
 * and returns each function's built bundle by job name.
 */
export async function synthesizeBundles(outdir: string): Promise<Map<string, BuiltBundle>> {
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new MaintenanceJobsStack(app, 'Bundles');
  const assembly = app.synth();
  const template = JSON.parse(
    await readFile(
      join(assembly.directory, assembly.getStackArtifact(stack.artifactId).templateFile),
      'utf8',
    ),
  ) as TemplateWithCode;
  const bundles = new Map<string, BuiltBundle>();
  for (const job of stack.jobs) {
    const logicalId = stack.getLogicalId(job.jobFunction.function.node.defaultChild as never);
    const properties = template.Resources[logicalId]?.Properties;
    // The code's S3 key is `<asset hash>.zip`; the assembly holds the asset as `asset.<hash>/`.
    const hash = properties?.Code?.S3Key?.replace(/\.zip$/, '');
    if (!hash) throw new Error(`no code asset for ${job.entry.name}`);
    const environment = Object.fromEntries(
      Object.entries(properties?.Environment?.Variables ?? {}).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !lambdaOnly.has(entry[0]),
      ),
    );
    bundles.set(job.entry.name, { file: join(outdir, `asset.${hash}`, 'index.js'), environment });
  }
  return bundles;
}
