import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AlationJobWatch } from '../../infra/alation-job-watch';
import { BASE_URL, fastApp, synthConstruct, synthStack, watchProps } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The one resource of a type, failing loudly when there are more or none. */
function only(template: Template, type: string): { id: string; props: Record<string, unknown> } {
  const found = template.findResources(type) as Resources;
  const ids = Object.keys(found);
  expect(ids, type).toHaveLength(1);
  const id = ids[0] as string;
  return { id, props: found[id]?.Properties ?? {} };
}

function logicalId(template: Template, type: string, pathPart: string): string {
  const found = template.findResources(type) as Record<string, { Metadata?: Record<string, string> }>;
  const ids = Object.entries(found)
    .filter(([id, r]) => id.includes(pathPart) || r.Metadata?.['aws:cdk:path']?.includes(pathPart))
    .map(([id]) => id);
  expect(ids, `${type} ${pathPart}`).toHaveLength(1);
  return ids[0] as string;
}

describe('AlationJobWatch template', () => {
  // The job-status function's resources alone; the token check is tested in token-check.test.ts.
  const { template } = synthConstruct({ tokenCheck: false });
  const queueId = logicalId(template, 'AWS::SQS::Queue', 'JobQueue');
  const dlqId = logicalId(template, 'AWS::SQS::Queue', 'DeadLetterQueue');
  const topicId = logicalId(template, 'AWS::SNS::Topic', 'OutcomeTopic');
  const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'IdempotencyTable');
  const durationTableId = logicalId(template, 'AWS::DynamoDB::Table', 'DurationTable');
  const tableProps = (id: string) => (template.findResources('AWS::DynamoDB::Table') as Resources)[id]?.Properties;
  const secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'TokenSecret');
  const keySecretId = logicalId(template, 'AWS::SecretsManager::Secret', 'WatchStateKeySecret');
  const fn = only(template, 'AWS::Lambda::Function');

  it('creates the job queue with SSE, a 6× visibility timeout and a redrive policy of 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('keeps dead letters for 14 days, encrypted, marked as a DLQ by its redrive-allow policy', () => {
    const dlq = (template.findResources('AWS::SQS::Queue') as Resources)[dlqId]?.Properties;

    expect(dlq).toEqual({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, RedriveAllowPolicy: { redrivePermission: 'allowAll' } });
  });

  it('denies non-TLS access to both queues', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('deploys the function on Node.js 24, arm64, with tracing, JSON logs and 60 s / 256 MB', () => {
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: only(template, 'AWS::Logs::LogGroup').id } },
    });
  });

  it('sets exactly the environment of the function contract: no tunables unless configured, no --enable-source-maps', () => {
    expect((fn.props.Environment as { Variables: unknown }).Variables).toEqual({
      ALATION_BASE_URL: BASE_URL,
      ALATION_TOKEN_SECRET_ID: { Ref: secretId },
      WATCH_STATE_KEY_SECRET_ID: { Ref: keySecretId },
      JOB_QUEUE_URL: { Ref: queueId },
      DEAD_LETTER_QUEUE_URL: { Ref: dlqId },
      OUTCOME_TOPIC_ARN: { Ref: topicId },
      IDEMPOTENCY_TABLE_NAME: { Ref: tableId },
      DURATION_STATS_TABLE_NAME: { Ref: durationTableId },
      // The queue's redrive setting, so the function can tell a record's last delivery.
      MAX_RECEIVE_COUNT: '5',
    });
  });

  it('keeps the function logs for one year, as Control Tower asks', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.absent() });
  });

  it('maps the queue with partial batch responses, batch size 10 and max concurrency 2', () => {
    expect(only(template, 'AWS::Lambda::EventSourceMapping').props).toEqual({
      FunctionName: { Ref: fn.id },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('encrypts the outcome topic with the AWS managed SNS key, signs with SHA256 and enforces TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Alation job outcomes',
      SignatureVersion: '2',
      KmsMasterKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alias/aws/sns']] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Resource: { Ref: topicId },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('creates the idempotency table in the Powertools layout, on demand, with TTL, KMS encryption and point-in-time recovery', () => {
    expect(tableProps(tableId)).toEqual({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('creates the learned-durations table on demand, with TTL, KMS encryption and point-in-time recovery', () => {
    expect(tableProps(durationTableId)).toEqual({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('creates a token secret with a generated placeholder, never a token value', () => {
    const secret = (template.findResources('AWS::SecretsManager::Secret') as Resources)[secretId]?.Properties;

    expect(secret?.GenerateSecretString).toEqual({});
    expect(secret).not.toHaveProperty('SecretString');
  });

  it('generates the watch-state key in its own secret: 64 letters and digits, never in the template', () => {
    const secret = (template.findResources('AWS::SecretsManager::Secret') as Resources)[keySecretId]?.Properties;

    expect(secret?.GenerateSecretString).toEqual({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 });
    expect(secret).not.toHaveProperty('SecretString');
  });

  it('grants the function exactly its own resources, with "*" only for X-Ray', () => {
    const policy = only(template, 'AWS::IAM::Policy').props;

    expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [only(template, 'AWS::Logs::LogGroup').id, 'Arn'] } },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: secretId } },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: keySecretId } },
      { Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      { Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
      },
      { Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [durationTableId, 'Arn'] }] },
    ]);
  });

  it('gives the function role no managed policies', () => {
    expect(only(template, 'AWS::IAM::Role').props).not.toHaveProperty('ManagedPolicyArns');
  });

  it('alarms when the DLQ has any visible message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when the oldest job message is older than 30 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on any failed invocation of the function', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on Alation rejecting the token', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AlationJobWatch',
      MetricName: 'AlationErrors',
      Dimensions: Match.arrayEquals([
        { Name: 'errorClass', Value: 'auth' },
        { Name: 'service', Value: 'alation-job-watch' },
      ]),
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it.each([{ status: 'failed' }, { status: 'timed_out' }])('alarms when over 20 percent of an hour of outcomes are $status', ({ status }) => {
    const numerator = `FILL(${status}, 0)`;
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp(`^100 \\* ${numerator.replace(/[()]/g, '\\$&')} / `) })]) },
    }) as Resources;
    const [alarm] = Object.values(alarms);
    const metrics = alarm?.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { Dimensions: unknown[] }; Period: number; Stat: string } }[];

    expect(alarm?.Properties).toMatchObject({ Threshold: 20, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(metrics[0]?.Expression).toBe(
      `100 * ${numerator} / (FILL(successful, 0) + FILL(partially_successful, 0) + FILL(failed, 0) + FILL(timed_out, 0) + FILL(not_found, 0))`,
    );
    expect(metrics.slice(1).map((m) => m.Id)).toEqual(['successful', 'partially_successful', 'failed', 'timed_out', 'not_found']);
    expect(metrics[3]?.MetricStat).toEqual({
      Metric: {
        Namespace: 'AlationJobWatch',
        MetricName: 'OutcomesPublished',
        Dimensions: [
          { Name: 'service', Value: 'alation-job-watch' },
          { Name: 'status', Value: 'failed' },
        ],
      },
      Period: 3600,
      Stat: 'Sum',
    });
  });

  it('sends every alarm and its recovery to the alarm topic', () => {
    const alarmTopicId = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);

    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: alarmTopicId }]);
    }
  });

  it('encrypts the alarm topic with a rotated customer key that CloudWatch alarms of this account may use', () => {
    const keyId = only(template, 'AWS::KMS::Key').id;
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] },
      },
    };
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          { Sid: 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: fromOwnAlarms },
        ]),
      },
    });
    const alarmTopicId = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, SignatureVersion: '2' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: alarmTopicId }, Condition: fromOwnAlarms },
        ]),
      },
    });
  });

  it('builds a dashboard of queue depth, jobs in flight, outcomes, Alation latency and errors', () => {
    const body = JSON.stringify(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody);

    for (const title of ['Jobs in flight', 'Job queue depth', 'Outcomes by status', 'Alation latency (ms)', 'Alation errors by class', 'Function', 'Alarms']) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    expect(body).toContain('FILL(visible, 0) + FILL(notVisible, 0) + FILL(delayed, 0)');
    for (const errorClass of ['network', 'timeout', 'rate_limited', 'server_error', 'bad_response', 'auth', 'not_found']) {
      expect(body).toContain(`\\"errorClass\\",\\"${errorClass}\\"`);
    }
  });
});

describe('AlationJobWatch options', () => {
  it('sets each configured tunable in the environment', () => {
    const { template } = synthConstruct({
      pollInitialDelaySeconds: 15,
      pollMaxDelaySeconds: 600,
      maxWatchSeconds: 7200,
      alationTimeoutMs: 5000,
      recordConcurrency: 3,
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POLL_INITIAL_DELAY_SECONDS: '15',
          POLL_MAX_DELAY_SECONDS: '600',
          MAX_WATCH_SECONDS: '7200',
          ALATION_TIMEOUT_MS: '5000',
          RECORD_CONCURRENCY: '3',
        }),
      },
    });
  });

  it('sets the follow-up switch, depth and extra final statuses in the environment', () => {
    const { template } = synthConstruct({ watchFollowUps: false, followUpMaxDepth: 2, extraFinalStatuses: { completed: 'successful', cancelled: 'failed' } });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ WATCH_FOLLOW_UPS: 'false', FOLLOW_UP_MAX_DEPTH: '2', EXTRA_FINAL_STATUSES: 'completed:successful,cancelled:failed' }),
      },
    });
  });

  it('derives the visibility timeout from the function timeout and batching window', () => {
    const { template } = synthConstruct({ functionTimeoutSeconds: 120, maxBatchingWindowSeconds: 20, batchSize: 50, maxConcurrency: 10 });

    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 120 + 20 });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('applies memory, runtime, log retention and maxReceiveCount', () => {
    const { template } = synthConstruct({
      memorySizeMb: 512,
      runtime: lambda.Runtime.NODEJS_22_X,
      logRetention: logs.RetentionDays.ONE_WEEK,
      maxReceiveCount: 8,
    });

    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Runtime: 'nodejs22.x' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }) });
  });

  it('subscribes emails, each with its own DLQ and a filter policy that also admits replays addressed to it', () => {
    const { template, watch } = synthConstruct({
      notifyEmails: ['team@example.com', { endpoint: 'oncall@example.com', filter: { statuses: ['failed', 'timed_out'] } }],
    });
    const [team, oncall] = watch.subscribers;

    expect(watch.subscribers.map((s) => [s.protocol, s.endpoint])).toEqual([['email', 'team@example.com'], ['email', 'oncall@example.com']]);
    expect(team?.key).toMatch(/^[0-9a-f]{16}$/);
    expect(team?.key).not.toBe(oncall?.key);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team@example.com',
      FilterPolicy: { $or: [{ replayTo: [{ exists: false }] }, { replayTo: [team?.key] }] },
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      DeliveryPolicy: Match.absent(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      FilterPolicy: { $or: [{ status: ['failed', 'timed_out'], replayTo: [{ exists: false }] }, { replayTo: [oncall?.key] }] },
    });
    expect(Object.keys(template.findResources('AWS::SQS::Queue'))).toHaveLength(4);
  });

  it('alarms on failed notifications of the outcome topic when it has subscribers', () => {
    const { template } = synthConstruct({ notifyEmails: ['team@example.com'] });

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('OutcomeTopic'), 'TopicName'] } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('subscribes webhooks over HTTPS with exponential retries, a subscription DLQ, its queue policy and an alarm', () => {
    const { template, watch } = synthConstruct({
      webhookUrls: [{ endpoint: 'https://hooks.example.com/a', filter: { kinds: ['metadata_upload'], hasErrors: true } }],
    });
    const subDlqId = logicalId(template, 'AWS::SQS::Queue', 'SubscriptionDeadLetterQueue');

    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/a',
      FilterPolicy: { $or: [{ kind: ['metadata_upload'], hasErrors: ['true'], replayTo: [{ exists: false }] }, { replayTo: [watch.subscribers[0]?.key] }] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [subDlqId, 'Arn'] } },
      DeliveryPolicy: {
        healthyRetryPolicy: {
          minDelayTarget: 10,
          maxDelayTarget: 300,
          numRetries: 13,
          numNoDelayRetries: 0,
          numMinDelayRetries: 2,
          numMaxDelayRetries: 5,
          backoffFunction: 'EXPONENTIAL',
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `Host-sub-dlq-${watch.subscribers[0]?.key}` });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: subDlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [subDlqId, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it('names every subscription DLQ with one prefix, so an operator policy can name them all and no other queue', () => {
    const { template, watch } = synthConstruct({ notifyEmails: ['oncall@example.com'], webhookUrls: ['https://hooks.example.com/a'] });

    expect(watch.subscriptionDlqNamePrefix).toBe('Host-sub-dlq-');
    expect(watch.subscribers.map((s) => s.key)).toHaveLength(2);
    for (const { key } of watch.subscribers) template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `Host-sub-dlq-${key}` });
    // The job queue and its DLQ keep the names CloudFormation generates.
    const named = Object.values(template.findResources('AWS::SQS::Queue')).filter((q) => q.Properties?.QueueName !== undefined);
    expect(named).toHaveLength(2);
  });

  it('names the subscription DLQs with a given prefix', () => {
    const { template, watch } = synthConstruct({ webhookUrls: ['https://hooks.example.com/a'], subscriptionDlqNamePrefix: 'ajw-prod-sub-' });

    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: `ajw-prod-sub-${watch.subscribers[0]?.key}` });
  });

  it('asks for a prefix when the stack name is too long to name the subscription DLQs after it', () => {
    const stack = new Stack(fastApp(), 'S'.repeat(56));

    expect(() => new AlationJobWatch(stack, 'Watch', watchProps({ webhookUrls: ['https://hooks.example.com/a'] }))).toThrow(
      /too long to name the subscription dead-letter queues after it .*at most 55.*give subscriptionDlqNamePrefix/,
    );
    // A 55-character stack name fits: 55 + "-sub-dlq-" + 16 = 80.
    const fits = new Stack(fastApp(), 'S'.repeat(55));
    expect(() => new AlationJobWatch(fits, 'Watch', watchProps({ webhookUrls: ['https://hooks.example.com/a'] }))).not.toThrow();
    // Without subscribers no queue is named, and any stack name does.
    expect(() => new AlationJobWatch(new Stack(fastApp(), 'S'.repeat(100)), 'Watch', watchProps())).not.toThrow();
  });

  it('refuses, at synth, two watches in one stack that would create the same subscription DLQ', () => {
    const stack = new Stack(fastApp(), 'Host');
    new AlationJobWatch(stack, 'One', watchProps({ webhookUrls: ['https://hooks.example.com/a'] }));

    expect(() => new AlationJobWatch(stack, 'Two', watchProps({ webhookUrls: ['https://hooks.example.com/a'] }))).toThrow(
      /Host\/Two and Host\/One would both create the queue Host-sub-dlq-[0-9a-f]{16}: give one of them another subscriptionDlqNamePrefix/,
    );
    expect(() => new AlationJobWatch(stack, 'Three', watchProps({ webhookUrls: ['https://hooks.example.com/a'], subscriptionDlqNamePrefix: 'Host-three-' }))).not.toThrow();
  });

  it('creates no subscription DLQ without webhooks', () => {
    const { watch } = synthConstruct();

    expect(watch.subscribers).toEqual([]);
  });

  it('subscribes alarm emails to the alarm topic', () => {
    const { template } = synthConstruct({ alarmEmails: ['ops@example.com'] });

    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic') },
    });
  });

  it('uses a given alarm topic instead of creating one with a key', () => {
    const stack = new Stack(fastApp(), 'Host');
    const ownAlarms = new sns.Topic(stack, 'OwnAlarms');
    const watch = new AlationJobWatch(stack, 'Watch', watchProps({ alarmTopic: ownAlarms }));
    const template = Template.fromStack(stack);

    expect(watch.alarmTopic).toBe(ownAlarms);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: stack.getLogicalId(ownAlarms.node.defaultChild as sns.CfnTopic) }] });
  });

  it('grants upstream producers SendMessage on the job queue only', () => {
    const stack = new Stack(fastApp(), 'Host');
    const watch = new AlationJobWatch(stack, 'Watch', watchProps());
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    watch.grantEnqueue(producer);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Producer') }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'JobQueue'), 'Arn'] },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });
});

describe('AlationJobWatchStack', () => {
  it('outputs the queue URL and ARN, DLQ URL and ARN, topic, secret, alarm topic and dashboard URL', () => {
    const { template } = synthStack();

    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AlarmTopicArn',
      'DashboardUrl',
      'DeadLetterQueueArn',
      'DeadLetterQueueUrl',
      'IdempotencyTableName',
      'JobQueueArn',
      'JobQueueUrl',
      'OutcomeTopicArn',
      'SubscriptionDlqNamePrefix',
      'TokenSecretArn',
    ]);
    template.hasOutput('SubscriptionDlqNamePrefix', { Value: 'AlationJobWatch-sub-dlq-' });
    template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: 'AWS::Region' },
            '.console.aws.amazon.com/cloudwatch/home?region=',
            { Ref: 'AWS::Region' },
            '#dashboards:name=',
            { Ref: Match.stringLikeRegexp('Dashboard') },
          ],
        ],
      },
    });
  });

  it('reads an existing secret by complete ARN and grants only that secret', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:alation/token-AbC123';
    const { template } = synthStack({ tokenSecretArn: arn });

    // Only the generated watch-state key.
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALATION_TOKEN_SECRET_ID: arn }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: arn },
        ]),
      },
    });
    template.hasOutput('TokenSecretArn', { Value: arn });
  });

  it('reads an existing secret by name with its customer key, granting kms:Decrypt on that key', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { template } = synthStack({ tokenSecretName: 'alation/token', tokenSecretKmsKeyArn: keyArn });

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:alation/token-??????']],
            },
          },
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: keyArn,
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
          },
        ]),
      },
    });
  });
});
