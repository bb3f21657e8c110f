import { ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand, ListMessageMoveTasksCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
});
