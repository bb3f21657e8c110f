import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../infra/context';
import { AlationJobWatchConfigError } from '../../infra/validate-props';
import { BASE_URL, fastApp } from './helpers';

const fromContext = (context: Record<string, unknown>) => stackPropsFromContext(fastApp(context).node);

function problemsFrom(context: Record<string, unknown>): readonly string[] {
  try {
    fromContext(context);
  } catch (error) {
    expect(error).toBeInstanceOf(AlationJobWatchConfigError);
    return (error as AlationJobWatchConfigError).problems;
  }
  throw new Error('expected a configuration error');
}

describe('stackPropsFromContext', () => {
  it('reads -c strings: numbers, comma lists and JSON subscriber lists', () => {
    const props = fromContext({
      alationBaseUrl: BASE_URL,
      tokenSecretName: 'alation/token',
      notifyEmails: 'a@example.com, b@example.com',
      webhookUrls: '[{"endpoint":"https://hooks.example.com/x","filter":{"statuses":["failed"]}}]',
      alarmEmails: 'ops@example.com',
      pollMaxDelaySeconds: '600',
      maxConcurrency: '5',
      batchSize: '20',
      maxBatchingWindowSeconds: '10',
      logRetentionDays: '90',
      subscriptionDlqNamePrefix: 'ajw-prod-sub-',
    });

    expect(props).toEqual({
      alationBaseUrl: BASE_URL,
      tokenSecretName: 'alation/token',
      notifyEmails: ['a@example.com', 'b@example.com'],
      webhookUrls: [{ endpoint: 'https://hooks.example.com/x', filter: { statuses: ['failed'] } }],
      alarmEmails: ['ops@example.com'],
      pollMaxDelaySeconds: 600,
      maxConcurrency: 5,
      batchSize: 20,
      maxBatchingWindowSeconds: 10,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      subscriptionDlqNamePrefix: 'ajw-prod-sub-',
    });
  });

  it('reads the follow-up switch, depth and extra final statuses', () => {
    const props = fromContext({ alationBaseUrl: BASE_URL, watchFollowUps: 'false', followUpMaxDepth: '2', extraFinalStatuses: 'completed:successful' });
    expect(props).toMatchObject({ watchFollowUps: false, followUpMaxDepth: 2, extraFinalStatuses: { completed: 'successful' } });
    expect(problemsFrom({ alationBaseUrl: BASE_URL, watchFollowUps: 'maybe', extraFinalStatuses: 'completed' })).toEqual([
      'context watchFollowUps must be true or false (got "maybe")',
      'context extraFinalStatuses: "completed" must be status:outcome, e.g. completed:successful',
    ]);
  });

  it('reads cdk.json values as they are', () => {
    const props = fromContext({ alationBaseUrl: BASE_URL, notifyEmails: [{ endpoint: 'a@example.com', filter: { hasErrors: true } }], maxWatchSeconds: 3600 });

    expect(props).toEqual({ alationBaseUrl: BASE_URL, notifyEmails: [{ endpoint: 'a@example.com', filter: { hasErrors: true } }], maxWatchSeconds: 3600 });
  });

  it('explains a missing base URL', () => {
    expect(problemsFrom({})).toEqual(['alationBaseUrl is required: an https:// URL']);
  });

  it('reports parse errors and validation problems in one error', () => {
    expect(
      problemsFrom({
        alationBaseUrl: 'http://alation.example.com',
        maxConcurrency: 'lots',
        logRetentionDays: '10',
        webhookUrls: '[not json',
        tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:t-AbC123',
        tokenSecretName: 't',
      }),
    ).toEqual([
      'context maxConcurrency must be a number (got "lots")',
      'context logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got "10")',
      'context webhookUrls must be a JSON array or a comma-separated list (got "[not json")',
      'give only one of tokenSecretArn, tokenSecretName',
      'alationBaseUrl must use https:// (got "http://alation.example.com")',
    ]);
  });
});
