import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AlationJobWatchStack } from '../../infra/job-watch-stack';
import { fastApp, LOOKUP_ENV, synthStack, VPC_ID, VPC_LOOKUP_CONTEXT, watchProps } from './helpers';

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Findings as "rule at path", so a failure message says what and where. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

/** Every acknowledgement in the tree: rule id → reason. */
function acknowledgements(scope: IConstruct): { id: string; reason: unknown }[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === ACK_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ id, reason })));
}

const FULL_OPTIONS = {
  notifyEmails: ['team@example.com', { endpoint: 'oncall@example.com', filter: { statuses: ['failed' as const] } }],
  webhookUrls: [{ endpoint: 'https://hooks.example.com/alation', filter: { hasErrors: true } }],
  alarmEmails: ['ops@example.com'],
};

describe('cdk-nag AwsSolutions checks', () => {
  it('finds nothing unacknowledged in the default stack', () => {
    const { stack } = synthStack();

    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with subscribers, webhooks and alarm emails', () => {
    const { stack } = synthStack(FULL_OPTIONS);

    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with a secret imported by name and its customer key', () => {
    const { stack } = synthStack({
      tokenSecretName: 'alation/token',
      tokenSecretKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });

    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with a secret imported by complete ARN', () => {
    const { stack } = synthStack({
      tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:alation/token-AbC123',
    });

    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with a VPC and its endpoints, a boundary, a role prefix and a log key', () => {
    const app = fastApp(VPC_LOOKUP_CONTEXT);
    const stack = new AlationJobWatchStack(app, 'Private', {
      ...watchProps(FULL_OPTIONS),
      env: LOOKUP_ENV,
      vpcId: VPC_ID,
      vpcEndpoints: true,
      permissionsBoundaryPolicy: 'org-boundary',
      roleNamePrefix: 'app-',
      logGroupKmsKey: 'create',
    });

    expect(findings(stack)).toEqual([]);
  });

  it('gives every acknowledgement a reason of a full sentence', () => {
    const { stack } = synthStack(FULL_OPTIONS);

    const acks = acknowledgements(stack);

    expect(acks.length).toBeGreaterThan(0);
    for (const { id, reason } of acks) {
      expect(typeof reason, id).toBe('string');
      expect((reason as string).length, id).toBeGreaterThan(40);
    }
  });

  it('acknowledges only the rules it needs', () => {
    const { stack } = synthStack(FULL_OPTIONS);

    // Control Tower acknowledgements (cdk-validator-cfnguard::...) are test/infra/control-tower.test.ts's.
    const ids = [...new Set(acknowledgements(stack).map((a) => a.id.replace(/^annotation::/i, '')))].filter((id) => id.startsWith('AwsSolutions-')).sort();

    expect(ids).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
  });

  it('reports findings on a non-compliant resource (the check is not vacuous)', () => {
    const stack = new Stack(fastApp(), 'Plain');
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    expect(findings(stack)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3 at Plain/Queue/Resource', 'AwsSolutions-SQS4 at Plain/Queue/Resource']),
    );
  });
});
