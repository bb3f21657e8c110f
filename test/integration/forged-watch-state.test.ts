/**
 * Producers forging the watcher's state, end to end: the real handler (built as
 * `functions/job-status/handler.ts` builds it) fed by the local event source mapping, the
 * Alation simulator, fauxqs, dynalite and the local Secrets Manager holding the watch-state key.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import { parseJobReferenceBody, serializeJobReference } from '../../shared/contracts/job-reference';
import type { Outcome } from '../../shared/contracts/outcome';
import { MAX_WATCH_POLLS } from '../../shared/contracts/watch-state';
import { drainQueue, toOutcomes, type ReceivedMessage } from '../../shared/local/outcome-collector';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { sealReference } from '../../shared/watch/watch-state-seal';
import { captureLogs, type LogCapture } from '../chaos/support/log-capture';

/** Known to this test only to play an attacker who stole it; the stack generates its own. */
const STOLEN_KEY = 'a-watch-state-key-an-attacker-has-stolen-0123456789';
const DECADES_AGO = '1990-01-01T00:00:00.000Z';

let sim: AlationSimulator;
let watch: LocalJobWatch;
let logs: LogCapture;
let outcomes: Outcome[];
let dlq: ReceivedMessage[];

const JOBS = [
  // Failed, after a few checks: a forged "first seen decades ago" must not turn it into timed_out.
  { id: 201, pollsBeforeDone: 3, preset: 'failed', expected: 'failed' },
  // Successful: a forged "four answers 'no such job'" must not turn it into not_found.
  { id: 202, pollsBeforeDone: 2, preset: 'counts', expected: 'successful' },
  // A sealed state (stolen key) claiming polls near 2^53: clamped, never dead-lettered.
  { id: 203, pollsBeforeDone: 2, preset: 'counts', expected: 'successful' },
  // Enqueued twice by producers: one outcome, its true status.
  { id: 204, pollsBeforeDone: 3, preset: 'partiallySuccessful', expected: 'partially_successful' },
] as const;

const forged = (jobId: number, watchState: Record<string, unknown>) =>
  JSON.stringify({ version: 1, jobId, watch: { polls: 1, firstSeenAt: new Date().toISOString(), lastStatus: 'running', lastError: null, notFoundChecks: 0, ...watchState } });

beforeAll(async () => {
  // Powertools writes info to stdout and warnings to stderr: both are read.
  logs = captureLogs();
  sim = await startAlationSimulator({ jobs: JOBS.map(({ expected: _e, ...job }) => job) });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: sim.accessToken,
    watchStateKey: STOLEN_KEY,
    tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '1', MAX_WATCH_SECONDS: '120' },
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: 3,
    functionTimeoutMs: 5000,
  });

  const { sqs } = watch.aws.clients();
  const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.jobQueue.url, MessageBody: body }));
  await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: 201 });
  await send(forged(201, { firstSeenAt: DECADES_AGO, polls: 500 }));
  await send(forged(202, { notFoundChecks: 4 }));
  const stolen = sealReference(parseJobReferenceBody(forged(203, { polls: Number.MAX_SAFE_INTEGER - 1 })), Buffer.from(STOLEN_KEY));
  await send(serializeJobReference(stolen));
  await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: 204, kind: 'twice' });
  await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: 204, kind: 'twice' });

  const received = await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= JOBS.length, timeoutMs: 40_000 });
  // Anything still to come would be a second outcome: give it the time of a few more polls.
  received.push(...(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 4000 })));
  outcomes = toOutcomes(received);
  dlq = await drainQueue(sqs, watch.resources.deadLetterQueue.url, { until: () => false, timeoutMs: 1500 });
}, 90_000);

afterAll(async () => {
  await watch?.stop();
  await sim?.stop();
  logs?.restore();
});

describe('a watch state forged by a producer, end to end', () => {
  it('ends every job in exactly one outcome with its true status, and nothing in the DLQ', () => {
    const byJob: Record<string, string[]> = {};
    for (const o of outcomes) (byJob[jobKey(o.job)] ??= []).push(o.status);
    expect(byJob).toEqual(Object.fromEntries(JOBS.map((j) => [`id:${j.id}`, [j.expected]])));
    expect(dlq).toEqual([]);
  });

  it('counts an unsealed state as a first sighting: no false timed_out from a first-seen time decades ago', () => {
    const failed = outcomes.find((o) => jobKey(o.job) === 'id:201');
    expect(failed?.status).toBe('failed');
    expect(Date.parse(failed!.firstSeenAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(failed!.polls).toBeLessThan(500);
  });

  it('clamps the counters of a sealed state: polls near 2^53 neither dead-letter the job nor pass the bound', () => {
    const clamped = outcomes.find((o) => jobKey(o.job) === 'id:203');
    expect(clamped?.polls).toBeGreaterThan(MAX_WATCH_POLLS);
    expect(clamped?.polls).toBeLessThanOrEqual(MAX_WATCH_POLLS + 2);
  });

  it('warns once per forged body, naming no secret, and counts it in the ForgedWatchState metric', () => {
    const logLines = logs.lines;
    const warnings = logLines.filter((l) => l.includes('watch state not sealed by this watcher'));
    expect(warnings.map((l) => JSON.parse(l).job).sort()).toEqual(['id:201', 'id:202']);
    const forgedCount = logLines
      .filter((l) => l.includes('"ForgedWatchState"') && l.includes('_aws'))
      .flatMap((l) => [(JSON.parse(l) as { ForgedWatchState?: number | number[] }).ForgedWatchState ?? []].flat())
      .reduce((sum, n) => sum + n, 0);
    expect(forgedCount).toBe(2);
    expect(logLines.join('\n')).not.toContain(STOLEN_KEY);
    expect(logLines.join('\n')).not.toContain(sim.accessToken);
  });
});
