import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { FUNCTION_ENV } from './support/function-env';

const env = (overrides: Record<string, string | undefined> = {}) => ({ ...FUNCTION_ENV, ...overrides });

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(env())).toEqual({
      alationBaseUrl: 'https://alation.example.com',
      tokenSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:alation-token',
      watchStateKeySecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watch-state-key',
      jobQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
      deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq',
      outcomeTopicArn: 'arn:aws:sns:us-east-1:123456789012:outcomes',
      idempotencyTableName: 'idempotency',
      durationStatsTableName: null,
      poll: { initialDelaySeconds: 2, maxDelaySeconds: 70, maxWatchSeconds: 86_400 },
      alationTimeoutMs: 10_000,
      recordConcurrency: 5,
      followUps: { enabled: true, maxDepth: 3 },
      extraFinalStatuses: new Map(),
      maxReceiveCount: null,
    });
  });

  it('reads the job queue\'s maxReceiveCount, 0 or empty meaning unknown, and names a bad value', () => {
    expect(loadConfig(env({ MAX_RECEIVE_COUNT: '5' })).maxReceiveCount).toBe(5);
    expect(loadConfig(env({ MAX_RECEIVE_COUNT: '0' })).maxReceiveCount).toBeNull();
    expect(loadConfig(env({ MAX_RECEIVE_COUNT: '' })).maxReceiveCount).toBeNull();
    expect(() => loadConfig(env({ MAX_RECEIVE_COUNT: 'five' }))).toThrow(/MAX_RECEIVE_COUNT/);
  });

  it('reads the tunables', () => {
    const config = loadConfig(
      env({ POLL_INITIAL_DELAY_SECONDS: '5', POLL_MAX_DELAY_SECONDS: '900', MAX_WATCH_SECONDS: '600', ALATION_TIMEOUT_MS: '2500', RECORD_CONCURRENCY: '' }),
    );
    expect(config.poll).toEqual({ initialDelaySeconds: 5, maxDelaySeconds: 900, maxWatchSeconds: 600 });
    expect(config.alationTimeoutMs).toBe(2500);
    expect(config.recordConcurrency).toBe(5);
  });

  it('turns learning on only when the duration table is named', () => {
    expect(loadConfig(env({ DURATION_STATS_TABLE_NAME: ' durations ' })).durationStatsTableName).toBe('durations');
    expect(loadConfig(env({ DURATION_STATS_TABLE_NAME: '' })).durationStatsTableName).toBeNull();
  });

  it('reads the follow-up switch, depth and extra final statuses', () => {
    const config = loadConfig(env({ WATCH_FOLLOW_UPS: 'FALSE', FOLLOW_UP_MAX_DEPTH: '1', EXTRA_FINAL_STATUSES: 'completed:successful' }));
    expect(config.followUps).toEqual({ enabled: false, maxDepth: 1 });
    expect([...config.extraFinalStatuses]).toEqual([['completed', 'successful']]);
  });

  it('fails the cold start on a bad follow-up switch, depth or status list, naming each', () => {
    expect(() => loadConfig(env({ WATCH_FOLLOW_UPS: 'yes', FOLLOW_UP_MAX_DEPTH: '9' }))).toThrow(
      /WATCH_FOLLOW_UPS: must be true or false; FOLLOW_UP_MAX_DEPTH: must be at most 3/,
    );
    expect(() => loadConfig(env({ EXTRA_FINAL_STATUSES: 'completed' }))).toThrow(
      'invalid configuration: EXTRA_FINAL_STATUSES: "completed" must be status:outcome, e.g. completed:successful',
    );
  });

  it('names every missing variable at once', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    try {
      loadConfig({ ALATION_BASE_URL: 'https://a.example' });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.field)).toEqual([
        'ALATION_TOKEN_SECRET_ID',
        'WATCH_STATE_KEY_SECRET_ID',
        'JOB_QUEUE_URL',
        'DEAD_LETTER_QUEUE_URL',
        'OUTCOME_TOPIC_ARN',
        'IDEMPOTENCY_TABLE_NAME',
      ]);
    }
  });

  it.each([
    [{ POLL_MAX_DELAY_SECONDS: '901' }, 'POLL_MAX_DELAY_SECONDS: must be at most 900'],
    [{ POLL_MAX_DELAY_SECONDS: 'soon' }, 'POLL_MAX_DELAY_SECONDS: must be a number'],
    [{ MAX_WATCH_SECONDS: '1.5' }, 'MAX_WATCH_SECONDS: must be a whole number'],
    [{ POLL_INITIAL_DELAY_SECONDS: '0' }, 'POLL_INITIAL_DELAY_SECONDS: must be at least 1'],
    [{ POLL_INITIAL_DELAY_SECONDS: '60', POLL_MAX_DELAY_SECONDS: '30' }, 'POLL_INITIAL_DELAY_SECONDS: must not exceed POLL_MAX_DELAY_SECONDS (30)'],
    [{ ALATION_BASE_URL: 'http://alation.example.com' }, 'ALATION_BASE_URL: must use https://'],
    [{ JOB_QUEUE_URL: '  ' }, 'JOB_QUEUE_URL: is required'],
  ])('rejects %j with the variable named', (overrides, message) => {
    expect(() => loadConfig(env(overrides))).toThrow(message);
  });
});
