import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buildDashboard } from './dashboard';
import { alationMetric, outcomeMetrics } from './function-metrics';
import { MetricName } from './metrics';
import type { AlationJobWatchProps, OutcomeFilter, OutcomeSubscriberInput } from './props';
import { DEFAULTS, assertNoProblems, validateAlationJobWatchProps } from './validate-props';
import { bundleJobStatus } from './bundling';
import { TokenLifetimeCheck } from './token-check';

/** Default handler entry: the job-status function of this repository. */
export const DEFAULT_ENTRY = fileURLToPath(new URL('../functions/job-status/handler.ts', import.meta.url));

// AWS recommends a visibility timeout of at least six times the function timeout
// (plus the batching window), so retries after throttling do not reappear early:
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Watches Alation bulk-API jobs: a job queue (with its DLQ) feeding the
 * job-status function, which re-queues running jobs with a delay and publishes
 * final outcomes to an SNS topic, plus an idempotency table, least-privilege
 * grants, alarms and a dashboard.
 *
 * @example
 * const watch = new AlationJobWatch(this, 'Watch', {
 *   alationBaseUrl: 'https://alation.example.com',
 *   notifyEmails: [{ endpoint: 'data-team@example.com', filter: { statuses: ['failed'] } }],
 * });
 * watch.grantEnqueue(uploaderFunction);
 */
export class AlationJobWatch extends Construct {
  /** Queue of job references to watch; producers send here (see {@link grantEnqueue}). */
  public readonly queue: sqs.Queue;
  /** Dead-letter queue of the job queue: invalid messages and repeatedly failing ones. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The job-status function. */
  public readonly function: lambda.Function;
  /** Topic the final outcomes are published to. */
  public readonly topic: sns.Topic;
  /** Idempotency records (Powertools layout: key `id`, TTL `expiration`). */
  public readonly idempotencyTable: dynamodb.Table;
  /** Secret holding the Alation token. */
  public readonly tokenSecret: secretsmanager.ISecret;
  /** Topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** Dead-letter queue of the HTTPS subscriptions; only when `webhookUrls` are given. */
  public readonly subscriptionDeadLetterQueue?: sqs.Queue;
  /** The alarms, by name: `DeadLetterQueueNotEmpty`, `OldestMessageAge`, `FunctionErrors`, ... */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** The operations dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The daily token check, unless `tokenCheck: false`. */
  public readonly tokenCheck?: TokenLifetimeCheck;

  constructor(scope: Construct, id: string, props: AlationJobWatchProps) {
    super(scope, id);
    assertNoProblems(validateAlationJobWatchProps(props));

    const functionTimeout = Duration.seconds(props.functionTimeoutSeconds ?? DEFAULTS.functionTimeoutSeconds);
    const batchingWindowSeconds = props.maxBatchingWindowSeconds ?? DEFAULTS.maxBatchingWindowSeconds;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS retention: time to inspect and redrive.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the job queue; a DLQ of a DLQ would only hide messages further.',
    });

    this.queue = new sqs.Queue(this, 'JobQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        VISIBILITY_TIMEOUT_FACTOR * functionTimeout.toSeconds() + batchingWindowSeconds,
      ),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? DEFAULTS.maxReceiveCount,
      },
    });

    this.topic = new sns.Topic(this, 'OutcomeTopic', {
      displayName: 'Alation job outcomes',
      enforceSSL: true,
      // SHA256 signatures, which webhook receivers should verify (the default, 1, is SHA1).
      // https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
      signatureVersion: '2',
      // AWS managed key: SNS decrypts before delivering to email and HTTPS, and the
      // publisher needs no key grant. (A customer key is only needed for AWS
      // service publishers, such as CloudWatch on the alarm topic.)
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
      masterKey: kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
    });

    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      // Powertools idempotency layout: partition key `id`, expiry in `expiration`.
      // https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency/#dynamodb-table
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    });
    Validations.of(this.idempotencyTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Idempotency records are short-lived (TTL) duplicate guards; restoring them has no value, losing them at worst lets one duplicate outcome through.',
    });

    this.tokenSecret = props.tokenSecret ?? this.createTokenSecret();

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'alation-job-watch job-status function',
    });
    logGroup.grantWrite(role);

    const entry = props.entry ?? DEFAULT_ENTRY;
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(dirname(entry), {
        // Hash what is deployed, not the source folder.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Bundled by the local esbuild (a devDependency); like NodejsFunction's local
          // bundling, the image is a placeholder that is never pulled.
          image: DockerImage.fromRegistry('dummy'),
          // Never run. CDK caches bundled assets by these options and the source folder, and
          // cannot see into tryBundle: naming the entry keeps two entries of one folder apart.
          command: ['bundleJobStatus', basename(entry)],
          local: {
            tryBundle(outputDir) {
              bundleJobStatus({ entry, outdir: outputDir });
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? DEFAULTS.memorySizeMb,
      timeout: functionTimeout,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      role,
      description: 'Checks Alation bulk-API jobs and publishes their outcomes',
      environment: this.functionEnvironment(props),
    });

    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        // Required for partial batch responses: without it a returned
        // batchItemFailures list is ignored and the whole batch is deleted.
        reportBatchItemFailures: true,
        batchSize: props.batchSize ?? DEFAULTS.batchSize,
        maxBatchingWindow: batchingWindowSeconds > 0 ? Duration.seconds(batchingWindowSeconds) : undefined,
        maxConcurrency: props.maxConcurrency ?? DEFAULTS.maxConcurrency,
      }),
    );

    this.grantFunction();
    this.subscriptionDeadLetterQueue = this.subscribe(props);

    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic();
    for (const email of props.alarmEmails ?? []) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    if (props.tokenCheck !== false) {
      this.tokenCheck = new TokenLifetimeCheck(this, 'TokenCheck', {
        tokenSecret: this.tokenSecret,
        alationBaseUrl: props.alationBaseUrl,
        alarmTopic: this.alarmTopic,
        ...(props.tokenWarnDays !== undefined ? { warnDays: props.tokenWarnDays } : {}),
        ...(props.runtime ? { runtime: props.runtime } : {}),
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      });
    }
    this.alarms = { ...this.createAlarms(props), ...this.tokenCheck?.alarms };
    this.dashboard = buildDashboard(this, {
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      subscriptionDeadLetterQueue: this.subscriptionDeadLetterQueue,
      fn: this.function,
      alarms: Object.values(this.alarms),
    });
  }

  /**
   * Lets an upstream producer (e.g. a Lambda that starts Alation jobs) send job
   * references to the queue, and nothing else.
   */
  public grantEnqueue(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Console URL of the dashboard. */
  public get dashboardUrl(): string {
    return `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  private createTokenSecret(): secretsmanager.Secret {
    // No token in the template: CloudFormation generates a random placeholder,
    // which the operator replaces with put-secret-value (README.md, "Put the Alation token in the secret").
    const secret = new secretsmanager.Secret(this, 'TokenSecret', {
      description:
        'Alation API token for alation-job-watch: an access token, or {"refreshToken": "...", "userId": N}. Replace the generated placeholder.',
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Alation issues the token; Secrets Manager cannot rotate it. Store a refresh token, from which the function mints short-lived access tokens.',
    });
    return secret;
  }

  private functionEnvironment(props: AlationJobWatchProps): Record<string, string> {
    // Tunables are set only when configured: the function's config owns their
    // defaults, so the two cannot drift apart.
    const tunables: Record<string, number | undefined> = {
      POLL_INITIAL_DELAY_SECONDS: props.pollInitialDelaySeconds,
      POLL_MAX_DELAY_SECONDS: props.pollMaxDelaySeconds,
      MAX_WATCH_SECONDS: props.maxWatchSeconds,
      ALATION_TIMEOUT_MS: props.alationTimeoutMs,
      RECORD_CONCURRENCY: props.recordConcurrency,
    };
    const environment: Record<string, string> = {
      ALATION_BASE_URL: props.alationBaseUrl,
      ALATION_TOKEN_SECRET_ID: this.tokenSecret.secretFullArn ?? this.tokenSecret.secretArn,
      JOB_QUEUE_URL: this.queue.queueUrl,
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      OUTCOME_TOPIC_ARN: this.topic.topicArn,
      IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
    };
    for (const [name, value] of Object.entries(tunables)) {
      if (value !== undefined) environment[name] = String(value);
    }
    return environment;
  }

  private grantFunction(): void {
    const fn = this.function;
    // GetSecretValue (and DescribeSecret) on this secret only.
    this.tokenSecret.grantRead(fn);
    const secretKey = this.tokenSecret.encryptionKey;
    if (secretKey) {
      // grantRead adds kms:Decrypt only when it can tell that the key is in this
      // account, which it cannot for an imported key in an environment-agnostic
      // stack; state it explicitly, limited to use through Secrets Manager.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
    // Re-queue running jobs with DelaySeconds; send invalid messages straight to the DLQ.
    this.queue.grantSendMessages(fn);
    this.deadLetterQueue.grantSendMessages(fn);
    this.topic.grantPublish(fn);
    this.idempotencyTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');

    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; AWS requires "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
      });
    }
  }

  private subscribe(props: AlationJobWatchProps): sqs.Queue | undefined {
    for (const entry of props.notifyEmails ?? []) {
      const { endpoint, filter } = normalise(entry);
      this.topic.addSubscription(new subscriptions.EmailSubscription(endpoint, { filterPolicy: filterPolicy(filter) }));
    }
    const webhooks = (props.webhookUrls ?? []).map(normalise);
    if (webhooks.length === 0) return undefined;

    // Catches what SNS could not deliver after its HTTPS retries, for inspection and replay.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
    const dlq = new sqs.Queue(this, 'SubscriptionDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(dlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the HTTPS subscriptions.',
    });
    for (const { endpoint, filter } of webhooks) {
      this.topic.addSubscription(
        new subscriptions.UrlSubscription(endpoint, {
          protocol: sns.SubscriptionProtocol.HTTPS,
          filterPolicy: filterPolicy(filter),
          deadLetterQueue: dlq,
        }),
      );
    }
    return dlq;
  }

  private createAlarmTopic(): sns.Topic {
    // CloudWatch can only notify a KMS-encrypted topic whose key policy lets
    // cloudwatch.amazonaws.com use the key; AWS managed keys cannot be changed,
    // so this topic gets a customer managed key.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'alation-job-watch alarm topic',
      enableKeyRotation: true,
    });
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'alation-job-watch alarms',
      enforceSSL: true,
      signatureVersion: '2',
      masterKey: key,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    return topic;
  }

  private createAlarms(props: AlationJobWatchProps): Record<string, cloudwatch.Alarm> {
    const action = new cwActions.SnsAction(this.alarmTopic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    const add = (name: string, alarmProps: cloudwatch.AlarmProps): void => {
      const alarm = new cloudwatch.Alarm(this, name, alarmProps);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms[name] = alarm;
    };

    // ApproximateNumberOfMessagesVisible, not NumberOfMessagesSent: the latter misses redriven messages.
    add('DeadLetterQueueNotEmpty', {
      alarmDescription: 'Job messages reached the DLQ: invalid job references or repeated failures. See README.md#alarms.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('OldestMessageAge', {
      alarmDescription: 'The oldest job message waits longer than any poll delay: the function is not keeping up or not consuming. See README.md#alarms.',
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: props.oldestMessageAgeAlarmSeconds ?? DEFAULTS.oldestMessageAgeAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Record failures are reported per item and do not count here: an error is a crash or a timeout of a whole invocation.
    add('FunctionErrors', {
      alarmDescription: 'Invocations of the job-status function failed as a whole (crash, timeout, init error). See README.md#alarms.',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('AlationAuthErrors', {
      alarmDescription: 'Alation rejected the token (401/403): the secret is missing, wrong or expired. See README.md#alarms.',
      metric: alationMetric(MetricName.AlationErrors, { errorClass: 'auth' }, 'Sum', Duration.minutes(5)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const ratePercent = props.outcomeAlarmRatePercent ?? DEFAULTS.outcomeAlarmRatePercent;
    for (const [name, status] of [
      ['FailedOutcomeRate', 'failed'],
      ['TimedOutOutcomeRate', 'timed_out'],
    ] as const) {
      add(name, {
        alarmDescription: `More than ${ratePercent}% of the outcomes in one hour were ${status}. See README.md#alarms.`,
        metric: outcomeRate(status),
        threshold: ratePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (this.subscriptionDeadLetterQueue) {
      add('SubscriptionDeadLetterQueueNotEmpty', {
        alarmDescription: 'SNS could not deliver outcomes to a webhook after its retries. See README.md#alarms.',
        metric: this.subscriptionDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    return alarms;
  }
}

/** Percentage of the outcomes published in an hour that had `status`. */
function outcomeRate(status: 'failed' | 'timed_out'): cloudwatch.MathExpression {
  const period = Duration.hours(1);
  const metrics = outcomeMetrics(period);
  // FILL(…, 0): a status with no outcomes in the hour has no datapoint at all.
  const total = Object.keys(metrics).map((id) => `FILL(${id}, 0)`).join(' + ');
  return new cloudwatch.MathExpression({
    expression: `100 * FILL(${status}, 0) / (${total})`,
    usingMetrics: metrics,
    period,
    label: `${status} outcomes (%)`,
  });
}

function normalise(entry: OutcomeSubscriberInput): { endpoint: string; filter?: OutcomeFilter } {
  return typeof entry === 'string' ? { endpoint: entry } : entry;
}

function filterPolicy(filter: OutcomeFilter | undefined): Record<string, sns.SubscriptionFilter> | undefined {
  if (!filter) return undefined;
  const policy: Record<string, sns.SubscriptionFilter> = {};
  if (filter.statuses) policy.status = sns.SubscriptionFilter.stringFilter({ allowlist: [...filter.statuses] });
  if (filter.kinds) policy.kind = sns.SubscriptionFilter.stringFilter({ allowlist: [...filter.kinds] });
  // Published as a String attribute "true"/"false", not as a boolean.
  if (filter.hasErrors !== undefined) {
    policy.hasErrors = sns.SubscriptionFilter.stringFilter({ allowlist: [String(filter.hasErrors)] });
  }
  return Object.keys(policy).length > 0 ? policy : undefined;
}
