import { App } from 'aws-cdk-lib';
import { MaintenanceJobsStack } from './maintenance-jobs-stack.js';

const app = new App();
new MaintenanceJobsStack(app, 'LocationMaintenanceJobs', {
  description: 'Scheduled maintenance jobs for the location-tracking backend',
});
