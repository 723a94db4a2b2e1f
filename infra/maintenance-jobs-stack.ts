import { CfnOutput, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import {
  type CatalogueEntry,
  catalogue,
  handlerEntry,
  jobsDir,
  withTimeZones,
} from '../functions/catalogue/index.js';
import type { DatabaseAccess } from './database-access.js';
import {
  type DeploymentSettings,
  DeploymentSettingsError,
  type NetworkSettings,
} from './deployment-settings.js';
import type { FunctionNetwork } from './job-function.js';
import { addJobOutputs } from './job-outputs.js';
import { OperationsDashboard } from './operations-dashboard.js';
import { ScheduledJob } from './scheduled-job.js';

/** Props of {@link MaintenanceJobsStack}. */
export interface MaintenanceJobsStackProps extends StackProps, DeploymentSettings {
  /**
   * The jobs to deploy.
   * @default catalogue - every job in functions/catalogue
   */
  readonly jobs?: readonly CatalogueEntry[];
  /**
   * The folder holding `<job>/handler.ts` for each job.
   * @default jobsDir - functions/jobs
   */
  readonly jobsDir?: string;
}

/**
 * Every catalogued job as a Lambda function on an EventBridge schedule, with its dead-letter
 * queues and alarms; one alarm topic, one database secret, one dashboard; an output per job
 * for the operator CLI. Jobs paused in the catalogue or by `pausedJobs` get their trigger
 * disabled and their "no successful run" alarm off.
 *
 * @throws {DeploymentSettingsError} when `pausedJobs` names a job that is not deployed.
 */
export class MaintenanceJobsStack extends Stack {
  readonly jobs: readonly ScheduledJob[];
  readonly alarmTopic: sns.Topic;
  /** The database secret; none with IAM authentication. */
  readonly databaseSecret: secretsmanager.ISecret | undefined;

  constructor(scope: Construct, id: string, props: MaintenanceJobsStackProps = {}) {
    super(scope, id, props);
    const database = this.#databaseAccess(props);
    this.databaseSecret = database.kind === 'secret' ? database.secret : undefined;
    this.alarmTopic = this.#alarmTopic(props.alarmEmail);
    const network = props.network ? this.#network(props.network) : undefined;

    const entries = withTimeZones(props.jobs ?? catalogue, props.jobTimeZones);
    const paused = new Set(props.pausedJobs ?? []);
    const unknown = [...paused].filter((name) => !entries.some((entry) => entry.name === name));
    if (unknown.length > 0) {
      throw new DeploymentSettingsError(
        `context pausedJobs: no job named ${unknown.join(', ')}; the jobs are ${entries.map((entry) => entry.name).join(', ')}`,
      );
    }
    this.jobs = entries.map(
      (entry) =>
        new ScheduledJob(this, entry.name, {
          entry,
          handlerFile: handlerEntry(entry.name, props.jobsDir ?? jobsDir),
          database,
          alarmTopic: this.alarmTopic,
          logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
          logLevel: props.logLevel ?? 'INFO',
          ...(props.jobEnvironment?.[entry.name]
            ? { environment: props.jobEnvironment[entry.name] }
            : {}),
          ...(network ? { network } : {}),
          paused: !entry.enabled || paused.has(entry.name),
        }),
    );
    const operations = new OperationsDashboard(this, 'Operations', {
      jobs: this.jobs,
      ...(props.stage ? { stage: props.stage } : {}),
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    if (this.databaseSecret) {
      new CfnOutput(this, 'DatabaseSecretArn', { value: this.databaseSecret.secretArn });
    }
    new CfnOutput(this, 'DashboardName', { value: operations.dashboard.dashboardName });
    for (const job of this.jobs) {
      new CfnOutput(this, `${job.node.id}-function`, {
        value: job.jobFunction.function.functionName,
        description: `Lambda function of ${job.entry.name}`,
      });
    }
    addJobOutputs(this, this.jobs);
  }

  /**
   * IAM authentication when `iamAuth` is set (with `dbHost`, which `readDeploymentSettings`
   * requires with it); else the secret, at its own host or at `dbHost`.
   *
   * @throws {DeploymentSettingsError} with `iamAuth` but no `dbHost`, or with a secret too.
   */
  #databaseAccess(props: MaintenanceJobsStackProps): DatabaseAccess {
    const port = props.dbPort ? { port: props.dbPort } : {};
    if (props.iamAuth) {
      if (!props.dbHost || props.dbSecretArn) {
        throw new DeploymentSettingsError(
          'IAM authentication needs dbHost (the host the token is signed for) and no dbSecretArn',
        );
      }
      return { kind: 'iam', host: props.dbHost, ...port, ...props.iamAuth };
    }
    return {
      kind: 'secret',
      secret: this.#databaseSecret(props.dbSecretArn),
      ...(props.dbHost ? { host: props.dbHost } : {}),
      ...port,
    };
  }

  #databaseSecret(arn: string | undefined): secretsmanager.ISecret {
    if (arn) {
      // A complete ARN ends in Secrets Manager's 6-character suffix; grants then name it exactly.
      return /-[A-Za-z0-9]{6}$/.test(arn)
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'DatabaseSecret', arn)
        : secretsmanager.Secret.fromSecretPartialArn(this, 'DatabaseSecret', arn);
    }
    const secret = new secretsmanager.Secret(this, 'DatabaseSecret', {
      description:
        "Connection of the location maintenance jobs to the backend database (RDS secret JSON: host, port, dbname, username, password). Fill in host, dbname and username; set password to that user's.",
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          engine: 'postgres',
          host: '',
          port: 5432,
          dbname: '',
          username: '',
        }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The backend owns the database and its users; it rotates the credentials (or passes its own secret with -c dbSecretArn). This placeholder is filled in by the operator.',
    });
    return secret;
  }

  #alarmTopic(email: string | undefined): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the maintenance jobs alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the encrypted topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Location maintenance jobs alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (email) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  #network(settings: NetworkSettings): FunctionNetwork {
    // Imported by id, so that synthesis needs no AWS lookup (and no credentials). The functions
    // get exactly the given subnets: the VPC's zones and the subnets' route tables are never read.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: settings.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    Validations.of(vpc).acknowledge({
      id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      reason: 'The functions are given their subnets explicitly; no subnet is chosen by zone.',
    });
    const subnets = settings.subnetIds.map((id, index) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet${index}`, id);
      Validations.of(subnet).acknowledge({
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason:
          'The functions only run in this subnet; nothing in the stack reads its route table.',
      });
      return subnet;
    });
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'SecurityGroup',
      settings.securityGroupId,
      { mutable: false },
    );
    return { vpc, subnets, securityGroup };
  }
}
