import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConfigError } from '../errors';

/** Outputs of the CDK stack (`infra/`) that the operator commands read. */
export const StackOutput = {
  jobQueueUrl: 'JobQueueUrl',
  jobQueueArn: 'JobQueueArn',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  deadLetterQueueArn: 'DeadLetterQueueArn',
  outcomeTopicArn: 'OutcomeTopicArn',
  tokenSecretArn: 'TokenSecretArn',
  idempotencyTableName: 'IdempotencyTableName',
} as const;

/**
 * Outputs named this prefix plus a replay target key hold the URL of that subscription's
 * dead-letter queue (one output per subscription made by the construct).
 */
export const SUBSCRIPTION_DLQ_OUTPUT_PREFIX = 'SubscriptionDeadLetterQueue';
export type StackOutput = (typeof StackOutput)[keyof typeof StackOutput];

/** What reads a stack's outputs; tests pass a fake `send`. */
export type CloudFormationLike = Pick<CloudFormationClient, 'send'>;

/**
 * Reads named outputs of a deployed stack, so operators can write `--stack NAME` instead of
 * pasting queue URLs and ARNs.
 *
 * @throws ConfigError naming the stack and every missing output
 */
export async function readStackOutputs<K extends StackOutput>(
  stackName: string,
  names: readonly K[],
  cloudFormation: CloudFormationLike = new CloudFormationClient({}),
): Promise<Record<K, string>> {
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const missing = names.filter((name) => !outputs.get(name));
  if (missing.length > 0) {
    throw new ConfigError(missing.map((name) => ({ field: `--stack ${stackName}`, problem: `has no output ${name}` })));
  }
  return Object.fromEntries(names.map((name) => [name, outputs.get(name)!])) as Record<K, string>;
}

/**
 * The outcome topic: `--topic-arn` as given, or read from `--stack`'s outputs (the caller has
 * checked that one of them is given).
 * @throws ConfigError when the stack or its output cannot be read
 */
export async function outcomeTopicArnOf(
  options: { readonly topicArn?: string; readonly stack?: string },
  cloudFormation?: CloudFormationLike,
): Promise<string> {
  if (options.topicArn !== undefined) return options.topicArn;
  return (await readStackOutputs(options.stack!, [StackOutput.outcomeTopicArn], cloudFormation))[StackOutput.outcomeTopicArn];
}
