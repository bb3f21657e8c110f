/**
 * Regression (attack 1): a producer message as large as the queue accepts (SQS's MaximumMessageSize, body and
 * attributes together; both queues share it) is invalid (over the 32 KiB contract limit), and
 * `deadLetter` (shared/aws/job-queue.ts) forwards the whole body *plus* the `reason` and
 * `sourceMessageId` attributes: larger than the DLQ accepts. SendMessage fails on every delivery,
 * so the message reaches the DLQ through the redrive policy — without its reason.
 *
 * Real fauxqs queues (1 MiB limit, attributes counted like SQS) and the real SQS job queue adapter.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSqsJobQueue } from '../../shared/aws/job-queue';
import { processRecord } from '../../shared/watch/process-record';
import { createHarness, sqsRecord } from '../support/record-harness';
import { localJobWatch } from '../cli/operator-helpers';

const local = localJobWatch('dlq-bigbody');

describe('a producer body as large as the queue accepts', () => {
  it('is dead-lettered with its reason on the first delivery', async () => {
    const sqs = local.aws.clients().sqs;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: local.resources.jobQueue.url, AttributeNames: ['MaximumMessageSize'] }));
    const max = Number(Attributes!.MaximumMessageSize);
    const body = `{"jobId": 1, "context": {"blob": "${'x'.repeat(max - 40)}"}}`.padEnd(max, ' ');
    await sqs.send(new SendMessageCommand({ QueueUrl: local.resources.jobQueue.url, MessageBody: body }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: local.resources.jobQueue.url, WaitTimeSeconds: 1 }));
    expect(Messages).toHaveLength(1);

    const h = createHarness(() => ({ status: 'successful', msg: null, result: null }));
    Object.assign(h.deps, { jobQueue: createSqsJobQueue({ sqs, jobQueueUrl: local.resources.jobQueue.url, deadLetterQueueUrl: local.resources.deadLetterQueue.url }) });
    const error = await processRecord(sqsRecord(Messages[0]!.Body!, Messages[0]!.MessageId!), h.deps).then(() => undefined, (e: Error) => e.message);
    expect(error).toBeUndefined();

    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: local.resources.deadLetterQueue.url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const dead = dlq.Messages?.[0];
    expect(dead?.MessageAttributes?.reason?.StringValue).toMatch(/bytes; the limit is 32768/);
    expect(dead?.MessageAttributes?.bodyTruncated?.StringValue).toMatch(new RegExp(`the body was ${max} bytes; the first \\d+ are kept`));
    const kept = dead!.Body!.replace(/\n\[cut by alation-job-watch: \d+ of \d+ bytes kept\]$/, '');
    expect(kept.length).toBeGreaterThan(max - 2048);
    expect(body.startsWith(kept)).toBe(true);
  }, 30_000);

  it('keeps a small body whole, without a bodyTruncated attribute', async () => {
    const sqs = local.aws.clients().sqs;
    const queue = createSqsJobQueue({ sqs, jobQueueUrl: local.resources.jobQueue.url, deadLetterQueueUrl: local.resources.deadLetterQueue.url });
    await queue.deadLetter('{"jobId": "x"}', 'invalid job reference: jobId: must be a number', 'm-small');
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: local.resources.deadLetterQueue.url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const dead = dlq.Messages?.find((m) => m.MessageAttributes?.sourceMessageId?.StringValue === 'm-small');
    expect(dead?.Body).toBe('{"jobId": "x"}');
    expect(dead?.MessageAttributes?.bodyTruncated).toBeUndefined();
  }, 30_000);
});
