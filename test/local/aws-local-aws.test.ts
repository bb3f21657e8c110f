import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalAws, type LocalAws } from '../../shared/local/aws/local-aws';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws.stop();
});

describe('startLocalAws', () => {
  it('serves every endpoint on loopback, with SQS and SNS sharing fauxqs', () => {
    const { sqs, sns, dynamodb, secretsManager } = aws.endpoints;

    for (const endpoint of [sqs, sns, dynamodb, secretsManager]) {
      expect(new URL(endpoint).hostname).toBe('127.0.0.1');
    }
    expect(sns).toBe(sqs);
    expect(new Set([sqs, dynamodb, secretsManager]).size).toBe(3);
  });

  it('describes itself as the environment the SDK reads endpoints from', () => {
    expect(aws.env()).toEqual({
      AWS_ENDPOINT_URL_SQS: aws.endpoints.sqs,
      AWS_ENDPOINT_URL_SNS: aws.endpoints.sns,
      AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoints.secretsManager,
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.endpoints.controlPlane,
      AWS_ENDPOINT_URL_LAMBDA: aws.endpoints.controlPlane,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoints.controlPlane,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    });
    expect(aws.credentials.accessKeyId).toMatch(/^LOCAL[0-9A-F]{16}$/);
  });

  it('hands out queue URLs whose origin is the loopback endpoint', async () => {
    const { QueueUrl } = await aws.clients().sqs.send(new CreateQueueCommand({ QueueName: 'url-shape' }));

    expect(new URL(QueueUrl!).origin).toBe(aws.endpoints.sqs);
    expect(new URL(QueueUrl!).pathname).toBe('/000000000000/url-shape');
  });

  it('applyEnv sets the variables and its return value restores the previous ones', () => {
    const target: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1', UNRELATED: 'kept' };

    const restore = aws.applyEnv(target);
    const applied = { ...target };
    restore();

    expect(applied).toMatchObject({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SQS: aws.endpoints.sqs, UNRELATED: 'kept' });
    expect(target).toEqual({ AWS_REGION: 'eu-west-1', UNRELATED: 'kept' });
  });
});

describe('SDK v3 clients built with no endpoint, from the environment only', () => {
  let restoreEnv: () => void;
  const built: Array<{ destroy(): void }> = [];
  /** Builds a client the way the handler does: no endpoint, no region, no credentials. */
  const fromEnv = <T extends { destroy(): void }>(client: T): T => {
    built.push(client);
    return client;
  };

  beforeAll(() => {
    restoreEnv = aws.applyEnv();
  });

  afterAll(() => {
    for (const client of built) client.destroy();
    restoreEnv();
  });

  it('reach fauxqs for SQS, including requests addressed by queue URL', async () => {
    const warn = vi.spyOn(console, 'warn');
    const sqs = fromEnv(new SQSClient({}));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'env-queue' }));

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via env' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

    expect(Messages?.map((m) => m.Body)).toEqual(['via env']);
    // The SDK warns when a queue URL's origin differs from its endpoint and then follows the URL.
    expect(warn.mock.calls.flat().join(' ')).not.toContain('differs from SQSClient resolved endpoint');
    warn.mockRestore();
  });

  it('reach fauxqs for SNS', async () => {
    const sns = fromEnv(new SNSClient({}));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'env-topic' }));

    const { Topics } = await sns.send(new ListTopicsCommand({}));

    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:env-topic');
    expect(Topics?.map((t) => t.TopicArn)).toContain(TopicArn);
  });

  it('reach dynalite for DynamoDB', async () => {
    await aws.clients().dynamodb.send(
      new CreateTableCommand({
        TableName: 'env-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const dynamodb = fromEnv(new DynamoDBClient({}));

    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));

    expect(TableNames).toContain('env-table');
  });

  it('reach the local Secrets Manager', async () => {
    await aws.clients().secretsManager.send(new CreateSecretCommand({ Name: 'env/secret', SecretString: 's3cret' }));
    const secretsManager = fromEnv(new SecretsManagerClient({}));
    const before = aws.secretsManager.countCalls({ operation: 'GetSecretValue', secretId: 'env/secret' });

    const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: 'env/secret' }));

    expect(SecretString).toBe('s3cret');
    expect(aws.secretsManager.countCalls({ operation: 'GetSecretValue', secretId: 'env/secret' })).toBe(before + 1);
  });
});

describe('stop', () => {
  it('closes every endpoint', async () => {
    const other = await startLocalAws();
    await other.clients().sqs.send(new CreateQueueCommand({ QueueName: 'opened-a-socket' }));
    const endpoints = Object.values(other.endpoints);

    await other.stop();
    const results = await Promise.allSettled(endpoints.map((endpoint) => fetch(endpoint)));

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
  });
});
