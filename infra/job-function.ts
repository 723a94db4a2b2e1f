import { join } from 'node:path';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogueEntry } from '../functions/catalogue/index.js';
import { runMetrics } from '../functions/runner/metric-names.js';
import { type DatabaseAccess, grantDatabaseAccess } from './database-access.js';

/** The repository root: where package-lock.json and tsconfig.json live. */
export const projectRoot = join(import.meta.dirname, '..');

/** The functions' runtime: the latest Node.js on Lambda. */
const functionRuntime = lambda.Runtime.NODEJS_24_X;

/** Where a function runs in a VPC. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
}

/** Props of {@link JobFunction}. */
export interface JobFunctionProps {
  /** The catalogue entry: timeout, memory, description. */
  readonly entry: CatalogueEntry;
  /** The job's Lambda entry file, `functions/jobs/<name>/handler.ts`. */
  readonly handlerFile: string;
  /** How the function reaches the database: its secret, or IAM authentication as one user. */
  readonly database: DatabaseAccess;
  /** Where failed asynchronous invocations go, after Lambda's retries. */
  readonly failedRuns: sqs.IQueue;
  /** How long Lambda keeps retrying an event (an event older than a schedule period is stale). */
  readonly maxEventAge: Duration;
  /** How long the logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** Powertools log level. */
  readonly logLevel: string;
  /**
   * Extra environment (the job's own settings).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * VPC placement.
   * @default - no VPC
   */
  readonly network?: FunctionNetwork;
}

/**
 * One job's Lambda function: bundled by the local esbuild (minified, source maps), the
 * latest Node.js runtime on arm64, its own log group and role, reserved concurrency 1, and an
 * asynchronous invoke configuration whose retries end in the failed-runs queue.
 */
export class JobFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: JobFunctionProps) {
    super(scope, id);
    const { entry } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${entry.name} job`,
    });
    this.logGroup.grantWrite(this.role);
    const databaseEnvironment = grantDatabaseAccess(this.role, props.database);
    if (props.network) grantNetworkInterfaces(this.role, props.network);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.handlerFile,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      description: entry.description,
      runtime: functionRuntime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: entry.memoryMiB,
      timeout: Duration.seconds(entry.timeoutSeconds),
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: runMetrics.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: runMetrics.namespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...databaseEnvironment,
        // Trust the Amazon RDS certificate authorities for verified TLS (Node.js 20+ runtimes).
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        logLevel: LogLevel.WARNING,
        minify: true,
        // Stack traces map back to the TypeScript files; the sources themselves stay out of
        // the map, which keeps it small and quick to load at cold start.
        sourceMap: true,
        sourcesContent: false,
        // CommonJS output: ESM output hoists the external AWS SDK import (only needed for
        // DB_SECRET_ARN, loaded lazily) to the top of the bundle, and was no smaller (230 KB
        // either way: esbuild tree-shakes ESM sources, preferred by mainFields, in both
        // formats). Importing it took 140 ms against 94 ms for CommonJS, and still more than
        // CommonJS plus the SDK (129 ms; median of 20 fresh Node processes).
        format: OutputFormat.CJS,
        mainFields: ['module', 'main'],
        // The Node.js runtime provides the AWS SDK v3 clients (Secrets Manager's). The RDS
        // signer (DB_AUTH=iam) is no client: it is left out of the handler's bundle too, and
        // built beside it (below), so that a function that logs in otherwise never parses it.
        externalModules: ['@aws-sdk/client-*', rdsSignerPackage],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) => [rdsSignerBuildCommand(outputDir)],
        },
        // These functions never run in a Cloudflare Worker: this answers pg's runtime probe
        // at build time. (pg's probe otherwise loads Node's whole fetch stack
        // at import on runtimes without a global `navigator`, such as Node.js 20.)
        define: { navigator: JSON.stringify({ userAgent: 'Node.js' }) },
      },
      retryAttempts: 2,
      maxEventAge: props.maxEventAge,
      onFailure: new SqsDestination(props.failedRuns),
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnets: props.network.subnets },
            securityGroups: [props.network.securityGroup],
          }
        : {}),
    });
  }
}

/** Imported by `functions/db/iam-auth-token.ts` on the first token (`DB_AUTH=iam`) only. */
export const rdsSignerPackage = '@aws-sdk/rds-signer';

/** Where the asset holds the signer: where the handler's `import()` finds it, beside index.js. */
export const rdsSignerAssetPath = `node_modules/${rdsSignerPackage}/index.js`;

/**
 * The shell command (run by the bundling, in the project's root) that bundles
 * `@aws-sdk/rds-signer` into the function's asset as `node_modules/@aws-sdk/rds-signer`,
 * minified, as the handler's own bundle is: in the handler's bundle, the signer's 27 KB were
 * parsed at every cold start (about 5 % of the import time on Node 24), needed or not. CDK's
 * own command for esbuild, `npx --no-install esbuild`, runs the project's esbuild.
 */
function rdsSignerBuildCommand(outputDir: string): string {
  const args = [
    '--bundle',
    rdsSignerPackage,
    '--platform=node',
    '--format=cjs',
    // Lambda's Node, as CDK builds the handler's bundle for
    `--target=${functionRuntime.name.replace(/^nodejs(\d+)\.x$/, 'node$1')}`,
    '--minify',
    '--main-fields=module,main',
    '--sourcemap',
    '--sources-content=false',
    '--log-level=warning',
    // The signer's default credentials are the SDK's whole provider chain (95 KB); in Lambda
    // they are in the environment, which this module reads (see its comment). esbuild
    // resolves an alias's path from its working directory, the project's root.
    '--alias:@aws-sdk/credential-providers=./functions/db/lambda-credentials.ts',
    `--outfile=${join(outputDir, rdsSignerAssetPath)}`,
  ];
  return ['npx', '--no-install', 'esbuild', ...args].map(shellQuote).join(' ');
}

/** `value` as one word for a POSIX shell. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * What Lambda needs to attach a function to the VPC: it creates and deletes the function's
 * network interfaces with the function's role. These are the EC2 actions of the AWS managed
 * policy AWSLambdaVPCAccessExecutionRole (whose log permissions, on any log group, this role
 * does not need), each on the narrowest resources EC2 authorises it against.
 */
function grantNetworkInterfaces(role: iam.Role, network: FunctionNetwork): void {
  // Pseudo parameters rather than the stack's environment, so that the ARNs (and the cdk-nag
  // finding acknowledged below) read the same whether or not the stack has an account set.
  const ec2Arn = (resource: string) =>
    `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  // Lambda names the interfaces it creates when it creates them: any in this account and region.
  const networkInterfaces = ec2Arn('network-interface/*');
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        networkInterfaces,
        ...network.subnets.map((subnet) => ec2Arn(`subnet/${subnet.subnetId}`)),
        ec2Arn(`security-group/${network.securityGroup.securityGroupId}`),
      ],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: [networkInterfaces],
    }),
  );
  const reason = (what: string) => `Attaching the function to the VPC: ${what}.`;
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: reason(
      'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; they are allowed on "*" or not at all',
    ),
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
    reason: reason(
      "Lambda creates the function's network interfaces at run time, so their ids cannot be named in advance; scoped to this account and region",
    ),
  });
}
