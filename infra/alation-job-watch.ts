import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, DockerImage, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
import { AlationJobWatchConfigError, DEFAULTS, assertNoProblems, extraFinalStatusesEnv, validateAlationJobWatchProps } from './validate-props';
import { bundleJobStatus } from './bundling';
import { TokenLifetimeCheck } from './token-check';
import { acknowledgeControl, deadLetterQueueProps, guardedTableProps } from './guardrails';
import { applyRolePolicies } from './role-policies';
import {
  SUBSCRIPTION_DLQ_NAME_PREFIX,
  defaultSubscriptionDlqNamePrefix,
  replayAwareFilterPolicy,
  subscriberKey,
  subscriptionDlqName,
  webhookDeliveryPolicy,
} from './subscriptions';

/** One subscription of the outcome topic made by the construct. */
export interface SubscriberResources {
  /** Replay target key: the `replayTo` attribute value that reaches only this subscription. */
  readonly key: string;
  readonly protocol: sns.SubscriptionProtocol;
  readonly endpoint: string;
  /** Where SNS puts what it could not deliver to this subscription. */
  readonly deadLetterQueue: sqs.Queue;
}

/** File name of the private CA bundle inside the function asset. */
export const ALATION_CA_FILE = 'alation-ca.pem';
// Lambda unpacks the asset here (LAMBDA_TASK_ROOT).
const TASK_ROOT = '/var/task';

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
  /**
   * What the function learns of each kind's job durations (key `pk`, TTL `expiresAt`): a bounded
   * set of small histograms that shape the polling schedule (docs/performance.md).
   */
  public readonly durationTable: dynamodb.Table;
  /** Secret holding the Alation token. */
  public readonly tokenSecret: secretsmanager.ISecret;
  /**
   * Generated key that seals the watch state the function re-sends (HMAC-SHA256); only the
   * function may read it, so producers cannot forge a watch's deadline or counters.
   */
  public readonly watchStateKeySecret: secretsmanager.Secret;
  /** Topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /**
   * The outcome topic's subscriptions made from `notifyEmails` and `webhookUrls`, each with
   * its own dead-letter queue and replay target key (`alation-job-watch replay`).
   */
  public readonly subscribers: readonly SubscriberResources[];
  /**
   * Name prefix of the subscription dead-letter queues (`subscriptionDlqNamePrefix`), for an
   * operator policy that lets `replay` read and delete on them and on no other queue.
   */
  public readonly subscriptionDlqNamePrefix: string;
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

    applyRolePolicies(Stack.of(this), { permissionsBoundary: props.rolePermissionsBoundary, roleNamePrefix: props.roleNamePrefix });

    // The longest SQS retention (14 days): time to inspect and redrive.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', deadLetterQueueProps());
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

    const pointInTimeRecovery = props.pointInTimeRecovery ?? true;
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      ...guardedTableProps({ pointInTimeRecovery }),
      // Powertools idempotency layout: partition key `id`, expiry in `expiration`.
      // https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency/#dynamodb-table
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    if (!pointInTimeRecovery) {
      const reason =
        'Idempotency records are short-lived (TTL) duplicate guards; restoring them has no value, losing them at worst lets one duplicate outcome through.';
      Validations.of(this.idempotencyTable).acknowledge({ id: 'AwsSolutions-DDB3', reason });
      acknowledgeControl(this.idempotencyTable, 'CT.DYNAMODB.PR.1', `${reason} Turned off by pointInTimeRecovery: false.`);
    }

    this.durationTable = new dynamodb.Table(this, 'DurationTable', {
      // Encrypted and recoverable like the idempotency table (the same guardrails apply).
      ...guardedTableProps({ pointInTimeRecovery }),
      // `<era>#<slot>` per kind and era, see shared/aws/kind-duration-store.ts.
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    if (!pointInTimeRecovery) {
      const reason =
        'Learned job durations fade within weeks and are relearned from the next outcomes; until then the default schedule applies. Restoring them has no value.';
      Validations.of(this.durationTable).acknowledge({ id: 'AwsSolutions-DDB3', reason });
      acknowledgeControl(this.durationTable, 'CT.DYNAMODB.PR.1', `${reason} Turned off by pointInTimeRecovery: false.`);
    }

    this.tokenSecret = props.tokenSecret ?? this.createTokenSecret();
    this.watchStateKeySecret = this.createWatchStateKeySecret();

    const logGroup = this.createLogGroup(props);
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'alation-job-watch job-status function',
    });
    logGroup.grantWrite(role);
    const network = this.network(props, role);

    const entry = props.entry ?? DEFAULT_ENTRY;
    const caBundle = props.alationCaCertificatePath
      ? { path: props.alationCaCertificatePath, digest: createHash('sha256').update(readFileSync(props.alationCaCertificatePath)).digest('hex') }
      : undefined;
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
          // The CA file's digest is in it too, so a new CA makes a new asset.
          command: ['bundleJobStatus', basename(entry), ...(caBundle ? [caBundle.digest] : [])],
          local: {
            tryBundle(outputDir) {
              bundleJobStatus({ entry, outdir: outputDir });
              if (caBundle) copyFileSync(caBundle.path, join(outputDir, ALATION_CA_FILE));
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
      ...network,
    });
    if (!props.vpc) {
      acknowledgeControl(
        this.function,
        'CT.LAMBDA.PR.3',
        'Alation is reached over the internet unless a VPC is configured; a VPC needs endpoints or a NAT gateway, which cost by the hour. Give vpc (context vpcId) to run the function in your VPC.',
      );
    }

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
    this.subscriptionDlqNamePrefix = props.subscriptionDlqNamePrefix ?? defaultSubscriptionDlqNamePrefix(Stack.of(this).stackName);
    this.subscribers = this.subscribe(props);

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
        logGroup,
        ...(props.alationCaCertificatePath ? { alationCaCertificatePath: props.alationCaCertificatePath } : {}),
        ...(props.vpc ? { network: { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: this.function.connections.securityGroups } } : {}),
      });
    }
    this.alarms = { ...this.createAlarms(props), ...this.tokenCheck?.alarms };
    this.dashboard = buildDashboard(this, {
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      subscriptionDeadLetterQueues: this.subscribers.map((s) => s.deadLetterQueue),
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

  private createLogGroup(props: AlationJobWatchProps): logs.LogGroup {
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const encryptionKey = props.logGroupEncryptionKey === 'create' ? this.createLogKey() : props.logGroupEncryptionKey;
    const logGroup = new logs.LogGroup(this, 'FunctionLogs', { retention, encryptionKey });
    // RetentionDays.INFINITE is 9999; CT.CLOUDWATCH.PR.2 asks for a year or more.
    if (retention < logs.RetentionDays.ONE_YEAR) {
      acknowledgeControl(logGroup, 'CT.CLOUDWATCH.PR.2', `The log retention was set below one year (${retention} days) by logRetention; raise it to 365 or more in accounts that enforce the control.`);
    }
    if (!encryptionKey) {
      acknowledgeControl(
        logGroup,
        'CT.CLOUDWATCH.PR.3',
        'CloudWatch Logs encrypts every log group at rest with its own keys, and these logs never hold the token; a customer managed key adds $1 a month and KMS calls. Set logGroupEncryptionKey (context logGroupKmsKey=create or a key ARN) in accounts that enforce the control.',
      );
    }
    return logGroup;
  }

  /** A key CloudWatch Logs may use for this account's log groups in this region. */
  private createLogKey(): kms.Key {
    const key = new kms.Key(this, 'LogGroupKey', { description: 'alation-job-watch function logs', enableKeyRotation: true });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
    denyGrantsExceptForAwsServices(key);
    return key;
  }

  /**
   * The function's network: none (Lambda's own) or the given VPC, with the endpoints it
   * needs when asked for. Returns the function props to spread.
   */
  private network(props: AlationJobWatchProps, role: iam.IRole): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    const vpc = props.vpc;
    if (!vpc) return {};
    // Creating and deleting network interfaces; AWS's managed policy for exactly this.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'AWS maintains this policy for exactly this purpose (the network interfaces of a function in a VPC); its EC2 actions support no resource-level scoping.',
    });
    const vpcSubnets = props.vpcSubnets;
    const securityGroups = props.securityGroups
      ? [...props.securityGroups]
      : [
          new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
            vpc,
            description: 'alation-job-watch job-status function: outbound HTTPS to Alation and AWS endpoints',
            allowAllOutbound: true,
          }),
        ];
    if (props.vpcEndpoints) {
      // DynamoDB has a free gateway endpoint; the others need interface endpoints.
      vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
      const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
        Sns: ec2.InterfaceVpcEndpointAwsService.SNS,
        SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        // Active tracing: the X-Ray daemon in the execution environment sends over the function's network.
        XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
      };
      const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc,
        description: 'alation-job-watch VPC endpoints: HTTPS from the function',
        allowAllOutbound: false,
      });
      for (const group of securityGroups) endpointSecurityGroup.addIngressRule(group, ec2.Port.tcp(443), 'HTTPS from the job-status function');
      for (const [name, service] of Object.entries(services)) {
        vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          // The function's subnets (CDK takes one per AZ, as endpoints require).
          subnets: vpcSubnets,
          securityGroups: [endpointSecurityGroup],
          // Only the function's security groups may connect, not the whole VPC.
          open: false,
          privateDnsEnabled: true,
        });
      }
    }
    return { vpc, vpcSubnets, securityGroups };
  }

  private createTokenSecret(): secretsmanager.Secret {
    // No token in the template: CloudFormation generates a random placeholder,
    // which the operator replaces with put-secret-value (docs/deploying.md, "Put the Alation token in the secret").
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

  private createWatchStateKeySecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'WatchStateKeySecret', {
      description: 'alation-job-watch: key that seals the watch state in re-sent job messages (HMAC-SHA256). Read by the function only.',
      // 64 characters of letters and digits: about 380 bits, well over HMAC-SHA256's 256.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating means put-secret-value with a new random value; the function accepts seals made with AWSPREVIOUS, so no rotation Lambda is needed (docs/security.md).',
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
      WATCH_STATE_KEY_SECRET_ID: this.watchStateKeySecret.secretArn,
      JOB_QUEUE_URL: this.queue.queueUrl,
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      OUTCOME_TOPIC_ARN: this.topic.topicArn,
      IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
      DURATION_STATS_TABLE_NAME: this.durationTable.tableName,
      // The queue's redrive setting: the function dead-letters a record failing its last delivery with the reason.
      MAX_RECEIVE_COUNT: String(props.maxReceiveCount ?? DEFAULTS.maxReceiveCount),
    };
    for (const [name, value] of Object.entries(tunables)) {
      if (value !== undefined) environment[name] = String(value);
    }
    // Node reads this once, at process start, and trusts the file's certificates in addition
    // to its public roots (Lambda documents it for its Node.js runtimes). Nothing here or
    // anywhere else turns verification off.
    if (props.alationCaCertificatePath) environment.NODE_EXTRA_CA_CERTS = `${TASK_ROOT}/${ALATION_CA_FILE}`;
    if (props.watchFollowUps !== undefined) environment.WATCH_FOLLOW_UPS = String(props.watchFollowUps);
    if (props.followUpMaxDepth !== undefined) environment.FOLLOW_UP_MAX_DEPTH = String(props.followUpMaxDepth);
    const extraFinalStatuses = extraFinalStatusesEnv(props.extraFinalStatuses);
    if (extraFinalStatuses) environment.EXTRA_FINAL_STATUSES = extraFinalStatuses;
    return environment;
  }

  private grantFunction(): void {
    const fn = this.function;
    // GetSecretValue (and DescribeSecret) on these secrets only.
    this.tokenSecret.grantRead(fn);
    this.watchStateKeySecret.grantRead(fn);
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
    // One BatchGetItem per kind read, one UpdateItem (ADD) per sample; nothing else.
    this.durationTable.grant(fn, 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem');

    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; AWS requires "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
      });
    }
  }

  private subscribe(props: AlationJobWatchProps): SubscriberResources[] {
    const wanted = [
      ...(props.notifyEmails ?? []).map((e) => ({ ...normalise(e), protocol: sns.SubscriptionProtocol.EMAIL })),
      ...(props.webhookUrls ?? []).map((e) => ({ ...normalise(e), protocol: sns.SubscriptionProtocol.HTTPS })),
    ];
    if (wanted.length > 0) assertNoProblems(this.subscriptionDlqNameProblems(props));
    return wanted.map(({ endpoint, filter, protocol }) => {
      const key = subscriberKey(protocol, endpoint);
      const queueName = subscriptionDlqName(this.subscriptionDlqNamePrefix, key);
      claimQueueName(Stack.of(this), queueName, this.node.path);
      // One DLQ per subscription: it catches what SNS could not deliver after its retries (for
      // email too, which otherwise vanishes after 50 attempts), and it tells `replay` which
      // subscription a dead letter was meant for, whatever SNS writes into it.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
      // A fixed name (not one CloudFormation generates) so that an operator policy can name
      // every subscription DLQ by its prefix; see subscriptionDlqNamePrefix.
      const deadLetterQueue = new sqs.Queue(this, `SubscriptionDeadLetterQueue${key}`, { ...deadLetterQueueProps(), queueName });
      Validations.of(deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue of one SNS subscription of the outcome topic.',
      });
      const subscription = new sns.Subscription(this, `Subscription${key}`, {
        topic: this.topic,
        protocol,
        endpoint,
        deadLetterQueue,
        ...(protocol === sns.SubscriptionProtocol.HTTPS ? { deliveryPolicy: webhookDeliveryPolicy() } : {}),
      });
      // CDK's typed filter policy has no $or; the property takes the policy as JSON.
      (subscription.node.defaultChild as sns.CfnSubscription).filterPolicy = replayAwareFilterPolicy(filter, key);
      return { key, protocol, endpoint, deadLetterQueue };
    });
  }

  /** Problems with the default name prefix of the subscription DLQs, which depends on the stack name. */
  private subscriptionDlqNameProblems(props: AlationJobWatchProps): string[] {
    if (props.subscriptionDlqNamePrefix !== undefined) return [];
    const stackName = Stack.of(this).stackName;
    if (Token.isUnresolved(stackName)) {
      return ['the stack name is unknown at synth (a nested stack?), so the subscription dead-letter queues cannot be named after it: give subscriptionDlqNamePrefix'];
    }
    if (!SUBSCRIPTION_DLQ_NAME_PREFIX.test(this.subscriptionDlqNamePrefix)) {
      return [
        `the stack name ${JSON.stringify(stackName)} is too long to name the subscription dead-letter queues after it (SQS names have at most 80 characters: a stack name of at most 55): give subscriptionDlqNamePrefix`,
      ];
    }
    return [];
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
    denyGrantsExceptForAwsServices(key);
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
      alarmDescription: 'Job messages reached the DLQ: invalid job references or repeated failures. See docs/operating.md#alarms.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('OldestMessageAge', {
      alarmDescription: 'The oldest job message waits longer than any poll delay: the function is not keeping up or not consuming. See docs/operating.md#alarms.',
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: props.oldestMessageAgeAlarmSeconds ?? DEFAULTS.oldestMessageAgeAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Record failures are reported per item and do not count here: an error is a crash or a timeout of a whole invocation.
    add('FunctionErrors', {
      alarmDescription: 'Invocations of the job-status function failed as a whole (crash, timeout, init error). See docs/operating.md#alarms.',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('AlationAuthErrors', {
      alarmDescription: 'Alation rejected the token (401/403): the secret is missing, wrong or expired. See docs/operating.md#alarms.',
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
        alarmDescription: `More than ${ratePercent}% of the outcomes in one hour were ${status}. See docs/operating.md#alarms.`,
        metric: outcomeRate(status),
        threshold: ratePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (this.subscribers.length > 0) {
      // Counts every delivery SNS gave up on, before the message reaches a DLQ (or, with no
      // DLQ, is discarded): the earliest sign that a subscriber stopped receiving outcomes.
      add('OutcomeNotificationsFailed', {
        alarmDescription: 'SNS failed to deliver outcomes to a subscriber (email or webhook). See docs/operating.md#replay.',
        metric: this.topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const subscriber of this.subscribers) {
      add(`SubscriptionDeadLetterQueueNotEmpty${subscriber.key}`, {
        alarmDescription: `SNS could not deliver outcomes to the ${subscriber.protocol} subscriber ${subscriber.key} after its retries; replay them with alation-job-watch replay. See docs/operating.md#replay.`,
        metric: subscriber.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
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

/**
 * CT.KMS.PR.3: grants on a key only for AWS services acting on AWS resources. Nothing in this
 * stack creates grants; the statement keeps anyone from adding one later.
 */
function denyGrantsExceptForAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}

/** Fixed queue names already taken in each stack, and by which construct. */
const queueNamesByStack = new WeakMap<Stack, Map<string, string>>();

/**
 * Fails at synth, not at deploy, when two constructs in one stack would create the same named
 * queue (the same endpoint subscribed by two watches with the same name prefix).
 */
function claimQueueName(stack: Stack, name: string, path: string): void {
  const taken = queueNamesByStack.get(stack) ?? new Map<string, string>();
  queueNamesByStack.set(stack, taken);
  const owner = taken.get(name);
  if (owner !== undefined && owner !== path) {
    throw new AlationJobWatchConfigError([`${path} and ${owner} would both create the queue ${name}: give one of them another subscriptionDlqNamePrefix`]);
  }
  taken.set(name, path);
}
