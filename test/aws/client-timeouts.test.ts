import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CALL_WORST_MS, AWS_CLIENT_TIMEOUTS, awsClientConfig } from '../../shared/aws/client-timeouts';
import { startTestServer, type TestServer } from '../support/http-server';

let silent: TestServer;
beforeAll(async () => {
  silent = await startTestServer(() => undefined); // reads the request, never answers
});
afterAll(() => silent.close());

describe('the function’s AWS SDK clients', () => {
  it('give up on an endpoint that never answers within the worst call time, after one retry', async () => {
    const sqs = new SQSClient({
      ...awsClientConfig(),
      region: 'us-east-1',
      endpoint: silent.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const started = performance.now();

    const error = await sqs.send(new SendMessageCommand({ QueueUrl: `${silent.url}/000000000000/jobs`, MessageBody: '{}' })).catch((e: unknown) => e);

    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(silent.requests).toHaveLength(AWS_CLIENT_TIMEOUTS.maxAttempts);
    expect(elapsed).toBeGreaterThanOrEqual(AWS_CLIENT_TIMEOUTS.maxAttempts * AWS_CLIENT_TIMEOUTS.requestTimeoutMs - 50);
    expect(elapsed).toBeLessThanOrEqual(AWS_CALL_WORST_MS + 500);
    sqs.destroy();
  }, 15_000);
});
