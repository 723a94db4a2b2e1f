import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../functions/catalogue/index.js';
import { nagFindings, removeSynthesized, resourcesOf, synthesize, warningsOf } from './synth.js';

afterAll(removeSynthesized);

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pm/db-AbC123';
const proxyHost = 'jobs.proxy-abc123.eu-west-1.rds.amazonaws.com';

/** Every statement of every IAM policy in the template. */
function statementsOf(template: Template): Record<string, unknown>[] {
  return resourcesOf(template, 'AWS::IAM::Policy').flatMap(
    ([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
  );
}

const actionsOf = (statement: Record<string, unknown>) => [statement.Action].flat();

describe('MaintenanceJobsStack through an RDS Proxy, with the secret', () => {
  it('connects to the proxy endpoint with the secret’s credentials', () => {
    // GIVEN a secret and the proxy's endpoint; WHEN synthesised
    const { app, stack, template } = synthesize({
      dbSecretArn: secretArn,
      dbHost: proxyHost,
    });

    // THEN every function reads the secret and connects to the proxy instead of its host
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Environment: {
          Variables: Match.objectLike({ DB_SECRET_ARN: secretArn, DB_HOST: proxyHost }),
        },
      },
      catalogue.length,
    );
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties).not.toHaveProperty('Environment.Variables.DB_PORT');
      expect(fn.Properties).not.toHaveProperty('Environment.Variables.DB_AUTH');
    }
    expect(statementsOf(template).flatMap(actionsOf)).not.toContain('rds-db:connect');
    expect(nagFindings(app, stack)).toEqual([]);
  });
});

describe('MaintenanceJobsStack with IAM authentication', () => {
  let template: Template;
  let findings: string[];
  let warnings: string[];

  beforeAll(() => {
    // GIVEN IAM authentication through a proxy; WHEN synthesised
    const {
      app,
      stack,
      template: synthesized,
    } = synthesize({
      dbHost: proxyHost,
      iamAuth: { database: 'app', user: 'maintenance', resourceId: 'prx-0123456789abcdef0' },
    });
    template = synthesized;
    findings = nagFindings(app, stack);
    warnings = warningsOf(stack);
  });

  it('tells each function to sign a token for the user at the host, and names no secret', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Environment: {
          Variables: Match.objectLike({
            DB_AUTH: 'iam',
            DB_HOST: proxyHost,
            DB_PORT: '5432',
            DB_NAME: 'app',
            DB_USER: 'maintenance',
            // TLS is verified against the CAs Lambda ships (RDS Proxy's are public ones)
            NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          }),
        },
      },
      catalogue.length,
    );
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties).not.toHaveProperty('Environment.Variables.DB_SECRET_ARN');
    }
  });

  it('creates no secret, grants reading none, and outputs none', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(
      statementsOf(template)
        .flatMap(actionsOf)
        .filter((action) => String(action).startsWith('secretsmanager:')),
    ).toEqual([]);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('DatabaseSecretArn');
  });

  it('grants rds-db:connect as exactly that user on exactly that proxy, to each function', () => {
    const connects = statementsOf(template).filter((statement) =>
      actionsOf(statement).includes('rds-db:connect'),
    );
    expect(connects).toHaveLength(catalogue.length);
    for (const statement of connects) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: 'arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/maintenance',
      });
    }
  });

  it('passes cdk-nag AwsSolutions, and synthesises without warnings', () => {
    expect(findings).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
