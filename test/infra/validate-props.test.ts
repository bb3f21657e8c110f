import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { AlationJobWatch } from '../../infra/alation-job-watch';
import { AlationJobWatchStack } from '../../infra/job-watch-stack';
import type { AlationJobWatchProps } from '../../infra/props';
import { AlationJobWatchConfigError, validateAlationJobWatchProps } from '../../infra/validate-props';
import { fastApp, watchProps } from './helpers';

const problemsOf = (overrides: Partial<AlationJobWatchProps>): string[] =>
  validateAlationJobWatchProps(watchProps(overrides));

/** The error a construct throws, or fails the test. */
function constructError(props: AlationJobWatchProps): AlationJobWatchConfigError {
  try {
    new AlationJobWatch(new Stack(fastApp(), 'Host'), 'Watch', props);
  } catch (error) {
    expect(error).toBeInstanceOf(AlationJobWatchConfigError);
    return error as AlationJobWatchConfigError;
  }
  throw new Error('expected the construct to throw');
}

describe('validateAlationJobWatchProps', () => {
  it('accepts the minimal props', () => {
    expect(problemsOf({})).toEqual([]);
  });

  it.each([
    [undefined, 'alationBaseUrl is required: an https:// URL'],
    ['', 'alationBaseUrl is required: an https:// URL'],
    ['http://alation.example.com', 'alationBaseUrl must use https:// (got "http://alation.example.com")'],
    ['alation.example.com', 'alationBaseUrl must be an https:// URL (got "alation.example.com")'],
  ])('rejects the base URL %j', (alationBaseUrl, problem) => {
    expect(validateAlationJobWatchProps({ alationBaseUrl } as unknown as AlationJobWatchProps)).toEqual([problem]);
  });

  it('reports every conflict in one error from the construct', () => {
    const error = constructError(
      watchProps({
        alationBaseUrl: 'http://alation.example.com',
        pollInitialDelaySeconds: 600,
        pollMaxDelaySeconds: 120,
        functionTimeoutSeconds: 5,
        batchSize: 100,
        maxConcurrency: 1,
        maxReceiveCount: 3,
        oldestMessageAgeAlarmSeconds: 100,
        notifyEmails: ['not-an-email', { endpoint: 'a@example.com', filter: { statuses: ['failed', 'exploded' as never] } }],
        webhookUrls: ['http://hooks.example.com', 'https://h.example.com', 'https://h.example.com'],
        runtime: lambda.Runtime.NODEJS_20_X,
      }),
    );

    expect(error.problems).toEqual([
      'alationBaseUrl must use https:// (got "http://alation.example.com")',
      'maxConcurrency must be an integer from 2 to 1000 (event source mapping limit) (got 1)',
      'maxReceiveCount must be an integer from 5 to 1000 (below 5, throttled batches reach the DLQ) (got 3)',
      'pollInitialDelaySeconds (600) must not exceed pollMaxDelaySeconds (120)',
      'alationTimeoutMs (10000, the function default) must be below the function timeout (5000 ms), or the invocation dies before the request times out',
      'batchSize 100 (> 10) needs maxBatchingWindowSeconds of at least 1',
      'oldestMessageAgeAlarmSeconds (100) must exceed the maximum poll delay (120 s), or every healthy delayed re-check raises the alarm',
      'runtime must be Node.js 22 or newer, e.g. nodejs22.x (got "nodejs20.x")',
      'notifyEmails[0] must be an email address (got "not-an-email")',
      'notifyEmails[1].filter.statuses has unknown ["exploded"]; use successful, partially_successful, failed, timed_out, not_found',
      'webhookUrls[0] must use https:// (got "http://hooks.example.com")',
      'webhookUrls[2] repeats "https://h.example.com"',
    ]);
    expect(error.message.split('\n')[0]).toBe('Invalid alation-job-watch configuration:');
    expect(error.message).toContain('\n  - maxConcurrency must be an integer from 2 to 1000');
  });

  it.each<[string, Partial<AlationJobWatchProps>, string]>([
    ['a fractional delay', { pollInitialDelaySeconds: 1.5 }, 'pollInitialDelaySeconds must be an integer from 1 to 900 (SQS message timer) (got 1.5)'],
    ['a max delay above the SQS timer limit', { pollMaxDelaySeconds: 901, oldestMessageAgeAlarmSeconds: 2000 }, 'pollMaxDelaySeconds must be an integer from 1 to 900 (SQS message timer) (got 901)'],
    ['an initial delay above the function default max', { pollInitialDelaySeconds: 400 }, 'pollInitialDelaySeconds (400) must not exceed pollMaxDelaySeconds (70, the function default)'],
    ['a watch over 14 days', { maxWatchSeconds: 15 * 86_400 }, 'maxWatchSeconds must be an integer from 1 to 1209600 (got 1296000)'],
    ['an Alation timeout at the function timeout', { alationTimeoutMs: 60_000 }, 'alationTimeoutMs (60000) must be below the function timeout (60000 ms), or the invocation dies before the request times out'],
    ['a batching window over 300 s', { maxBatchingWindowSeconds: 301 }, 'maxBatchingWindowSeconds must be an integer from 0 to 300 (got 301)'],
    ['a function timeout over 15 minutes', { functionTimeoutSeconds: 901 }, 'functionTimeoutSeconds must be an integer from 1 to 900 (got 901)'],
    ['a rate of 0 percent', { outcomeAlarmRatePercent: 0 }, 'outcomeAlarmRatePercent must be above 0 and at most 100 (got 0)'],
    ['an empty status filter', { notifyEmails: [{ endpoint: 'a@example.com', filter: { statuses: [] } }] }, 'notifyEmails[0].filter.statuses is empty: it would match nothing'],
    ['a bad alarm email', { alarmEmails: ['ops'] }, 'alarmEmails[0] must be an email address (got "ops")'],
  ])('rejects %s', (_name, overrides, problem) => {
    expect(problemsOf(overrides)).toEqual([problem]);
  });

  it('refuses extra final statuses the function would refuse at cold start, and a depth out of range', () => {
    const problems = problemsOf({ followUpMaxDepth: 6, extraFinalStatuses: { running: 'failed' } });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining('followUpMaxDepth'), 'extraFinalStatuses: "running:failed": running is already known (not finished)']),
    );
  });

  it('refuses a subscription DLQ name prefix SQS would refuse, or one leaving no room for the 16-digit key', () => {
    const problem = (prefix: string) =>
      `subscriptionDlqNamePrefix must be 1 to 64 letters, digits, - or _ (an SQS name of at most 80 characters with the 16-digit key) (got ${JSON.stringify(prefix)})`;

    expect(problemsOf({ subscriptionDlqNamePrefix: 'prod/sub-' })).toEqual([problem('prod/sub-')]);
    expect(problemsOf({ subscriptionDlqNamePrefix: 'p'.repeat(65) })).toEqual([problem('p'.repeat(65))]);
    expect(problemsOf({ subscriptionDlqNamePrefix: 'p'.repeat(64) })).toEqual([]);
  });

  it('accepts a batch size above 10 with a batching window', () => {
    expect(problemsOf({ batchSize: 100, maxBatchingWindowSeconds: 5 })).toEqual([]);
  });
});

describe('AlationJobWatchStack validation', () => {
  it('reports secret-reference conflicts together with construct problems', () => {
    const build = () =>
      new AlationJobWatchStack(fastApp(), 'S', {
        ...watchProps({ alationBaseUrl: 'ftp://x' }),
        tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:token',
        tokenSecretName: 'token',
      });

    expect(build).toThrow(AlationJobWatchConfigError);
    try {
      build();
    } catch (error) {
      expect((error as AlationJobWatchConfigError).problems).toEqual([
        'give only one of tokenSecretArn, tokenSecretName',
        'tokenSecretArn must be a complete secret ARN, ending in -XXXXXX (got "arn:aws:secretsmanager:eu-west-1:111122223333:secret:token"); or use tokenSecretName',
        'alationBaseUrl must use https:// (got "ftp://x")',
      ]);
    }
  });

  it('rejects a KMS key without an existing secret', () => {
    expect(
      () => new AlationJobWatchStack(fastApp(), 'S', { ...watchProps(), tokenSecretKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k' }),
    ).toThrow('tokenSecretKmsKeyArn applies only to an existing secret (tokenSecretArn or tokenSecretName)');
  });
});
