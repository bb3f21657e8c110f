import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { enqueueCommand } from '../../shared/cli/enqueue';
import { localJobWatch, runCommand, stackWithOutputs } from './operator-helpers';

const local = localJobWatch('enqueue');

const enqueue = (args: string[], cloudFormation = stackWithOutputs({})) =>
  runCommand((io, setExitCode) => enqueueCommand({ ...io, sqs: () => local.aws.clients().sqs, cloudFormation: () => cloudFormation }, setExitCode), args);

async function receiveOne() {
  const { Messages = [] } = await local.aws.clients().sqs.send(new ReceiveMessageCommand({ QueueUrl: local.resources.jobQueue.url, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
  return Messages.map((m) => JSON.parse(m.Body ?? ''));
}

describe('alation-job-watch enqueue', () => {
  it('sends the canonical job reference for a name, kind and context, and prints it with --json', async () => {
    const run = await enqueue(['--name', 'MetadataExtraction%231_2017', '--kind', 'lineage', '--context', '{"uploadId":"u-1"}', '--queue-url', local.resources.jobQueue.url, '--json']);

    expect(run.code).toBe(0);
    // The body keeps the name as given (the watcher decodes it once); the report shows it decoded.
    const sent = { version: 1, jobName: 'MetadataExtraction%231_2017', kind: 'lineage', context: { uploadId: 'u-1' } };
    expect(await receiveOne()).toEqual([sent]);
    expect(JSON.parse(run.out)).toMatchObject({
      schema: 'alation.job-enqueue/v1',
      queueUrl: local.resources.jobQueue.url,
      reference: { ...sent, jobName: 'MetadataExtraction#1_2017' },
      messageId: expect.any(String),
    });
  });

  it('reads the queue URL from the stack outputs given --stack', async () => {
    const cloudFormation = stackWithOutputs({ JobQueueUrl: local.resources.jobQueue.url });

    const run = await enqueue(['--id', '42', '--stack', 'AlationJobWatch'], cloudFormation);

    expect(run.code).toBe(0);
    expect(cloudFormation.sent[0]).toBeInstanceOf(DescribeStacksCommand);
    expect(cloudFormation.sent[0]?.input).toEqual({ StackName: 'AlationJobWatch' });
    expect(run.out).toBe(`Enqueued job #42 on ${local.resources.jobQueue.url}\nmessage id ${run.out.split('message id ')[1]}`);
    expect(await receiveOne()).toEqual([{ version: 1, jobId: 42 }]);
  });

  it.each([
    [['--id', 'abc', '--queue-url', 'q'], 'invalid job reference: jobId'],
    [['--id', '1', '--context', '[1]', '--queue-url', 'q'], '--context: must be a JSON object'],
    [['--id', '1'], 'give --queue-url or --stack'],
    [['--queue-url', 'q'], 'give --id or --name'],
    [['--id', '1', '--stack', 'Other'], 'has no output JobQueueUrl'],
  ])('refuses %j with exit code 2 and sends nothing', async (args, message) => {
    const run = await enqueue(args);

    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(await receiveOne()).toEqual([]);
  });
});
