import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CatalogueError } from '../functions/catalogue/index.js';
import { DeploymentSettingsError, readDeploymentSettings } from './deployment-settings.js';
import { MaintenanceJobsStack } from './maintenance-jobs-stack.js';

const app = new App();
try {
  new MaintenanceJobsStack(app, 'LocationMaintenanceJobs', {
    description: 'Scheduled maintenance jobs for the location-tracking backend',
    ...readDeploymentSettings((key) => app.node.tryGetContext(key)),
  });
} catch (error) {
  // A bad context value: the message names the key (or the job); a stack trace would only bury it.
  if (!(error instanceof DeploymentSettingsError || error instanceof CatalogueError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
// cdk-nag: synthesis fails on any finding that is not acknowledged, with its reason, in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
