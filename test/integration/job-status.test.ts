/**
 * The real handler as the stack deploys it (functions/job-status/handler.ts bundled by
 * `bundleJobStatus`: minified, code-split, the publish path in a chunk loaded on the first
 * outcome), with the real AWS SDK, against in-process SQS/SNS (fauxqs), DynamoDB
 * (dynalite), Secrets Manager and the Alation simulator, fed by the local event source mapping.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import type { Outcome } from '../../shared/contracts/outcome';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, toOutcomes } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { bundleDeployedHandler, type BundledHandler } from '../support/bundled-handler';

let sim: AlationSimulator;
let watch: LocalJobWatch;
let bundled: BundledHandler;
const logLines: string[] = [];

const JOBS = [
  { id: 101, durationMs: 0, preset: 'counts', expected: 'successful' },
  { id: 102, durationMs: 1500, preset: 'qli', expected: 'successful' },
  { id: 103, durationMs: 500, preset: 'failed', expected: 'failed' },
  { id: 104, durationMs: 2500, preset: 'partiallySuccessful', expected: 'partially_successful' },
  { id: 105, name: 'MetadataExtraction#1_2017-10-05-19-36-45', durationMs: 5000, preset: 'countsWithErrors', expected: 'successful' },
  { id: 106, name: 'bulk_api_job_2017-09-10', durationMs: 0, preset: 'failed', expected: 'failed' },
  { id: 107, durationMs: 60_000, preset: 'neverFinishes', expected: 'timed_out' },
] as const;
const UNKNOWN_JOB = 99_999;

beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  bundled = bundleDeployedHandler();
  sim = await startAlationSimulator({ jobs: JOBS.map(({ expected: _e, ...job }) => job) });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: sim.accessToken,
    tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '2', MAX_WATCH_SECONDS: '10' },
    subscribers: [{ name: 'failures-only', filterPolicy: { status: ['failed'] }, rawMessageDelivery: true }],
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: 3,
    functionTimeoutMs: 5000,
    handler: (env) => bundled.load(env),
  });
}, 30_000);

afterAll(async () => {
  await watch?.stop();
  await sim?.stop();
  vi.restoreAllMocks();
  bundled?.remove();
});

describe('the job-status handler, end to end on local endpoints', () => {
  let outcomes: Outcome[];

  it('publishes exactly one outcome per job, with the expected status', async () => {
    const { sqs } = watch.aws.clients();
    for (const job of JOBS) {
      await enqueueJob(sqs, watch.resources.jobQueue.url, 'name' in job ? { jobName: job.name, kind: 'lineage' } : { jobId: job.id, kind: 'qli' });
    }
    await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: UNKNOWN_JOB });
    await sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: '{"jobId": "abc"}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: 'not json' }));

    const expectedCount = JOBS.length + 1;
    const received = await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= expectedCount, timeoutMs: 25_000 });
    // Anything still to come would be a duplicate: give it the time of a few more polls.
    received.push(...(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 3000 })));
    outcomes = toOutcomes(received);

    const byJob = new Map<string, string[]>();
    for (const o of outcomes) byJob.set(jobKey(o.job), [...(byJob.get(jobKey(o.job)) ?? []), o.status]);
    const expected = new Map<string, string[]>(JOBS.map((j) => [jobKey('name' in j ? { name: j.name } : { id: j.id }), [j.expected]]));
    expected.set(jobKey({ id: UNKNOWN_JOB }), ['not_found']);
    expect(Object.fromEntries(byJob)).toEqual(Object.fromEntries(expected));
  }, 40_000);

  it('parses results into the outcome', () => {
    const named = outcomes.find((o) => 'name' in o.job && o.job.name === 'MetadataExtraction#1_2017-10-05-19-36-45');
    expect(named).toMatchObject({ kind: 'lineage', hasErrors: true, result: { errorObjectCount: 1, errorsIgnored: 1 } });
    expect(named?.polls).toBeGreaterThan(1);
    const qli = outcomes.find((o) => 'id' in o.job && o.job.id === 102);
    expect(qli?.result).toMatchObject({ newEventsIngested: 0, previouslyIngestedSkipped: 1 });
    const timedOut = outcomes.find((o) => o.status === 'timed_out');
    expect(timedOut).toMatchObject({ lastStatus: 'running', hasErrors: true });
  });

  it('delivers only failures to the subscriber filtering on status', async () => {
    const { sqs } = watch.aws.clients();
    const failures = toOutcomes(await drainQueue(sqs, watch.resources.subscribers['failures-only']!.url, { until: (r) => r.length >= 2, timeoutMs: 5000 }));
    expect(failures.map((o) => jobKey(o.job)).sort()).toEqual(['id:103', 'name:bulk_api_job_2017-09-10']);
  });

  it('sends invalid messages to the DLQ with their reason', async () => {
    const { sqs } = watch.aws.clients();
    const dead = await drainQueue(sqs, watch.resources.deadLetterQueue.url, { until: (r) => r.length >= 2, timeoutMs: 5000 });
    expect(dead.map((m) => [m.body, m.attributes.reason]).sort()).toEqual([
      ['not json', expect.stringMatching(/^invalid job reference: \(body\): is not JSON/)],
      ['{"jobId": "abc"}', 'invalid job reference: jobId: must be a positive integer (a number, or a string of digits)'],
    ]);
  });

  it('leaves nothing behind on the job queue', async () => {
    const { sqs } = watch.aws.clients();
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: watch.resources.jobQueue.url, AttributeNames: ['All'] }),
    );
    expect([Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible, Attributes?.ApproximateNumberOfMessagesDelayed]).toEqual(['0', '0', '0']);
  });

  it('logs structured JSON with the job on every record line, and never the token', () => {
    const records = logLines.filter((l) => l.startsWith('{') && l.includes('"messageId"')).map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThan(0);
    for (const line of records.filter((r) => !String(r.message).startsWith('invalid job reference'))) {
      expect(line.job).toMatch(/^(id|name):/);
    }
    expect(logLines.join('\n')).not.toContain(sim.accessToken);
  });

  it('keeps watching through a token rotation: no job is lost or fails', async () => {
    const { sqs, secretsManager } = watch.aws.clients();
    const ids = [201, 202, 203, 204];
    for (const id of ids) sim.addJob({ id, durationMs: 2500, preset: 'counts' });
    for (const id of ids) await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: id });

    await new Promise((r) => setTimeout(r, 1000));
    const newToken = sim.rotateAccessToken(); // the old token stops working now
    await secretsManager.send(new PutSecretValueCommand({ SecretId: watch.resources.tokenSecret.arn, SecretString: newToken }));

    const rotated = toOutcomes(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= ids.length, timeoutMs: 20_000 }));
    expect(rotated.map((o) => [jobKey(o.job), o.status]).sort()).toEqual(ids.map((id) => [`id:${id}`, 'successful']));
    expect(logLines.join('\n')).not.toContain(newToken);
  }, 30_000);
});
