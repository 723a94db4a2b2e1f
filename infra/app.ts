import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploymentSettings } from './deployment-settings.js';
import { MaintenanceJobsStack } from './maintenance-jobs-stack.js';

const app = new App();
new MaintenanceJobsStack(app, 'LocationMaintenanceJobs', {
  description: 'Scheduled maintenance jobs for the location-tracking backend',
  ...readDeploymentSettings((key) => app.node.tryGetContext(key)),
});
// cdk-nag: synthesis fails on any finding that is not acknowledged, with its reason, in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
