import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './job-function.js';

/**
 * The context that cdk.json gives every `cdk` command (the feature flags, telemetry off), for
 * apps built outside the CLI: the tests and the benchmark then synthesise exactly the template
 * and the bundles that `cdk synth` does.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context };
}
