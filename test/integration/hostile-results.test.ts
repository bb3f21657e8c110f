/**
 * Hostile and large final answers, end to end (issue 11): the real bundled handler, fed by the
 * local event source mapping, against the simulator and the local AWS stand-ins. Each job must
 * end in exactly one outcome carrying Alation's status, however its result is made.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { ResultParseLimits } from '../../shared/alation/parse-limits';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import type { Outcome } from '../../shared/contracts/outcome';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, toOutcomes } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { bundleDeployedHandler, type BundledHandler } from '../support/bundled-handler';

let sim: AlationSimulator;
let watch: LocalJobWatch;
let bundled: BundledHandler;

const ERRORS = 150_000; // past the old parser's push(...spread) limit (RangeError)
const JOBS = [
  {
    id: 301,
    body: { status: 'successful', result: JSON.stringify({ updated_objects: 0, number_received: ERRORS, error_objects: Array.from({ length: ERRORS }, () => 'Line 1. Key: k. m') }) },
  },
  // 200 KB of digits: about two minutes in the old parser's regexes.
  { id: 302, body: { status: 'failed', result: JSON.stringify({ error: '1'.repeat(200_000) }) } },
  { id: 303, body: { status: 'successful', result: ['All total 1 batches with a limit of 250 items attempted. [Succeeded: 0, Failed: 2, Total: 2]'] } },
  { id: 304, body: { status: 'partially_successful', msg: 'odd \uFFFF msg', result: { 'bad \uFFFE key': 'lone \uD800 surrogate', error: 'x\uFFFF' } } },
] as const;

beforeAll(async () => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  bundled = bundleDeployedHandler();
  sim = await startAlationSimulator({ jobs: JOBS.map((job) => ({ ...job, durationMs: 0 })) });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: sim.accessToken,
    tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '2', MAX_WATCH_SECONDS: '60' },
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    functionTimeoutMs: 25_000,
    handler: (env) => bundled.load(env),
  });
}, 30_000);

afterAll(async () => {
  await watch?.stop();
  await sim?.stop();
  vi.restoreAllMocks();
  bundled?.remove();
});

describe('hostile final answers, end to end on local endpoints', () => {
  it('end each job in one outcome with its true status, bounded and sendable', async () => {
    const { sqs } = watch.aws.clients();
    for (const { id } of JOBS) await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: id });

    const received = await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= JOBS.length, timeoutMs: 50_000 });
    received.push(...(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 2000 })));
    const outcomes = new Map<string, Outcome>(toOutcomes(received).map((o) => [jobKey(o.job), o]));

    expect(received).toHaveLength(JOBS.length);
    expect([...outcomes].map(([job, o]) => [job, o.status]).sort()).toEqual(JOBS.map(({ id, body }) => [`id:${id}`, body.status]));
    expect(outcomes.get('id:301')?.result).toMatchObject({ errorObjectCount: ERRORS, numberReceived: ERRORS, truncated: true });
    expect(outcomes.get('id:301')?.result.errorObjects.length).toBeLessThanOrEqual(ResultParseLimits.maxErrorObjects);
    expect(outcomes.get('id:302')).toMatchObject({ hasErrors: true, result: { truncated: true } });
    expect(outcomes.get('id:303')).toMatchObject({ hasErrors: true, result: { failedCount: 2, numberReceived: 2, updatedObjects: 0 } });
    expect(outcomes.get('id:304')).toMatchObject({
      message: 'odd \uFFFD msg',
      result: { data: { 'bad \uFFFD key': 'lone \uFFFD surrogate', error: 'x\uFFFD' }, error: 'x\uFFFD' },
    });
  }, 60_000);
});
