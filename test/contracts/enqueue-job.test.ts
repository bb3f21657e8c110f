import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import { InvalidJobReferenceError } from '../../shared/errors';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs';

function recordingSqs() {
  const sent: SendMessageCommand[] = [];
  return {
    sent,
    send: async (command: SendMessageCommand) => {
      sent.push(command);
      return { MessageId: `m-${sent.length}` };
    },
  };
}

describe('enqueueJob', () => {
  it('sends the canonical body, with the name as the producer gave it, to the queue it is given', async () => {
    const sqs = recordingSqs();
    const enqueued = await enqueueJob(sqs as never, QUEUE_URL, { job_name: 'Lineage%231_x', kind: 'lineage', context: { u: 1 } });

    expect(enqueued.messageId).toBe('m-1');
    expect(sqs.sent[0]).toBeInstanceOf(SendMessageCommand);
    expect(sqs.sent[0]?.input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify({ version: 1, jobName: 'Lineage%231_x', kind: 'lineage', context: { u: 1 } }),
    });
    expect(enqueued.reference.job).toEqual({ name: 'Lineage#1_x' }); // decoded once, by the watcher
  });

  it('sends nothing when the reference is invalid', async () => {
    const sqs = recordingSqs();
    await expect(enqueueJob(sqs as never, QUEUE_URL, { jobId: -3 })).rejects.toThrow(
      'invalid job reference: jobId: must be a positive integer',
    );
    expect(sqs.sent).toHaveLength(0);
  });

  it("refuses a producer's attempt to set the watcher's state", async () => {
    const sqs = recordingSqs();
    const input = { jobId: 1, watch: { polls: 0 } } as never;
    await expect(enqueueJob(sqs as never, QUEUE_URL, input)).rejects.toBeInstanceOf(InvalidJobReferenceError);
    expect(sqs.sent).toHaveLength(0);
  });

  it('refuses a parent: only the watcher enqueues follow-ups', async () => {
    const sqs = recordingSqs();
    const input = { jobId: 70, parent: { job: { id: 7 }, notificationId: 'n', root: { id: 7 }, depth: 1 } } as never;
    await expect(enqueueJob(sqs as never, QUEUE_URL, input)).rejects.toThrow('invalid job reference: parent: is written by the watcher; producers leave it out');
    expect(sqs.sent).toHaveLength(0);
  });

  it("refuses a producer's seal, naming each watcher-owned field given", async () => {
    const sqs = recordingSqs();
    const input = { jobId: 1, watch: { polls: 0 }, seal: 'v1.abc' } as never;
    await expect(enqueueJob(sqs as never, QUEUE_URL, input)).rejects.toThrow(
      'invalid job reference: watch: is written by the watcher; producers leave it out; seal: is written by the watcher; producers leave it out',
    );
    expect(sqs.sent).toHaveLength(0);
  });

  it.each([
    ['a lone surrogate in jobName', { jobName: 'job\uD800x' }, 'jobName: must be well-formed text'],
    ['a lone surrogate in kind', { jobId: 1, kind: 'lin\uDC00' }, 'kind: must be well-formed text'],
    ['U+FFFE in a context value', { jobId: 1, context: { a: { b: ['ok', 'x\uFFFE'] } } }, 'context.a.b.1: must be well-formed text'],
    ['a lone surrogate in a context key', { jobId: 1, context: { ['k\uD800']: 1 } }, 'context.k\uFFFD: must be well-formed text' /* the path itself made sendable: it goes into the DLQ reason */],
  ])('refuses %s before any SDK call, naming the field', async (_what, input, problem) => {
    const sqs = recordingSqs();
    await expect(enqueueJob(sqs as never, QUEUE_URL, input as never)).rejects.toThrow(problem);
    expect(sqs.sent).toHaveLength(0);
  });
});
