import { ArnFormat, CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AlationJobWatch } from './alation-job-watch';
import { SUBSCRIPTION_DLQ_OUTPUT_PREFIX } from '../shared/cli/stack-outputs';
import type { AlationJobWatchProps } from './props';
import { AlationJobWatchConfigError, assertNoProblems, validateAlationJobWatchProps } from './validate-props';

/**
 * Where the stack finds an existing token secret. Give at most one of
 * `tokenSecretArn` and `tokenSecretName`; with neither, the stack creates the secret.
 */
export interface TokenSecretReference {
  /**
   * Complete ARN of an existing secret (ending in the 6-character suffix).
   *
   * @default - no existing secret by ARN
   */
  readonly tokenSecretArn?: string;
  /**
   * Name of an existing secret in this account and region.
   *
   * @default - no existing secret by name
   */
  readonly tokenSecretName?: string;
  /**
   * ARN of the customer managed KMS key of the existing secret, so the function gets `kms:Decrypt`.
   *
   * @default - the secret uses the AWS managed key `aws/secretsmanager`
   */
  readonly tokenSecretKmsKeyArn?: string;
}

/**
 * The deploy-time references the app reads from context (strings, not constructs): the VPC
 * and its parts, the permissions boundary, the log group key. The stack turns them into the
 * construct's props.
 */
export interface DeploymentReference {
  /**
   * Id of an existing VPC to run the function in (looked up at synth: needs the account and region).
   *
   * @default - no VPC
   */
  readonly vpcId?: string;
  /**
   * Subnets of that VPC for the function (and the endpoints).
   *
   * @default - the VPC's private subnets
   */
  readonly subnetIds?: readonly string[];
  /**
   * Security groups for the function.
   *
   * @default - a new group with outbound traffic only
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Name or ARN of the managed policy used as the permissions boundary of every role.
   *
   * @default - no boundary
   */
  readonly permissionsBoundaryPolicy?: string;
  /**
   * `create`, or the ARN of a KMS key for the function's log group.
   *
   * @default - no customer managed key
   */
  readonly logGroupKmsKey?: string;
}

/** Properties of {@link AlationJobWatchStack}. */
export interface AlationJobWatchStackProps
  extends Omit<StackProps, 'permissionsBoundary'>,
    AlationJobWatchProps,
    TokenSecretReference,
    DeploymentReference {}

/** Problems with the deploy-time references, including conflicts with the construct props they stand for. */
export function validateDeploymentReference(props: AlationJobWatchStackProps): string[] {
  const problems: string[] = [];
  if (props.vpcId !== undefined && props.vpc !== undefined) problems.push('give only one of vpc, vpcId');
  if (props.vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(props.vpcId)) problems.push(`vpcId must look like vpc-0123456789abcdef0 (got ${JSON.stringify(props.vpcId)})`);
  const needsVpc = (['subnetIds', 'securityGroupIds'] as const).filter((k) => props[k] !== undefined && props.vpcId === undefined);
  for (const key of needsVpc) problems.push(`${key} applies only with vpcId`);
  for (const id of props.subnetIds ?? []) if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) problems.push(`subnetIds has ${JSON.stringify(id)}, not a subnet id`);
  for (const id of props.securityGroupIds ?? []) if (!/^sg-[0-9a-f]{8,17}$/.test(id)) problems.push(`securityGroupIds has ${JSON.stringify(id)}, not a security group id`);
  if (props.permissionsBoundaryPolicy !== undefined && props.rolePermissionsBoundary !== undefined) {
    problems.push('give only one of rolePermissionsBoundary, permissionsBoundaryPolicy');
  }
  if (props.logGroupKmsKey !== undefined) {
    if (props.logGroupEncryptionKey !== undefined) problems.push('give only one of logGroupEncryptionKey, logGroupKmsKey');
    if (props.logGroupKmsKey !== 'create' && !/^arn:[\w-]+:kms:[\w-]+:\d{12}:key\/.+$/.test(props.logGroupKmsKey)) {
      problems.push(`logGroupKmsKey must be "create" or a KMS key ARN (got ${JSON.stringify(props.logGroupKmsKey)})`);
    }
  }
  return problems;
}

/** Problems with the secret reference, including conflicts with `tokenSecret`. */
export function validateTokenSecretReference(props: AlationJobWatchStackProps): string[] {
  const problems: string[] = [];
  const given = (['tokenSecret', 'tokenSecretArn', 'tokenSecretName'] as const).filter((k) => props[k] !== undefined);
  if (given.length > 1) problems.push(`give only one of ${given.join(', ')}`);
  if (props.tokenSecretArn !== undefined && !/^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(props.tokenSecretArn)) {
    problems.push(`tokenSecretArn must be a complete secret ARN, ending in -XXXXXX (got ${JSON.stringify(props.tokenSecretArn)}); or use tokenSecretName`);
  }
  if (props.tokenSecretKmsKeyArn !== undefined && props.tokenSecretArn === undefined && props.tokenSecretName === undefined) {
    problems.push('tokenSecretKmsKeyArn applies only to an existing secret (tokenSecretArn or tokenSecretName)');
  }
  return problems;
}

/** The deployable app stack: one {@link AlationJobWatch} and its outputs. */
export class AlationJobWatchStack extends Stack {
  /** The construct this stack deploys. */
  public readonly watch: AlationJobWatch;

  constructor(scope: Construct, id: string, props: AlationJobWatchStackProps) {
    super(scope, id, props);
    // One error for the secret reference and the construct props together.
    assertNoProblems([...validateTokenSecretReference(props), ...validateDeploymentReference(props), ...validateAlationJobWatchProps(props, { vpcGiven: props.vpc !== undefined || props.vpcId !== undefined })]);

    this.watch = new AlationJobWatch(this, 'AlationJobWatch', {
      ...props,
      tokenSecret: props.tokenSecret ?? this.importTokenSecret(props),
      ...this.importDeploymentReferences(props),
    });

    const outputs: Record<string, [string, string]> = {
      JobQueueUrl: [this.watch.queue.queueUrl, 'Send job references here (JOB_QUEUE_URL of producers)'],
      JobQueueArn: [this.watch.queue.queueArn, 'Job queue ARN, for producer IAM policies'],
      DeadLetterQueueUrl: [this.watch.deadLetterQueue.queueUrl, 'Dead-letter queue: inspect and redrive'],
      DeadLetterQueueArn: [this.watch.deadLetterQueue.queueArn, 'Dead-letter queue ARN, the source of a redrive'],
      OutcomeTopicArn: [this.watch.topic.topicArn, 'Subscribe to job outcomes here'],
      TokenSecretArn: [
        this.watch.tokenSecret.secretFullArn ?? this.watch.tokenSecret.secretArn,
        'Put the Alation token in this secret',
      ],
      AlarmTopicArn: [this.watch.alarmTopic.topicArn, 'Alarm notifications'],
      DashboardUrl: [this.watch.dashboardUrl, 'CloudWatch dashboard'],
    };
    // `replay --stack` finds each subscription's DLQ and target key here (docs/operating.md#replay).
    outputs.IdempotencyTableName = [this.watch.idempotencyTable.tableName, 'Idempotency records; replay keeps its at-most-once ledger here too'];
    // Named so that `replay` never reads it as one of its sources (SubscriptionDeadLetterQueue<key>).
    outputs.SubscriptionDlqNamePrefix = [this.watch.subscriptionDlqNamePrefix, 'Name prefix of every subscription dead-letter queue, for the operator policy of replay'];
    for (const subscriber of this.watch.subscribers) {
      outputs[`${SUBSCRIPTION_DLQ_OUTPUT_PREFIX}${subscriber.key}`] = [
        subscriber.deadLetterQueue.queueUrl,
        `Dead-letter queue of the ${subscriber.protocol} subscription with replay target ${subscriber.key}`,
      ];
    }
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
  }

  private importDeploymentReferences(props: AlationJobWatchStackProps): Partial<AlationJobWatchProps> {
    const imported: { -readonly [K in keyof AlationJobWatchProps]?: AlationJobWatchProps[K] } = {};
    if (props.vpcId) {
      if (Token.isUnresolved(this.account) || Token.isUnresolved(this.region)) {
        throw new AlationJobWatchConfigError([
          'vpcId needs the account and region at synth, to look the VPC up: deploy with credentials (the CDK CLI sets CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION)',
        ]);
      }
      imported.vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpcId });
      if (props.subnetIds) imported.vpcSubnets = { subnets: props.subnetIds.map((id) => ec2.Subnet.fromSubnetId(this, `Subnet-${id}`, id)) };
      if (props.securityGroupIds) {
        imported.securityGroups = props.securityGroupIds.map((id) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup-${id}`, id));
      }
    }
    if (props.permissionsBoundaryPolicy) {
      const ref = props.permissionsBoundaryPolicy;
      imported.rolePermissionsBoundary = ref.startsWith('arn:')
        ? iam.ManagedPolicy.fromManagedPolicyArn(this, 'PermissionsBoundary', ref)
        : iam.ManagedPolicy.fromManagedPolicyName(this, 'PermissionsBoundary', ref);
    }
    if (props.logGroupKmsKey) {
      imported.logGroupEncryptionKey = props.logGroupKmsKey === 'create' ? 'create' : kms.Key.fromKeyArn(this, 'LogGroupKey', props.logGroupKmsKey);
    }
    return imported;
  }

  private importTokenSecret(props: TokenSecretReference): secretsmanager.ISecret | undefined {
    const encryptionKey = props.tokenSecretKmsKeyArn
      ? kms.Key.fromKeyArn(this, 'TokenSecretKey', props.tokenSecretKmsKeyArn)
      : undefined;
    if (props.tokenSecretArn) {
      return secretsmanager.Secret.fromSecretAttributes(this, 'TokenSecret', {
        secretCompleteArn: props.tokenSecretArn,
        encryptionKey,
      });
    }
    if (props.tokenSecretName) {
      if (!encryptionKey) return secretsmanager.Secret.fromSecretNameV2(this, 'TokenSecret', props.tokenSecretName);
      return secretsmanager.Secret.fromSecretAttributes(this, 'TokenSecret', {
        secretPartialArn: this.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: props.tokenSecretName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        encryptionKey,
      });
    }
    return undefined;
  }
}
