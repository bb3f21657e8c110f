import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AlationJobWatch } from './alation-job-watch';
import type { AlationJobWatchProps } from './props';
import { assertNoProblems, validateAlationJobWatchProps } from './validate-props';

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

/** Properties of {@link AlationJobWatchStack}. */
export interface AlationJobWatchStackProps extends StackProps, AlationJobWatchProps, TokenSecretReference {}

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
    assertNoProblems([...validateTokenSecretReference(props), ...validateAlationJobWatchProps(props)]);

    this.watch = new AlationJobWatch(this, 'AlationJobWatch', {
      ...props,
      tokenSecret: props.tokenSecret ?? this.importTokenSecret(props),
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
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value, description });
    }
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
