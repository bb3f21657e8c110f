import { describe, expect, it } from 'vitest';
import { WatchStateKeyError } from '../../shared/errors';
import { processRecord } from '../../shared/watch/process-record';
import { referenceNameExample, statusResponse } from '../support/alation-responses';
import { createHarness, DLQ_URL, JOB_QUEUE_URL, sealedBody, sqsRecord, START } from '../support/record-harness';

const NAME = 'MetadataExtraction#1_2017-10-05-19-36-45';

describe('processRecord', () => {
  it('checks a new job and re-sends it with the first delay and its watch state, sealed', async () => {
    const h = createHarness(() => statusResponse('running'));
    await processRecord(sqsRecord({ jobName: NAME, kind: 'lineage' }), h.deps);

    expect(h.alationRequests).toEqual([
      { url: 'https://alation.example.com/api/v1/bulk_metadata/job/?name=MetadataExtraction%231_2017-10-05-19-36-45', token: 'token-v1' },
    ]);
    expect(h.sent).toEqual([
      {
        QueueUrl: JOB_QUEUE_URL,
        DelaySeconds: 1,
        MessageBody: sealedBody({
          version: 1,
          jobName: NAME,
          kind: 'lineage',
          watch: { polls: 1, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 },
        }),
      },
    ]);
    expect(JSON.parse(h.sent[0]!.MessageBody!).seal).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(h.published).toEqual([]);
    expect(h.counters).toMatchObject({ check: [0], requeued: [1] });
  });

  it('publishes the outcome of a finished job and sends nothing to SQS', async () => {
    const h = createHarness(() => referenceNameExample());
    await processRecord(sqsRecord({ jobName: NAME }), h.deps);

    expect(h.sent).toEqual([]);
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ job: { name: NAME }, status: 'successful', polls: 1, hasErrors: true });
    expect(h.counters.outcome).toEqual(['successful']);
  });

  it('ends quietly when another poll chain already published the job', async () => {
    const h = createHarness(() => statusResponse('failed'));
    h.publishResult = { published: false, messageId: 'sns-earlier' };
    await processRecord(sqsRecord({ jobId: 5 }), h.deps);

    expect(h.counters.duplicateSuppressed).toEqual([1]);
    expect(h.counters.outcome).toBeUndefined();
    expect(h.logs.at(-1)).toMatchObject({ level: 'warn', keys: { job: 'id:5' } });
  });

  it('sends an invalid body to the DLQ with the reason, and does not call Alation', async () => {
    const h = createHarness(() => statusResponse('running'));
    await processRecord(sqsRecord({ jobId: -4 }, 'bad-1'), h.deps);

    expect(h.alationRequests).toEqual([]);
    expect(h.sent).toEqual([
      {
        QueueUrl: DLQ_URL,
        MessageBody: '{"jobId":-4}',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'invalid job reference: jobId: must be a positive integer (a number, or a string of digits)' },
          sourceMessageId: { DataType: 'String', StringValue: 'bad-1' },
        },
      },
    ]);
    expect(h.counters.invalidMessage).toEqual([1]);
    expect(h.logs[0]).toMatchObject({ level: 'error', keys: { messageId: 'bad-1' } });
  });

  it('throws (so the record is retried) when the dead-letter send fails', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.failNextSend = new Error('SQS is down');
    await expect(processRecord(sqsRecord('not json'), h.deps)).rejects.toThrow('SQS is down');
  });

  it('throws (so the record is retried) when the re-send fails', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.failNextSend = new Error('throttled');
    await expect(processRecord(sqsRecord({ jobId: 1 }), h.deps)).rejects.toThrow('throttled');
    expect(h.counters.requeued).toBeUndefined();
  });

  it('throws (so the record is retried) when the publish fails', async () => {
    const h = createHarness(() => statusResponse('successful'));
    h.publishResult = new Error('SNS unavailable');
    await expect(processRecord(sqsRecord({ jobId: 1 }), h.deps)).rejects.toThrow('SNS unavailable');
  });

  it('re-reads the secret once and retries once when Alation refuses the token', async () => {
    const h = createHarness((_url, token) =>
      token === 'token-v2' ? statusResponse('successful') : { httpStatus: 401, body: { detail: 'Authentication failed' } },
    );
    await processRecord(sqsRecord({ jobId: 9 }, 'a'), h.deps); // reads token-v1 → 401 → re-read (still v1) → 401
    h.secretValue = 'token-v2';
    await processRecord(sqsRecord({ jobId: 9 }, 'b'), h.deps); // cached v1 → 401 → re-read v2 → 200

    expect(h.alationRequests.map((r) => r.token)).toEqual(['token-v1', 'token-v1', 'token-v1', 'token-v2']);
    expect(h.secretReads).toBe(3);
    expect(h.sent[0]).toMatchObject({ QueueUrl: JOB_QUEUE_URL, DelaySeconds: 60 });
    expect(JSON.parse(h.sent[0]?.MessageBody ?? '').watch.lastError.errorClass).toBe('auth');
    expect(h.published).toHaveLength(1);
  });

  it('re-sends a job after a retryable Alation failure, honouring Retry-After', async () => {
    const h = createHarness(() => ({ httpStatus: 429, body: { detail: 'slow down' }, headers: { 'Retry-After': '30' } }));
    await processRecord(sqsRecord({ jobId: 2 }), h.deps);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.DelaySeconds).toBe(30);
    expect(h.counters.alationError).toEqual(['rate_limited']);
  });

  it('re-sends a job whose token secret is broken, naming the secret but not its value', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.secretValue = '{"tokn": "abc"}';
    await processRecord(sqsRecord({ jobId: 3 }), h.deps);
    const watch = JSON.parse(h.sent[0]?.MessageBody ?? '').watch;
    expect(watch.lastError).toEqual({
      errorClass: 'token_secret',
      message: 'token secret alation-token is JSON without "token" or "refreshToken" (keys: tokn)',
    });
    expect(h.alationRequests).toEqual([]);
  });

  it('publishes timed_out at the deadline', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.clock = new Date(START.getTime() + 3600_000);
    const watch = { polls: 20, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 };
    await processRecord(sqsRecord(sealedBody({ jobId: 4, watch })), h.deps);
    expect(h.published[0]).toMatchObject({ status: 'timed_out', polls: 21 });
    expect(h.sent).toEqual([]);
  });

  it('never writes the token into logs or messages', async () => {
    const h = createHarness(() => ({ httpStatus: 401, body: { detail: 'token token-v1 rejected' } }));
    await processRecord(sqsRecord({ jobId: 11 }), h.deps);
    const everything = JSON.stringify({ logs: h.logs, sent: h.sent, published: h.published });
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain('token-v1');
  });

  it('ignores a watch state no seal vouches for: the job counts as a first sighting, with a warning and a metric', async () => {
    const h = createHarness(() => statusResponse('running'));
    const forged = { polls: 20, firstSeenAt: '1990-01-01T00:00:00.000Z', lastStatus: 'running', lastError: null, notFoundChecks: 4 };
    await processRecord(sqsRecord({ jobId: 4, watch: forged }), h.deps);

    expect(h.published).toEqual([]);
    const resent = JSON.parse(h.sent[0]!.MessageBody!);
    expect(resent.watch).toEqual({ polls: 1, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 });
    expect(h.counters.forgedWatchState).toEqual([1]);
    expect(h.logs.find((l) => l.level === 'warn')).toMatchObject({
      message: 'watch state not sealed by this watcher: ignored, the job counts as a first sighting',
      extra: { seal: 'absent', ignoredFields: ['watch'] },
    });
  });

  it('ignores a watch state sealed with a key the function does not hold', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.clock = new Date(START.getTime() + 3600_000);
    const watch = { polls: 20, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 };
    await processRecord(sqsRecord(sealedBody({ jobId: 4, watch }, Buffer.from('an-attackers-guess-at-the-key-0123456789'))), h.deps);
    expect(h.published).toEqual([]);
    expect(JSON.parse(h.sent[0]!.MessageBody!).watch.polls).toBe(1);
    expect(h.logs.find((l) => l.level === 'warn')?.extra).toMatchObject({ seal: 'does not verify' });
  });

  it('throws (so the record is retried) when the watch-state key cannot be read, and checks nothing', async () => {
    const h = createHarness(() => statusResponse('running'));
    h.keys.current = new WatchStateKeyError('could not read watch-state key secret k (AWSCURRENT: ThrottlingException)');
    const watch = { polls: 2, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 };
    await expect(processRecord(sqsRecord(sealedBody({ jobId: 4, watch })), h.deps)).rejects.toThrow(WatchStateKeyError);
    expect(h.alationRequests).toEqual([]);
    expect(h.counters.forgedWatchState).toBeUndefined();
  });

  it('re-seals with the current key a watch state sealed with the previous one', async () => {
    const h = createHarness(() => statusResponse('running'));
    const previous = Buffer.from('previous-watch-state-key-0123456789abcd');
    h.keys.previous = previous;
    const watch = { polls: 2, firstSeenAt: START.toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0 };
    await processRecord(sqsRecord(sealedBody({ jobId: 4, watch }, previous)), h.deps);
    const resent = JSON.parse(h.sent[0]!.MessageBody!);
    expect(resent.watch.polls).toBe(3);
    expect(h.sent[0]!.MessageBody).toBe(sealedBody({ jobId: 4, watch: resent.watch }));
  });
});
