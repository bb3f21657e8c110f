import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, DockerImage, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_TOKEN_WARN_DAYS } from '../shared/alation/token-lifetime';
import { bundleJobStatus } from './bundling';
import { acknowledgeControl } from './guardrails';
import { alationMetric } from './function-metrics';
import { MetricName } from './metrics';

/** The token-check function of this repository. */
export const TOKEN_CHECK_ENTRY = fileURLToPath(new URL('../functions/token-check/handler.ts', import.meta.url));

/** Props of {@link TokenLifetimeCheck}. */
export interface TokenLifetimeCheckProps {
  /** The secret the job-status function reads. */
  readonly tokenSecret: secretsmanager.ISecret;
  /** Alation's base URL (`https://`), as the job-status function has it. */
  readonly alationBaseUrl: string;
  /** Where the two alarms (and their recoveries) go. @default - no alarm actions */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The `TokenExpiresSoon` alarm fires when fewer than this many days are left.
   * @default 14
   */
  readonly warnDays?: number;
  /** When the check runs. @default every day at 06:00 UTC */
  readonly schedule?: events.Schedule;
  /** @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /**
   * The log group to write to; `AlationJobWatch` passes its function's, so retention, KMS
   * key and their Control Tower acknowledgements are the same for both functions.
   * @default - a new log group kept one month
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Network of the job-status function (it reaches Alation the same way). Without `vpc`, the
   * CT.LAMBDA.PR.3 control is acknowledged for this function too.
   * @default - no VPC
   */
  readonly network?: Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>;
  /** @default TOKEN_CHECK_ENTRY */
  readonly entry?: string;
  /**
   * Alation's private CA (PEM), shipped in the asset and named by `NODE_EXTRA_CA_CERTS`, as for
   * the job-status function.
   * @default - the runtime's public CAs only
   */
  readonly alationCaCertificatePath?: string;
}

/** The CA file's name in the asset, and where Lambda unpacks it. */
const CA_FILE = 'alation-ca.pem';
const TASK_ROOT = '/var/task';

/**
 * The daily token check: a small function on an EventBridge schedule that asks Alation about the
 * secret's refresh token and emits `TokenValid` and `TokenDaysToExpiry`, and two alarms on them.
 *
 * A second function rather than a scheduled call of the job-status function: it needs only to
 * read the secret (no queue, topic or table rights), its event is not an SQS batch, and its
 * failures do not count as job-status errors.
 */
export class TokenLifetimeCheck extends Construct {
  public readonly function: lambda.Function;
  public readonly rule: events.Rule;
  /** `TokenInvalid` and `TokenExpiresSoon`. */
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: TokenLifetimeCheckProps) {
    super(scope, id);
    const warnDays = props.warnDays ?? DEFAULT_TOKEN_WARN_DAYS;
    if (!Number.isInteger(warnDays) || warnDays < 1 || warnDays > 365) {
      throw new Error(`tokenWarnDays must be an integer from 1 to 365 (got ${warnDays})`);
    }
    const entry = props.entry ?? TOKEN_CHECK_ENTRY;
    const caPath = props.alationCaCertificatePath;
    const caDigest = caPath ? createHash('sha256').update(readFileSync(caPath)).digest('hex') : undefined;
    const logGroup = props.logGroup ?? new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'alation-job-watch token check',
    });
    logGroup.grantWrite(role);

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(dirname(entry), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('dummy'),
          // The CA's digest keeps assets with different CAs apart (CDK caches by these options).
          command: ['bundleTokenCheck', basename(entry), ...(caDigest ? [caDigest] : [])],
          local: {
            tryBundle(outputDir) {
              bundleJobStatus({ entry, outdir: outputDir });
              if (caPath) copyFileSync(caPath, join(outputDir, CA_FILE));
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      role,
      description: 'Daily check of the Alation token: valid, and days to expiry',
      ...props.network,
      environment: {
        ALATION_BASE_URL: props.alationBaseUrl,
        ALATION_TOKEN_SECRET_ID: props.tokenSecret.secretFullArn ?? props.tokenSecret.secretArn,
        TOKEN_WARN_DAYS: String(warnDays),
        ...(caPath ? { NODE_EXTRA_CA_CERTS: `${TASK_ROOT}/${CA_FILE}` } : {}),
      },
    });
    props.tokenSecret.grantRead(this.function);
    if (!props.network?.vpc) {
      acknowledgeControl(this.function, 'CT.LAMBDA.PR.3', 'Like the job-status function, it reaches Alation over the internet unless a VPC is configured (give vpc to AlationJobWatch).');
    }
    const secretKey = props.tokenSecret.encryptionKey;
    if (secretKey) {
      // As for the job-status function: grantRead cannot always tell the key is in this account.
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'alation-job-watch: daily token check',
      schedule: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '6' }),
      // Alation briefly unreachable: EventBridge tries again before the day's datapoint is missed.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });

    const day = Duration.days(1);
    const alarms: Record<string, cloudwatch.Alarm> = {
      // Missing data breaches: no datapoint for a day means the check itself is not running or cannot reach Alation.
      TokenInvalid: new cloudwatch.Alarm(this, 'TokenInvalid', {
        alarmDescription: 'Alation does not accept the token in the secret (expired, revoked, unknown, or the secret is unreadable), or the daily check did not report. See docs/operating.md#token-lifetime-and-alarms.',
        metric: alationMetric(MetricName.TokenValid, {}, 'Minimum', day),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      // Missing data does not breach here: a bare access token secret reports no expiry.
      TokenExpiresSoon: new cloudwatch.Alarm(this, 'TokenExpiresSoon', {
        alarmDescription: `The Alation refresh token expires in fewer than ${warnDays} days: create a new one and put it in the secret. See docs/operating.md#token-lifetime-and-alarms.`,
        metric: alationMetric(MetricName.TokenDaysToExpiry, {}, 'Minimum', day),
        threshold: warnDays,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      for (const alarm of Object.values(alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
    this.alarms = alarms;
  }
}
