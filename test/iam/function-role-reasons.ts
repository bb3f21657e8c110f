/**
 * Why the job-status function role holds actions that no recorded call uses. Each row names
 * the action and the resource (its logical id without CDK's hash, or `*`). The least-privilege
 * test fails on a grant with no row here, and on a row that no longer matches an unused grant,
 * so the list stays exactly as long as it must.
 *
 * To add one: run `npx vitest run test/iam/function-role.test.ts`, read the "granted but never
 * used" list, and either remove the grant from `infra/` or add a row saying who uses it.
 */
import type { GrantReason } from './support/evaluate';

const ESM = "Lambda's event source mapping polls the job queue with the function's role (Lambda developer guide, SQS event source: execution role permissions); the handler never calls it, and the local mapping runner is not Lambda";
const CDK_SEND = "granted with sqs:SendMessage by CDK's grantSendMessages; unused by the function (it sends to URLs from its environment). Read-only queue metadata; removing it means replacing the CDK grant with an explicit statement in infra/";

export const FUNCTION_GRANT_REASONS: readonly GrantReason[] = [
  { action: 'logs:CreateLogStream', on: 'AlationJobWatchFunctionLogs', reason: "Lambda writes the function's stdout to its log group with the role; the code never calls CloudWatch Logs" },
  { action: 'logs:PutLogEvents', on: 'AlationJobWatchFunctionLogs', reason: "Lambda writes the function's stdout to its log group with the role; the code never calls CloudWatch Logs" },
  { action: 'xray:PutTraceSegments', on: '*', reason: 'active tracing (TracingConfig: Active): Lambda sends the trace segments with the role; X-Ray has no resource-level permissions' },
  { action: 'xray:PutTelemetryRecords', on: '*', reason: 'active tracing (TracingConfig: Active): Lambda sends the telemetry with the role; X-Ray has no resource-level permissions' },
  { action: 'sqs:ReceiveMessage', on: 'AlationJobWatchJobQueue', reason: ESM },
  { action: 'sqs:DeleteMessage', on: 'AlationJobWatchJobQueue', reason: ESM },
  { action: 'sqs:ChangeMessageVisibility', on: 'AlationJobWatchJobQueue', reason: ESM },
  { action: 'sqs:GetQueueAttributes', on: 'AlationJobWatchJobQueue', reason: `${ESM}; also part of CDK's grantSendMessages` },
  { action: 'sqs:GetQueueUrl', on: 'AlationJobWatchJobQueue', reason: `part of CDK's grantConsumeMessages and grantSendMessages; ${CDK_SEND}` },
  { action: 'sqs:GetQueueAttributes', on: 'AlationJobWatchDeadLetterQueue', reason: CDK_SEND },
  { action: 'sqs:GetQueueUrl', on: 'AlationJobWatchDeadLetterQueue', reason: CDK_SEND },
  { action: 'secretsmanager:DescribeSecret', on: 'AlationJobWatchTokenSecret', reason: "granted with GetSecretValue by CDK's grantRead; the function only reads the value (Powertools getSecret calls GetSecretValue alone)" },
  { action: 'secretsmanager:DescribeSecret', on: 'AlationJobWatchWatchStateKeySecret', reason: "granted with GetSecretValue by CDK's grantRead; the function only reads the key that seals the watch state" },
];
