import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { type AlationJobWatchStackProps, validateDeploymentReference, validateTokenSecretReference } from './job-watch-stack';
import type { OutcomeSubscriberInput } from './props';
import { assertNoProblems, validateAlationJobWatchProps } from './validate-props';
import { parseExtraFinalStatuses } from '../shared/watch/statuses';

/** Context keys holding numbers (from `cdk.json` as numbers, from `-c key=value` as strings). */
export const NUMBER_CONTEXT_KEYS = [
  'pollInitialDelaySeconds',
  'pollMaxDelaySeconds',
  'maxWatchSeconds',
  'alationTimeoutMs',
  'recordConcurrency',
  'followUpMaxDepth',
  'maxConcurrency',
  'batchSize',
  'maxBatchingWindowSeconds',
  'functionTimeoutSeconds',
  'memorySizeMb',
  'maxReceiveCount',
  'oldestMessageAgeAlarmSeconds',
  'outcomeAlarmRatePercent',
] as const;

/** Context keys holding strings. */
export const STRING_CONTEXT_KEYS = [
  'alationBaseUrl',
  'tokenSecretArn',
  'tokenSecretName',
  'tokenSecretKmsKeyArn',
  'vpcId',
  'alationCaCertificatePath',
  'permissionsBoundaryPolicy',
  'roleNamePrefix',
  'logGroupKmsKey',
  'subscriptionDlqNamePrefix',
] as const;

/** Context keys holding id lists: a JSON array, or a comma-separated list. */
export const ID_LIST_CONTEXT_KEYS = ['subnetIds', 'securityGroupIds'] as const;

/** Context keys holding booleans (`true`/`false`, from `-c key=value` as strings). */
export const BOOLEAN_CONTEXT_KEYS = ['vpcEndpoints', 'pointInTimeRecovery'] as const;

/** Context keys holding subscriber lists: a JSON array, or a comma-separated list of endpoints. */
export const LIST_CONTEXT_KEYS = ['notifyEmails', 'webhookUrls', 'alarmEmails'] as const;

// CloudWatch Logs accepts only these retention periods.
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Reads the stack props from CDK context (`cdk.json` or `-c key=value`) and
 * validates them; every problem, parse errors included, is reported in one error.
 *
 * @example npx cdk deploy -c alationBaseUrl=https://alation.example.com -c notifyEmails=ops@example.com
 */
export function stackPropsFromContext(node: Node): AlationJobWatchStackProps {
  const problems: string[] = [];
  const props: Mutable<Partial<AlationJobWatchStackProps>> = {};

  for (const key of STRING_CONTEXT_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === '') continue;
    if (typeof value === 'string') props[key] = value.trim();
    else problems.push(`context ${key} must be a string (got ${JSON.stringify(value)})`);
  }

  for (const key of NUMBER_CONTEXT_KEYS) {
    const value = parseNumber(node.tryGetContext(key));
    if (value === undefined) continue;
    if (Number.isNaN(value)) problems.push(`context ${key} must be a number (got ${JSON.stringify(node.tryGetContext(key))})`);
    else props[key] = value;
  }

  const watchFollowUps: unknown = node.tryGetContext('watchFollowUps');
  if (watchFollowUps === true || watchFollowUps === 'true') props.watchFollowUps = true;
  else if (watchFollowUps === false || watchFollowUps === 'false') props.watchFollowUps = false;
  else if (watchFollowUps !== undefined && watchFollowUps !== '') problems.push(`context watchFollowUps must be true or false (got ${JSON.stringify(watchFollowUps)})`);

  // `-c extraFinalStatuses=completed:successful,cancelled:failed`, as the function's variable spells it.
  const extraFinalStatuses: unknown = node.tryGetContext('extraFinalStatuses');
  if (typeof extraFinalStatuses === 'string' && extraFinalStatuses.trim() !== '') {
    const parsed = parseExtraFinalStatuses(extraFinalStatuses);
    problems.push(...parsed.problems.map((p) => `context extraFinalStatuses: ${p}`));
    props.extraFinalStatuses = Object.fromEntries(parsed.statuses);
  } else if (extraFinalStatuses !== undefined && extraFinalStatuses !== '') {
    problems.push(`context extraFinalStatuses must be a string such as completed:successful (got ${JSON.stringify(extraFinalStatuses)})`);
  }

  const retention = parseNumber(node.tryGetContext('logRetentionDays'));
  if (retention !== undefined) {
    if (RETENTION_DAYS.includes(retention)) props.logRetention = retention as logs.RetentionDays;
    else problems.push(`context logRetentionDays must be one of ${RETENTION_DAYS.join(', ')} (got ${JSON.stringify(node.tryGetContext('logRetentionDays'))})`);
  }

  for (const key of LIST_CONTEXT_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === '') continue;
    const list = parseList(value);
    if (list === undefined) {
      problems.push(`context ${key} must be a JSON array or a comma-separated list (got ${JSON.stringify(value)})`);
    } else if (key === 'alarmEmails') {
      const emails = list.filter((e): e is string => typeof e === 'string');
      if (emails.length !== list.length) problems.push('context alarmEmails must list email addresses only');
      props.alarmEmails = emails;
    } else {
      props[key] = list;
    }
  }

  for (const key of ID_LIST_CONTEXT_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === '') continue;
    const list = parseList(value);
    if (list === undefined || !list.every((e) => typeof e === 'string')) {
      problems.push(`context ${key} must be a JSON array or a comma-separated list of ids (got ${JSON.stringify(value)})`);
    } else {
      props[key] = list as string[];
    }
  }

  for (const key of BOOLEAN_CONTEXT_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === '') continue;
    if (value === true || value === 'true') props[key] = true;
    else if (value === false || value === 'false') props[key] = false;
    else problems.push(`context ${key} must be true or false (got ${JSON.stringify(value)})`);
  }

  const complete = { ...props, alationBaseUrl: props.alationBaseUrl ?? '' } as AlationJobWatchStackProps;
  assertNoProblems([
    ...problems,
    ...validateTokenSecretReference(complete),
    ...validateDeploymentReference(complete),
    ...validateAlationJobWatchProps(complete, { vpcGiven: complete.vpcId !== undefined }),
  ]);
  return complete;
}

function parseNumber(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function parseList(value: unknown): OutcomeSubscriberInput[] | undefined {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        return undefined;
      }
    } else {
      parsed = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  }
  if (!Array.isArray(parsed)) return undefined;
  const ok = parsed.every((e) => typeof e === 'string' || (typeof e === 'object' && e !== null && typeof e.endpoint === 'string'));
  return ok ? (parsed as OutcomeSubscriberInput[]) : undefined;
}
