import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CatalogueError } from '../functions/catalogue/index.js';
import { stackNameFor } from '../functions/catalogue/stack-outputs.js';
import { DeploymentSettingsError, readDeploymentSettings } from './deployment-settings.js';
import { MaintenanceJobsStack } from './maintenance-jobs-stack.js';

const app = new App();
try {
  const settings = readDeploymentSettings((key) => app.node.tryGetContext(key));
  new MaintenanceJobsStack(app, stackNameFor(settings.stage), {
    description: `Scheduled maintenance jobs for the location-tracking backend${settings.stage ? ` (stage ${settings.stage})` : ''}`,
    ...settings,
  });
} catch (error) {
  // A bad context value: the message names the key (or the job); a stack trace would only bury it.
  if (!(error instanceof DeploymentSettingsError || error instanceof CatalogueError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
// cdk-nag: synthesis fails on any finding that is not acknowledged, with its reason, in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
