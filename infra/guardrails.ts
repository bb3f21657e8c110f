import { Duration, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/**
 * AWS Control Tower proactive controls this stack is checked against, by control id, with the
 * cfn-guard rule name that `@cdklabs/cdk-validator-cfnguard` reports (and that an
 * acknowledgement names). Only the controls the stack ever acknowledges are listed.
 * https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html
 */
export const ControlTowerRule = {
  'CT.LAMBDA.PR.3': 'lambda_inside_vpc_check',
  'CT.CLOUDWATCH.PR.2': 'cloudwatch_log_group_retention_period_check',
  'CT.CLOUDWATCH.PR.3': 'cloudwatch_log_group_encrypted_check',
  'CT.DYNAMODB.PR.1': 'dynamodb_table_pitr_enabled_check',
} as const;
export type ControlTowerControl = keyof typeof ControlTowerRule;

/** The prefix CDK gives acknowledgements of the cfn-guard validation plugin's findings. */
export const CFN_GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Acknowledges a Control Tower control on one construct, with the reason, so that synthesis
 * with the cfn-guard plugin passes and the reason travels in the cloud assembly. An
 * acknowledgement is no exemption in an account that enforces the control: there the deploy
 * is still refused, and the prop named in the reason is the way out (docs/deploying.md).
 */
export function acknowledgeControl(scope: IConstruct, control: ControlTowerControl, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CFN_GUARD_PLUGIN}::${ControlTowerRule[control]}`, reason: `${control}: ${reason}` });
}

/**
 * Props every DynamoDB table of the stack starts from, so that each passes the Control Tower
 * table controls: encryption with a KMS key (CT.DYNAMODB.PR.2; the AWS managed key
 * `aws/dynamodb` costs nothing and needs no grant) and point-in-time recovery
 * (CT.DYNAMODB.PR.1; billed by table size, cents for this stack's small tables).
 *
 * @example new dynamodb.Table(this, 'Stats', { ...guardedTableProps(), partitionKey: ... })
 */
export function guardedTableProps(options: { pointInTimeRecovery?: boolean } = {}): Pick<dynamodb.TableProps, 'encryption' | 'pointInTimeRecoverySpecification' | 'billingMode'> {
  return {
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: options.pointInTimeRecovery ?? true },
  };
}

/**
 * Props of a dead-letter queue (of a queue or of SNS subscriptions): SSE, TLS only, the longest
 * retention, and an explicit `RedriveAllowPolicy`. CT.SQS.PR.1 wants every queue to have a DLQ
 * unless its redrive-allow policy marks it as a DLQ. `allowAll` is what SQS assumes when the
 * policy is absent, so stating it changes nothing at run time; `byQueue` naming the job queue
 * would be tighter, but the two queues would then reference each other (a cycle CloudFormation
 * refuses), and only queues of this account and region can name it as their DLQ anyway.
 */
export function deadLetterQueueProps(): Pick<sqs.QueueProps, 'encryption' | 'enforceSSL' | 'retentionPeriod' | 'redriveAllowPolicy'> {
  return {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  };
}
