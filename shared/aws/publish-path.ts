/**
 * The publish path: what only a final outcome needs (the SNS and DynamoDB clients,
 * Powertools idempotency). The function loads this module on its first outcome instead of
 * at cold start (`createDependencies`): most checks end in a re-send (about 11 checks per
 * job, one outcome), and the code of the path is about a quarter of the bundle, which
 * Node would otherwise parse and evaluate in every init. Nothing in the handler imports
 * it statically, so the bundler writes it to a chunk of its own.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from './client-timeouts';
import { createSnsOutcomePublisher, type OutcomePublisher, type SnsOutcomePublisherOptions } from './outcome-publisher';

export interface PublishPathOptions extends Omit<SnsOutcomePublisherOptions, 'sns' | 'dynamodb'> {
  /** Built here (from the environment, like every client) unless given. */
  readonly sns?: SnsOutcomePublisherOptions['sns'];
  /** Built here unless given. */
  readonly dynamodb?: DynamoDBClient;
}

export function createPublishPath({ sns, dynamodb, ...options }: PublishPathOptions): OutcomePublisher {
  return createSnsOutcomePublisher({ ...options, sns: sns ?? new SNSClient(awsClientConfig()), dynamodb: dynamodb ?? new DynamoDBClient(awsClientConfig()) });
}
