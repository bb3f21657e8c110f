import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CALL_WORST_MS, awsClientConfig } from '../../shared/aws/client-timeouts';
import { createBatchingJobQueue } from '../../shared/aws/job-queue';
import { jobRef } from '../support/factories';

/**
 * Found by an attacker's review: the batching job queue promises never to hang. An SQS endpoint that answers
 * `SendMessageBatch` headers at once and then drips the body (1 byte / 300 ms) keeps the
 * re-send pending for ever: @smithy/node-http-handler clears `requestTimeout` when the headers
 * arrive and nothing times the body. The time budget only reserves `effectMs` (3 ×
 * AWS_CALL_WORST_MS) for this send, so the record outlives the function timeout: Lambda kills
 * the invocation and the WHOLE batch is redelivered — including records whose outcomes were
 * already published (a second outcome for each) — the "cut mid-effect" the budget exists to stop.
 */
let server: Server;
let endpoint: string;
const open: ServerResponse[] = [];
const timers: NodeJS.Timeout[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.write('{"Successful":[{"Id":"0","MessageId":"m","MD5OfMessageBody":"');
    open.push(res);
    timers.push(setInterval(() => res.write('a'), 300));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const r of open) r.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the batching job queue against an SQS that drips its answer', () => {
  it('settles a re-send within the time the budget reserves for it', async () => {
    const sqs = new SQSClient({ ...awsClientConfig(), region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDATTACK', secretAccessKey: 'attack' } });
    const queue = createBatchingJobQueue({ sqs, jobQueueUrl: `${endpoint}/000000000000/jobs`, deadLetterQueueUrl: `${endpoint}/000000000000/dlq` });
    queue.recordStarted();
    const sent = queue.requeue(jobRef(), 5);
    queue.recordEnded();
    const outcome = await Promise.race([
      sent.then(() => 'settled', () => 'settled'),
      new Promise((resolve) => setTimeout(() => resolve('still pending'), AWS_CALL_WORST_MS + 1500)),
    ]);
    expect(outcome, `SendMessageBatch after ${AWS_CALL_WORST_MS + 1500} ms`).toBe('settled');
  }, 20_000);
});
