import { DescribeStacksCommand, ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseAlationBaseUrl } from '../alation/base-url';
import { createAlationClient } from '../alation/client';
import { assessTokenLifetime } from '../alation/token-lifetime';
import { validateRefreshToken } from '../alation/token-validation';
import { parseTokenSecret, type TokenSecret } from '../aws/token-secret';
import { AlationError, AlationErrorClass, JobWatchError } from '../errors';
import { describeFilterPolicy } from './filter-policy-words';
import { StackOutput } from './stack-outputs';

/** ✓ pass, ! warn (healthy, but look), ✗ fail, ? could not check (permission, timeout, prerequisite). */
export const CheckStatus = { pass: 'pass', warn: 'warn', fail: 'fail', unknown: 'unknown' } as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** One line of the checklist. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was seen, one fact a line. Never a token. */
  readonly details: readonly string[];
  /** What to do about it, when something is wrong. */
  readonly fix?: string;
}

/** The clients doctor reads with: every call it makes is a read. */
export interface DoctorClients {
  readonly cloudFormation: Pick<CloudFormationClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly secretsManager: Pick<SecretsManagerClient, 'send'>;
  readonly cloudWatch: Pick<CloudWatchClient, 'send'>;
}

/** What the checks share; later checks read what earlier ones found. */
export interface DoctorContext {
  readonly stackName: string;
  readonly clients: DoctorClients;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly warnDays: number;
  /** Overrides the function's `ALATION_BASE_URL` (e.g. when Lambda cannot be read). */
  readonly alationUrl?: string | undefined;
  outputs?: Partial<Record<StackOutput, string>>;
  resources?: ReadonlyArray<{ type: string; physicalId: string }>;
  functionName?: string;
  functionEnv?: Readonly<Record<string, string>>;
  secret?: TokenSecret;
}

/** A check: given the context and a signal that fires at its timeout. */
export interface DoctorCheck {
  readonly id: string;
  readonly title: string;
  run(context: DoctorContext, signal: AbortSignal): Promise<Omit<CheckResult, 'id' | 'title'>>;
}

/** The id of a job no Alation has: the probe expects "no such job" for it. */
export const PROBE_JOB_ID = 2_147_483_647;

const ok = (details: string[]) => ({ status: CheckStatus.pass, details });
const unknown = (details: string[], fix?: string) => ({ status: CheckStatus.unknown, details, ...(fix ? { fix } : {}) });
const needs = (what: string) => unknown([`skipped: needs ${what}, which an earlier check could not read`]);

const stackCheck: DoctorCheck = {
  id: 'stack',
  title: 'Stack and its outputs',
  async run(context, signal) {
    const { Stacks = [] } = await context.clients.cloudFormation.send(new DescribeStacksCommand({ StackName: context.stackName }), { abortSignal: signal });
    const stack = Stacks[0];
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    context.outputs = outputs;
    const resources: Array<{ type: string; physicalId: string }> = [];
    let token: string | undefined;
    // Bounded: a stack has at most 500 resources, 100 a page.
    for (let page = 0; page < 10; page++) {
      const answer = await context.clients.cloudFormation.send(new ListStackResourcesCommand({ StackName: context.stackName, NextToken: token }), { abortSignal: signal });
      for (const r of answer.StackResourceSummaries ?? []) resources.push({ type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId ?? '' });
      token = answer.NextToken;
      if (!token) break;
    }
    context.resources = resources;
    const missing = Object.values(StackOutput).filter((name) => !outputs[name]);
    const details = [`${stack?.StackStatus ?? 'unknown status'}, ${resources.length} resources`];
    if (missing.length > 0) {
      return { status: CheckStatus.fail, details: [...details, `missing outputs: ${missing.join(', ')}`], fix: 'Deploy this version of the stack (cdk deploy): its outputs name the queues, topic and secret.' };
    }
    return ok(details);
  },
};

const functionCheck: DoctorCheck = {
  id: 'function',
  title: 'Job-status function',
  async run(context, signal) {
    if (!context.resources || !context.outputs) return needs('the stack');
    const candidates = context.resources.filter((r) => r.type === 'AWS::Lambda::Function').slice(0, 20);
    for (const candidate of candidates) {
      const config = await context.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: candidate.physicalId }), { abortSignal: signal });
      const env = config.Environment?.Variables ?? {};
      if (env.JOB_QUEUE_URL !== context.outputs[StackOutput.jobQueueUrl]) continue;
      context.functionName = config.FunctionName ?? candidate.physicalId;
      context.functionEnv = env;
      const details = [`${context.functionName}: ${config.Runtime ?? '?'}, timeout ${config.Timeout ?? '?'} s, ${config.MemorySize ?? '?'} MB, state ${config.State ?? '?'}, last update ${config.LastUpdateStatus ?? '?'}`];
      const missing = ['ALATION_BASE_URL', 'ALATION_TOKEN_SECRET_ID', 'OUTCOME_TOPIC_ARN', 'IDEMPOTENCY_TABLE_NAME'].filter((name) => !env[name]);
      if (config.State !== 'Active' || (config.LastUpdateStatus !== undefined && config.LastUpdateStatus !== 'Successful')) {
        return { status: CheckStatus.fail, details: [...details, config.StateReason ?? config.LastUpdateStatusReason ?? ''].filter(Boolean), fix: 'Look at the function in the Lambda console; redeploy the stack if its last update failed.' };
      }
      if (missing.length > 0) return { status: CheckStatus.fail, details: [...details, `environment lacks ${missing.join(', ')}`], fix: 'Redeploy the stack: the construct sets these variables.' };
      return ok([...details, `Alation: ${env.ALATION_BASE_URL}`]);
    }
    return { status: CheckStatus.fail, details: [`none of the stack's ${candidates.length} functions reads the job queue`], fix: 'Redeploy the stack.' };
  },
};

const mappingCheck: DoctorCheck = {
  id: 'event-source-mapping',
  title: 'Event source mapping (queue → function)',
  async run(context, signal) {
    if (!context.functionName || !context.outputs) return needs('the function');
    const { EventSourceMappings = [] } = await context.clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: context.functionName }), { abortSignal: signal });
    const mapping = EventSourceMappings.find((m) => m.EventSourceArn === context.outputs?.[StackOutput.jobQueueArn]);
    if (!mapping) return { status: CheckStatus.fail, details: ['no mapping from the job queue to the function'], fix: 'Redeploy the stack: without the mapping no job is ever checked.' };
    const reports = (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
    const details = [`${mapping.UUID}: ${mapping.State}, batch size ${mapping.BatchSize ?? '?'}, batching window ${mapping.MaximumBatchingWindowInSeconds ?? 0} s, ReportBatchItemFailures ${reports ? 'on' : 'off'}`];
    if (mapping.State !== 'Enabled') {
      return { status: CheckStatus.fail, details: [...details, 'jobs wait on the queue unchecked until it is enabled'], fix: `aws lambda update-event-source-mapping --uuid ${mapping.UUID} --enabled` };
    }
    if (!reports) {
      return { status: CheckStatus.fail, details: [...details, 'one failed record sends its whole batch back'], fix: `aws lambda update-event-source-mapping --uuid ${mapping.UUID} --function-response-types ReportBatchItemFailures (or redeploy)` };
    }
    return ok(details);
  },
};

const secretCheck: DoctorCheck = {
  id: 'secret',
  title: 'Token secret (its form; the value is never shown)',
  async run(context, signal) {
    const secretId = context.outputs?.[StackOutput.tokenSecretArn] ?? context.functionEnv?.ALATION_TOKEN_SECRET_ID;
    if (!secretId) return needs('the secret ARN');
    const { SecretString, VersionId } = await context.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
    let secret: TokenSecret;
    try {
      secret = parseTokenSecret(SecretString, secretId);
    } catch (error) {
      if (!(error instanceof JobWatchError)) throw error;
      return { status: CheckStatus.fail, details: [error.message], fix: `Put {"refreshToken": "...", "userId": N} in the secret: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string file://token.json` };
    }
    context.secret = secret;
    const version = `version ${VersionId ?? '?'}`;
    if (secret.kind === 'access') {
      return {
        status: CheckStatus.warn,
        details: [`holds a bare API access token (${version}); Alation's access tokens last 24 hours by default`],
        fix: 'Store a refresh token and its user id instead ({"refreshToken": "...", "userId": N}): the function mints access tokens from it for the refresh token\'s lifetime.',
      };
    }
    return ok([`holds a refresh token and user id ${secret.userId} (${version})`]);
  },
};

function alationBaseUrl(context: DoctorContext): string | undefined {
  const raw = context.alationUrl ?? context.functionEnv?.ALATION_BASE_URL;
  return raw === undefined ? undefined : parseAlationBaseUrl(raw, context.alationUrl !== undefined ? '--alation-url' : 'ALATION_BASE_URL');
}

const tokenCheck: DoctorCheck = {
  id: 'token',
  title: 'Alation accepts the token, and its expiry',
  async run(context, signal) {
    const baseUrl = alationBaseUrl(context);
    if (!context.secret || !baseUrl) return needs(!context.secret ? 'the secret' : 'the Alation URL (give --alation-url)');
    if (context.secret.kind === 'access') {
      return unknown(['Alation can only describe an access token given its user id, which a bare token secret lacks; see the job-status probe for whether it is accepted']);
    }
    try {
      const validation = await validateRefreshToken(context.secret.refreshToken, context.secret.userId, { baseUrl, timeoutMs: 10_000, fetch: context.fetch, signal });
      const lifetime = assessTokenLifetime(validation, context.now(), context.warnDays);
      const renew = `Create a new refresh token in Alation (${baseUrl}/account/auth) and put it in the secret.`;
      if (!lifetime.valid) return { status: CheckStatus.fail, details: [lifetime.summary], fix: renew };
      if (lifetime.needsAttention) return { status: CheckStatus.warn, details: [`${lifetime.summary}: fewer than ${context.warnDays} days left`], fix: renew };
      return ok([lifetime.summary]);
    } catch (error) {
      if (error instanceof AlationError && error.errorClass === AlationErrorClass.auth) {
        return { status: CheckStatus.fail, details: [error.message], fix: 'The secret\'s refresh token or user id is wrong, or the token was deleted: create a new one in Alation and put it in the secret.' };
      }
      throw error;
    }
  },
};

const probeCheck: DoctorCheck = {
  id: 'job-status-probe',
  title: `Job-status endpoint answers "no such job" for job ${PROBE_JOB_ID}`,
  async run(context, signal) {
    const baseUrl = alationBaseUrl(context);
    if (!context.secret || !baseUrl) return needs(!context.secret ? 'the secret' : 'the Alation URL (give --alation-url)');
    const fetchWithSignal: typeof fetch = (input, init) => context.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    const alation = createAlationClient({ baseUrl, timeoutMs: 10_000, fetch: fetchWithSignal });
    try {
      // A refresh-token secret is used as the function uses it: one access token is minted.
      const token = context.secret.kind === 'access' ? context.secret.token : await alation.createAccessToken(context.secret.refreshToken, context.secret.userId);
      const answer = await alation.getJobStatus({ id: PROBE_JOB_ID }, token);
      return { status: CheckStatus.warn, details: [`Alation answered "${answer.status.status}" for a job id no Alation should have; the token works`] };
    } catch (error) {
      if (!(error instanceof AlationError)) throw error;
      if (error.errorClass === AlationErrorClass.notFound) return ok([`HTTP ${error.httpStatus ?? '?'}: no such job, as expected; the token is accepted`]);
      if (error.errorClass === AlationErrorClass.auth) {
        return { status: CheckStatus.fail, details: [error.message], fix: 'Alation refuses the token: renew it in Alation and put it in the secret.' };
      }
      return { status: CheckStatus.fail, details: [error.message], fix: 'Alation is unreachable or failing from here: check its URL, the network path (VPC, proxy) and its health.' };
    }
  },
};

async function queueDepth(context: DoctorContext, url: string, signal: AbortSignal): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await context.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    { abortSignal: signal },
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** SQS has no API for a message's age: CloudWatch's ApproximateAgeOfOldestMessage over the last 15 minutes. */
async function oldestAge(context: DoctorContext, url: string, signal: AbortSignal): Promise<string> {
  const queueName = url.split('/').pop() ?? '';
  const end = context.now();
  try {
    const { MetricDataResults = [] } = await context.clients.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 15 * 60_000),
        EndTime: end,
        MetricDataQueries: [
          { Id: 'age', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueName }] }, Period: 60, Stat: 'Maximum' } },
        ],
      }),
      { abortSignal: signal },
    );
    const value = MetricDataResults[0]?.Values?.[0];
    return value === undefined ? 'oldest message age: no CloudWatch data in the last 15 minutes' : `oldest message ${Math.round(value)} s old`;
  } catch (error) {
    return `oldest message age: unknown (${(error as Error).name})`;
  }
}

const jobQueueCheck: DoctorCheck = {
  id: 'job-queue',
  title: 'Job queue depth',
  async run(context, signal) {
    const url = context.outputs?.[StackOutput.jobQueueUrl];
    if (!url) return needs('the job queue URL');
    const depth = await queueDepth(context, url, signal);
    return ok([`${depth.visible} waiting, ${depth.inFlight} being checked, ${depth.delayed} delayed until their next check`, await oldestAge(context, url, signal)]);
  },
};

const dlqCheck: DoctorCheck = {
  id: 'dead-letter-queue',
  title: 'Dead-letter queue is empty',
  async run(context, signal) {
    const url = context.outputs?.[StackOutput.deadLetterQueueUrl];
    if (!url) return needs('the DLQ URL');
    const depth = await queueDepth(context, url, signal);
    const total = depth.visible + depth.inFlight + depth.delayed;
    const details = [`${total} message${total === 1 ? '' : 's'}`, await oldestAge(context, url, signal)];
    if (total === 0) return ok(details);
    return {
      status: CheckStatus.fail,
      details,
      fix: `Read why they failed (each carries a reason attribute), fix the cause, then: alation-job-watch redrive --stack ${context.stackName}`,
    };
  },
};

const subscriptionsCheck: DoctorCheck = {
  id: 'subscriptions',
  title: 'Outcome topic subscriptions',
  async run(context, signal) {
    const topicArn = context.outputs?.[StackOutput.outcomeTopicArn];
    if (!topicArn) return needs('the topic ARN');
    const subscriptions: Array<{ arn: string; protocol: string; endpoint: string }> = [];
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const answer = await context.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }), { abortSignal: signal });
      for (const s of answer.Subscriptions ?? []) subscriptions.push({ arn: s.SubscriptionArn ?? '', protocol: s.Protocol ?? '?', endpoint: s.Endpoint ?? '?' });
      token = answer.NextToken;
      if (!token) break;
    }
    if (subscriptions.length === 0) return { status: CheckStatus.fail, details: ['nobody is subscribed: outcomes go nowhere'], fix: 'Subscribe an email, webhook or queue (construct props emails / webhookUrls, or aws sns subscribe).' };
    const details: string[] = [];
    const pending: string[] = [];
    for (const s of subscriptions) {
      // SNS lists an unconfirmed subscription with the ARN "PendingConfirmation".
      let isPending = s.arn === 'PendingConfirmation';
      let words = 'filter unknown (pending subscriptions cannot be read)';
      if (!isPending) {
        const { Attributes = {} } = await context.clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.arn }), { abortSignal: signal });
        isPending = Attributes.PendingConfirmation === 'true';
        words = describeFilterPolicy(Attributes.FilterPolicy, Attributes.FilterPolicyScope);
      }
      if (isPending) pending.push(`${s.protocol} ${s.endpoint}`);
      details.push(`${isPending ? 'PENDING' : 'confirmed'} ${s.protocol} ${s.endpoint}: ${words}`);
    }
    if (pending.length > 0) {
      return { status: CheckStatus.fail, details, fix: `Not confirmed, so they receive nothing: ${pending.join('; ')}. The owner must follow the link in the confirmation message (or re-subscribe to send a new one).` };
    }
    return ok(details);
  },
};

const alarmsCheck: DoctorCheck = {
  id: 'alarms',
  title: 'No alarm in ALARM',
  async run(context, signal) {
    if (!context.resources) return needs('the stack');
    const names = context.resources.filter((r) => r.type === 'AWS::CloudWatch::Alarm').map((r) => r.physicalId);
    if (names.length === 0) return ok(['the stack has no alarms']);
    const firing: string[] = [];
    for (let i = 0; i < names.length; i += 100) {
      const { MetricAlarms = [] } = await context.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), MaxRecords: 100 }), { abortSignal: signal });
      for (const alarm of MetricAlarms) if (alarm.StateValue === 'ALARM') firing.push(`${alarm.AlarmName}: ${alarm.StateReason ?? ''}`);
    }
    if (firing.length === 0) return ok([`${names.length} alarm${names.length === 1 ? '' : 's'}, none in ALARM`]);
    return { status: CheckStatus.fail, details: firing, fix: 'Each alarm\'s description says what it watches; see docs/operating.md.' };
  },
};

/** The checks, in the order they run (later ones read what earlier ones found). */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  stackCheck,
  functionCheck,
  mappingCheck,
  secretCheck,
  tokenCheck,
  probeCheck,
  jobQueueCheck,
  dlqCheck,
  subscriptionsCheck,
  alarmsCheck,
];

/** AWS error names that mean "this caller may not", not "this is broken". */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'AuthorizationErrorException', 'UnauthorizedOperation', 'KMSAccessDeniedException', 'InsufficientPrivilegesException']);

/**
 * Runs one check with a timeout. A missing permission, a timeout or an unexpected error
 * becomes that check's result (`unknown` or `fail`), never a crash of the whole run.
 */
export async function runCheck(check: DoctorCheck, context: DoctorContext, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'DoctorTimeout' }));
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([check.run(context, controller.signal), timeout]);
    return { id: check.id, title: check.title, ...result };
  } catch (error) {
    const name = (error as Error | null)?.name ?? 'Error';
    const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
    const base = { id: check.id, title: check.title };
    if (controller.signal.aborted || name === 'DoctorTimeout') {
      return { ...base, status: CheckStatus.unknown, details: [`timed out after ${timeoutMs} ms`], fix: 'Retry, or raise --timeout-seconds; check the network path to the endpoint.' };
    }
    if (DENIED.has(name) || status === 403) {
      return { ...base, status: CheckStatus.unknown, details: [`no permission (${name})`], fix: 'Grant the caller read access for this check (see docs/operating.md, "doctor needs").' };
    }
    if (name === 'ValidationError' && check.id === 'stack') {
      return { ...base, status: CheckStatus.fail, details: [(error as Error).message], fix: 'Check the stack name and region (AWS_REGION).' };
    }
    return { ...base, status: CheckStatus.fail, details: [`${name}: ${(error as Error).message}`] };
  } finally {
    clearTimeout(timer);
  }
}
