import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Token } from 'aws-cdk-lib';
import { OUTCOME_STATUSES } from './metrics';
import { SUBSCRIPTION_DLQ_NAME_PREFIX } from './subscriptions';
import type { AlationJobWatchProps, OutcomeSubscriberInput } from './props';
import { FUNCTION_DEFAULTS, MAX_SQS_DELAY_SECONDS } from '../shared/config';
import { MAX_FOLLOW_UP_DEPTH_LIMIT } from '../shared/contracts/follow-up';
import { parseExtraFinalStatuses } from '../shared/watch/statuses';

/** Defaults of the construct (the function's own defaults live in its config). */
export const DEFAULTS = {
  maxConcurrency: 2,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  functionTimeoutSeconds: 60,
  memorySizeMb: 256,
  maxReceiveCount: 5,
  oldestMessageAgeAlarmSeconds: 1800,
  outcomeAlarmRatePercent: 20,
} as const;


// SQS message timers are whole seconds in 0–900:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
const MAX_MESSAGE_TIMER_SECONDS = MAX_SQS_DELAY_SECONDS;

export { FUNCTION_DEFAULTS };

/** Thrown when construct props are invalid; lists every problem at once. */
export class AlationJobWatchConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid alation-job-watch configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AlationJobWatchConfigError';
  }
}

/** Throws one {@link AlationJobWatchConfigError} listing all problems, if any. */
export function assertNoProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new AlationJobWatchConfigError(problems);
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function checkInteger(
  problems: string[],
  name: string,
  value: number | undefined,
  min: number,
  max: number,
  hint = '',
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}${hint} (got ${show(value)})`);
  }
}

const isSet = (value: number | undefined): value is number =>
  value !== undefined && Number.isFinite(value) && !Token.isUnresolved(value);

/** Problems with an https URL, or undefined when it is fine. */
function httpsUrlProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `${name} is required: an https:// URL`;
  if (Token.isUnresolved(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} must be an https:// URL (got ${show(value)})`;
  }
  if (url.protocol !== 'https:') return `${name} must use https:// (got ${show(value)})`;
  return undefined;
}

// IAM role names: [\w+=,.@-], at most 64 characters; a prefix leaves room for a unique part.
const ROLE_NAME_PREFIX = /^[\w+=,.@-]{1,32}$/;

/**
 * Problems with the private CA file, or undefined: it must be readable, hold only
 * certificates (a private key there would be deployed with the function), and each must parse.
 */
export function caCertificateProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `alationCaCertificatePath ${show(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return `alationCaCertificatePath ${show(path)} holds a private key; give the CA certificate only`;
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return `alationCaCertificatePath ${show(path)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  for (const [i, block] of blocks.entries()) {
    try {
      const cert = new X509Certificate(block);
      if (!cert.ca) return `alationCaCertificatePath ${show(path)}: certificate ${i + 1} (${cert.subject.replace(/\n/g, ', ')}) is not a CA certificate`;
    } catch (error) {
      return `alationCaCertificatePath ${show(path)}: certificate ${i + 1} does not parse (${(error as Error).message})`;
    }
  }
  return undefined;
}

// Deliberately loose: SNS rejects what it cannot deliver; this catches typos such as a missing @.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function checkSubscribers(
  problems: string[],
  name: string,
  list: readonly OutcomeSubscriberInput[] | undefined,
  endpointProblem: (label: string, endpoint: unknown) => string | undefined,
): void {
  const seen = new Set<string>();
  (list ?? []).forEach((entry, i) => {
    const label = `${name}[${i}]`;
    const endpoint = typeof entry === 'string' ? entry : entry?.endpoint;
    const problem = endpointProblem(label, endpoint);
    if (problem) problems.push(problem);
    if (typeof endpoint === 'string') {
      if (seen.has(endpoint)) problems.push(`${label} repeats ${show(endpoint)}`);
      seen.add(endpoint);
    }
    const filter = typeof entry === 'string' ? undefined : entry?.filter;
    if (!filter) return;
    const unknown = (filter.statuses ?? []).filter((s) => !(OUTCOME_STATUSES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      problems.push(`${label}.filter.statuses has unknown ${show(unknown)}; use ${OUTCOME_STATUSES.join(', ')}`);
    }
    if (filter.statuses?.length === 0) problems.push(`${label}.filter.statuses is empty: it would match nothing`);
    if (filter.kinds?.length === 0) problems.push(`${label}.filter.kinds is empty: it would match nothing`);
  });
}

const emailProblem = (label: string, endpoint: unknown): string | undefined =>
  typeof endpoint === 'string' && (Token.isUnresolved(endpoint) || EMAIL.test(endpoint))
    ? undefined
    : `${label} must be an email address (got ${show(endpoint)})`;

/**
 * Every problem with the props, cross-field conflicts included, so that one
 * synth shows them all instead of one per attempt.
 */
export function validateAlationJobWatchProps(
  props: AlationJobWatchProps,
  /** The app stack gives the VPC by id and imports it after validating. */
  options: { vpcGiven?: boolean } = {},
): string[] {
  const vpcGiven = options.vpcGiven ?? props.vpc !== undefined;
  const problems: string[] = [];
  const baseUrlProblem = httpsUrlProblem('alationBaseUrl', props.alationBaseUrl);
  if (baseUrlProblem) problems.push(baseUrlProblem);

  // At least 1 s between checks: no hot loop against Alation.
  checkInteger(problems, 'pollInitialDelaySeconds', props.pollInitialDelaySeconds, 1, MAX_MESSAGE_TIMER_SECONDS, ' (SQS message timer)');
  checkInteger(problems, 'pollMaxDelaySeconds', props.pollMaxDelaySeconds, 1, MAX_MESSAGE_TIMER_SECONDS, ' (SQS message timer)');
  checkInteger(problems, 'maxWatchSeconds', props.maxWatchSeconds, 1, 14 * 86_400);
  checkInteger(problems, 'alationTimeoutMs', props.alationTimeoutMs, 100, 60_000);
  checkInteger(problems, 'recordConcurrency', props.recordConcurrency, 1, 100);
  checkInteger(problems, 'followUpMaxDepth', props.followUpMaxDepth, 1, MAX_FOLLOW_UP_DEPTH_LIMIT);
  // The function reads the same text at cold start: the same rules, found at synth instead.
  for (const problem of parseExtraFinalStatuses(extraFinalStatusesEnv(props.extraFinalStatuses)).problems) {
    problems.push(`extraFinalStatuses: ${problem}`);
  }
  checkInteger(problems, 'maxConcurrency', props.maxConcurrency, 2, 1000, ' (event source mapping limit)');
  checkInteger(problems, 'batchSize', props.batchSize, 1, 10_000);
  checkInteger(problems, 'maxBatchingWindowSeconds', props.maxBatchingWindowSeconds, 0, 300);
  checkInteger(problems, 'functionTimeoutSeconds', props.functionTimeoutSeconds, 1, 900);
  checkInteger(problems, 'memorySizeMb', props.memorySizeMb, 128, 10_240);
  checkInteger(problems, 'maxReceiveCount', props.maxReceiveCount, 5, 1000, ' (below 5, throttled batches reach the DLQ)');
  checkInteger(problems, 'oldestMessageAgeAlarmSeconds', props.oldestMessageAgeAlarmSeconds, 60, 1_209_600);
  if (
    props.outcomeAlarmRatePercent !== undefined &&
    !(props.outcomeAlarmRatePercent > 0 && props.outcomeAlarmRatePercent <= 100)
  ) {
    problems.push(`outcomeAlarmRatePercent must be above 0 and at most 100 (got ${show(props.outcomeAlarmRatePercent)})`);
  }

  const initialDelay = props.pollInitialDelaySeconds ?? FUNCTION_DEFAULTS.pollInitialDelaySeconds;
  const maxDelay = props.pollMaxDelaySeconds ?? FUNCTION_DEFAULTS.pollMaxDelaySeconds;
  if (isSet(initialDelay) && isSet(maxDelay) && initialDelay > maxDelay) {
    problems.push(
      `pollInitialDelaySeconds (${initialDelay}${props.pollInitialDelaySeconds === undefined ? ', the function default' : ''}) ` +
        `must not exceed pollMaxDelaySeconds (${maxDelay}${props.pollMaxDelaySeconds === undefined ? ', the function default' : ''})`,
    );
  }

  const functionTimeoutMs = (props.functionTimeoutSeconds ?? DEFAULTS.functionTimeoutSeconds) * 1000;
  const alationTimeoutMs = props.alationTimeoutMs ?? FUNCTION_DEFAULTS.alationTimeoutMs;
  if (isSet(functionTimeoutMs) && isSet(alationTimeoutMs) && alationTimeoutMs >= functionTimeoutMs) {
    problems.push(
      `alationTimeoutMs (${alationTimeoutMs}${props.alationTimeoutMs === undefined ? ', the function default' : ''}) ` +
        `must be below the function timeout (${functionTimeoutMs} ms), or the invocation dies before the request times out`,
    );
  }

  // AWS rule: "When you set BatchSize to a value greater than 10, you must set
  // MaximumBatchingWindowInSeconds to at least 1."
  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
  if (isSet(props.batchSize) && props.batchSize > 10 && !((props.maxBatchingWindowSeconds ?? 0) >= 1)) {
    problems.push(`batchSize ${props.batchSize} (> 10) needs maxBatchingWindowSeconds of at least 1`);
  }

  const ageThreshold = props.oldestMessageAgeAlarmSeconds ?? DEFAULTS.oldestMessageAgeAlarmSeconds;
  if (isSet(maxDelay) && isSet(ageThreshold) && ageThreshold <= maxDelay) {
    problems.push(
      `oldestMessageAgeAlarmSeconds (${ageThreshold}) must exceed the maximum poll delay (${maxDelay} s), ` +
        'or every healthy delayed re-check raises the alarm',
    );
  }

  if (props.runtime !== undefined) {
    const match = /^nodejs(\d+)\.x$/.exec(props.runtime.name);
    if (!match || Number(match[1]) < 22) {
      problems.push(`runtime must be Node.js 22 or newer, e.g. nodejs22.x (got ${show(props.runtime.name)})`);
    }
  }

  for (const key of ['vpcSubnets', 'securityGroups', 'vpcEndpoints'] as const) {
    if (props[key] !== undefined && props[key] !== false && !vpcGiven) problems.push(`${key} applies only with vpc`);
  }
  if (props.securityGroups !== undefined && props.securityGroups.length === 0) problems.push('securityGroups is empty; leave it out for a new group');
  if (props.roleNamePrefix !== undefined && !Token.isUnresolved(props.roleNamePrefix) && !ROLE_NAME_PREFIX.test(props.roleNamePrefix)) {
    problems.push(`roleNamePrefix must be 1 to 32 of the characters IAM allows in role names (letters, digits, +=,.@_-) (got ${show(props.roleNamePrefix)})`);
  }
  if (props.alationCaCertificatePath !== undefined) {
    const problem = caCertificateProblem(props.alationCaCertificatePath);
    if (problem) problems.push(problem);
  }

  if (props.subscriptionDlqNamePrefix !== undefined && !Token.isUnresolved(props.subscriptionDlqNamePrefix) && !SUBSCRIPTION_DLQ_NAME_PREFIX.test(props.subscriptionDlqNamePrefix)) {
    problems.push(
      `subscriptionDlqNamePrefix must be 1 to 64 letters, digits, - or _ (an SQS name of at most 80 characters with the 16-digit key) (got ${show(props.subscriptionDlqNamePrefix)})`,
    );
  }
  checkSubscribers(problems, 'notifyEmails', props.notifyEmails, emailProblem);
  checkSubscribers(problems, 'webhookUrls', props.webhookUrls, httpsUrlProblem);
  checkSubscribers(problems, 'alarmEmails', props.alarmEmails, emailProblem);
  return problems;
}

/** `extraFinalStatuses` as the function's `EXTRA_FINAL_STATUSES` spells it (`completed:successful,…`). */
export function extraFinalStatusesEnv(statuses: AlationJobWatchProps['extraFinalStatuses']): string | undefined {
  if (statuses === undefined) return undefined;
  return Object.entries(statuses)
    .map(([status, outcome]) => `${status}:${outcome}`)
    .join(',');
}
