import { DeleteMessageBatchCommand, SendMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand, ListMessageMoveTasksCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { redrive, redriveCommand } from '../../shared/cli/redrive';
import { localJobWatch, runCommand, stackWithOutputs } from './operator-helpers';

const local = localJobWatch('redrive');

async function deadLetter(...bodies: string[]) {
  for (const body of bodies) {
    await local.aws.clients().sqs.send(
      new SendMessageCommand({ QueueUrl: local.resources.deadLetterQueue.url, MessageBody: body, MessageAttributes: { reason: { DataType: 'String', StringValue: `bad ${body}` } } }),
    );
  }
}

async function drain(queueUrl: string) {
  const { Messages = [] } = await local.aws.clients().sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }),
  );
  return Messages.map((m) => [m.Body, m.MessageAttributes?.reason?.StringValue]).sort();
}

describe('alation-job-watch redrive', () => {
  it('falls back to receive/send/delete on fauxqs, says so, and moves every message with its attributes', async () => {
    await deadLetter('{"jobId": 1}', '{"jobId": 2}');

    const run = await runCommand(
      (io, set) => redriveCommand({ ...io, sqs: () => local.aws.clients().sqs, cloudFormation: () => stackWithOutputs({ DeadLetterQueueUrl: local.resources.deadLetterQueue.url, JobQueueUrl: local.resources.jobQueue.url }) }, set),
      ['--stack', 'AlationJobWatch', '--json'],
    );

    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      schema: 'alation.job-redrive/v1',
      path: 'receive-send-delete',
      from: local.resources.deadLetterQueue.url,
      to: local.resources.jobQueue.url,
      moved: 2,
      failed: [],
      taskHandle: null,
      taskStatus: null,
      fallbackReason: 'the endpoint does not support StartMessageMoveTask (InvalidAction)',
    });
    expect(await drain(local.resources.jobQueue.url)).toEqual([['{"jobId": 1}', 'bad {"jobId": 1}'], ['{"jobId": 2}', 'bad {"jobId": 2}']]);
    expect(await drain(local.resources.deadLetterQueue.url)).toEqual([]);
  });

  it('moves at most --max-messages and prints a readable report', async () => {
    await deadLetter('a', 'b', 'c');

    const run = await runCommand((io, set) => redriveCommand({ ...io, sqs: () => local.aws.clients().sqs }, set), [
      '--dlq-url', local.resources.deadLetterQueue.url, '--queue-url', local.resources.jobQueue.url, '--max-messages', '2',
    ]);

    expect(run.code).toBe(0);
    expect(run.out).toBe(`Redrive moved 2 messages from ${local.resources.deadLetterQueue.url} to ${local.resources.jobQueue.url}\nby receive/send/delete, because --max-messages given (a move task cannot be capped at a count)\n`);
    expect(await drain(local.resources.jobQueue.url)).toHaveLength(2);
    expect(await drain(local.resources.deadLetterQueue.url)).toHaveLength(1);
  });

  it('uses an SQS message move task where the endpoint has one, and reports what SQS moved', async () => {
    const sent: unknown[] = [];
    const sqs = {
      send: async (command: { input: unknown }) => {
        sent.push(command);
        if (command instanceof GetQueueAttributesCommand) return { Attributes: { QueueArn: `arn:${(command.input as { QueueUrl: string }).QueueUrl}` } };
        if (command instanceof StartMessageMoveTaskCommand) return { TaskHandle: 'task-1' };
        if (command instanceof ListMessageMoveTasksCommand) return { Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 7 }] };
        throw new Error('unexpected command');
      },
    } as unknown as SQSClient;

    const report = await redrive(sqs, { from: 'dlq', to: 'jobs', wait: true, pollIntervalMs: 1 });

    expect(report).toMatchObject({ path: 'message-move-task', moved: 7, taskHandle: 'task-1', taskStatus: 'COMPLETED', fallbackReason: null });
    expect(sent.find((c) => c instanceof StartMessageMoveTaskCommand)).toMatchObject({ input: { SourceArn: 'arn:dlq', DestinationArn: 'arn:jobs' } });
  });

  it('refuses to run without both queues or a stack', async () => {
    const run = await runCommand((io, set) => redriveCommand({ ...io, sqs: () => local.aws.clients().sqs }, set), ['--dlq-url', 'x']);

    expect(run.code).toBe(2);
    expect(run.err).toBe('error: give --stack, or both --dlq-url and --queue-url\n');
  });

  it('sends bodies near 32 KiB one by one when the endpoint refuses the batch as too long, and counts every one', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => JSON.stringify({ jobId: i + 1, context: { pad: 'x'.repeat(32 * 1024 - 60) } }));
    await deadLetter(...bodies);
    // An endpoint with the old 256 KiB batch limit: ten 32 KiB bodies are over it.
    const calls: string[] = [];
    const sqs = wrapSqs((command, next) => {
      calls.push(command.constructor.name);
      if (command instanceof SendMessageBatchCommand) {
        const total = (command.input.Entries ?? []).reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0);
        if (total > 262_144) throw Object.assign(new Error('Batch requests cannot be longer than 262144 bytes.'), { name: 'BatchRequestTooLong' });
      }
      return next(command);
    });

    const report = await redrive(sqs, { from: local.resources.deadLetterQueue.url, to: local.resources.jobQueue.url, wait: true, pollIntervalMs: 1 });

    expect(report).toMatchObject({ path: 'receive-send-delete', moved: 10, failed: [] });
    expect(calls.filter((c) => c === 'SendMessageCommand')).toHaveLength(10);
    expect((await drainAll(local.resources.jobQueue.url)).sort()).toEqual([...bodies].sort());
    expect(await drainAll(local.resources.deadLetterQueue.url)).toEqual([]);
  });

  it('splits large bodies into batches within the payload limit on fauxqs (1 MiB), moving them intact', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i, pad: 'y'.repeat(200 * 1024) }));
    await deadLetter(...bodies);
    const batches: number[] = [];
    const sqs = wrapSqs((command, next) => {
      if (command instanceof SendMessageBatchCommand) batches.push((command.input.Entries ?? []).reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? '') + 100, 0));
      return next(command);
    });

    const report = await redrive(sqs, { from: local.resources.deadLetterQueue.url, to: local.resources.jobQueue.url, wait: true, pollIntervalMs: 1 });

    expect(report).toMatchObject({ moved: 12, failed: [] });
    expect(batches.length).toBeGreaterThan(0);
    expect(Math.max(...batches)).toBeLessThanOrEqual(1_048_576);
    expect((await drainAll(local.resources.jobQueue.url)).sort()).toEqual([...bodies].sort());
  });

  it('reports messages whose delete failed, does not count them as moved, and exits non-zero', async () => {
    await deadLetter('{"jobId": 31}', '{"jobId": 32}', '{"jobId": 33}');
    const inFlightBefore = await inFlight(local.resources.deadLetterQueue.url);
    // The delete of the first entry of each batch is refused.
    const sqs = wrapSqs(async (command, next) => {
      if (!(command instanceof DeleteMessageBatchCommand)) return next(command);
      const [refused, ...rest] = command.input.Entries ?? [];
      const result = rest.length > 0 ? ((await next(new DeleteMessageBatchCommand({ ...command.input, Entries: rest }))) as { Successful?: unknown[] }) : { Successful: [] };
      return { Successful: result.Successful, Failed: [{ Id: refused!.Id, Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'injected' }] };
    });

    const run = await runCommand((io, set) => redriveCommand({ ...io, sqs: () => sqs }, set), [
      '--dlq-url', local.resources.deadLetterQueue.url, '--queue-url', local.resources.jobQueue.url, '--json',
    ]);

    const report = JSON.parse(run.out) as { moved: number; failed: { stage: string; reason: string }[] };
    expect(run.code).toBe(1);
    expect(report.moved).toBe(2);
    expect(report.failed).toEqual([expect.objectContaining({ stage: 'delete', reason: 'ReceiptHandleIsInvalid: injected' })]);
    expect(await drainAll(local.resources.jobQueue.url)).toHaveLength(3); // all three were sent
    // The undeleted one is still on the DLQ (received, so in flight until its visibility timeout): not lost.
    expect(await inFlight(local.resources.deadLetterQueue.url)).toBe(inFlightBefore + 1);
  });

  it('reports every message of a page as not deleted when DeleteMessageBatch fails as a whole', async () => {
    await deadLetter('{"jobId": 41}', '{"jobId": 42}');
    const sqs = wrapSqs((command, next) => {
      if (command instanceof DeleteMessageBatchCommand) throw Object.assign(new Error('injected outage'), { name: 'ServiceUnavailable' });
      return next(command);
    });

    const run = await runCommand((io, set) => redriveCommand({ ...io, sqs: () => sqs }, set), [
      '--dlq-url', local.resources.deadLetterQueue.url, '--queue-url', local.resources.jobQueue.url,
    ]);

    expect(run.code).toBe(1);
    expect(run.out).toContain('Redrive moved 0 messages');
    expect(run.out.match(/sent but not deleted from the DLQ \(a later redrive sends it again\): .* \(ServiceUnavailable: injected outage\)/g)).toHaveLength(2);
    await drainAll(local.resources.jobQueue.url);
  });
});

/** The local SQS client with a hook in front of every call. */
function wrapSqs(hook: (command: { input: Record<string, unknown> } & object, next: (command: object) => Promise<unknown>) => unknown): SQSClient {
  const real = local.aws.clients().sqs;
  return { send: async (command: never) => hook(command, (c) => real.send(c as never)) } as unknown as SQSClient;
}

/** Messages received and not yet deleted (invisible until their visibility timeout). */
async function inFlight(queueUrl: string): Promise<number> {
  const { Attributes } = await local.aws.clients().sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Every body on a queue (received for a minute, so each is seen once). */
async function drainAll(queueUrl: string, waitSeconds = 1): Promise<string[]> {
  // (waitSeconds: long polling per receive)
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await local.aws.clients().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
  }
}
