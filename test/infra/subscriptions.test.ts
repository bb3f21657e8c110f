import { describe, expect, it } from 'vitest';
import { MAX_HTTPS_RETRY_SECONDS, WEBHOOK_RETRY, replayAwareFilterPolicy, subscriberKey, webhookDeliveryPolicy, worstCaseRetrySeconds } from '../../infra/subscriptions';

describe('webhook delivery policy', () => {
  it('stays within SNS limit of 3,600 s of retries even counting every backoff delay at the maximum', () => {
    expect(worstCaseRetrySeconds()).toBe(3320);
    expect(worstCaseRetrySeconds()).toBeLessThanOrEqual(MAX_HTTPS_RETRY_SECONDS);
  });

  it('counts its retries as the sum of its phases', () => {
    const r = WEBHOOK_RETRY;

    expect(webhookDeliveryPolicy().healthyRetryPolicy?.numRetries).toBe(r.numNoDelayRetries + r.numMinDelayRetries + r.numBackoffRetries + r.numMaxDelayRetries);
  });
});

describe('replay targets', () => {
  it('gives each protocol and endpoint its own stable 16-digit key', () => {
    expect(subscriberKey('https', 'https://a')).toBe(subscriberKey('https', 'https://a'));
    expect(subscriberKey('https', 'https://a')).not.toBe(subscriberKey('https', 'https://b'));
    expect(subscriberKey('email', 'x@example.com')).not.toBe(subscriberKey('https', 'x@example.com'));
    expect(subscriberKey('email', 'x@example.com')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('admits normal outcomes through the subscriber filter, and replays only by key', () => {
    expect(replayAwareFilterPolicy({ statuses: ['failed'], hasErrors: false }, 'k')).toEqual({
      $or: [{ status: ['failed'], hasErrors: ['false'], replayTo: [{ exists: false }] }, { replayTo: ['k'] }],
    });
  });
});
