import { afterAll, beforeAll, vi } from 'vitest';
import { jobKey } from '../../shared/alation/job-identifier';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import type { Outcome } from '../../shared/contracts/outcome';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, toOutcomes, type ReceivedMessage } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import type { JobDefinition } from '../../shared/local/simulator/types';
import { bundleDeployedHandler, type BundledHandler } from './bundled-handler';

/** A job whose first answer is final: an id and the answer Alation gives. */
export type FinalAnswerJob = Required<Pick<JobDefinition, 'id' | 'body'>>;

/** What the outcome queue received for the jobs, and their outcomes by job key (`id:42`). */
export interface Published {
  readonly received: ReceivedMessage[];
  readonly outcomes: Map<string, Outcome>;
}

/**
 * The deployed bundle on the local stack, fed by the local event source mapping, for a test file
 * whose jobs finish at once with answers built to be hard to read (huge, hostile). Registers the
 * file's `beforeAll`/`afterAll`; `publishAll` enqueues every job and returns what was published,
 * after waiting a little longer so that a repeat would be caught. Generous timeouts: reading
 * such answers takes seconds of CPU on a loaded machine.
 */
export function finalAnswersEndToEnd(jobs: readonly FinalAnswerJob[], options: { token?: string } = {}): { publishAll(): Promise<Published> } {
  let sim: AlationSimulator;
  let watch: LocalJobWatch;
  let bundled: BundledHandler;
  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    bundled = bundleDeployedHandler();
    sim = await startAlationSimulator({
      ...(options.token !== undefined && { accessTokens: [options.token] }),
      jobs: jobs.map((job) => ({ ...job, durationMs: 0 })),
    });
    watch = await startLocalJobWatch({
      alationBaseUrl: sim.url,
      tokenSecretValue: options.token ?? sim.accessToken,
      tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '2', MAX_WATCH_SECONDS: '60' },
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 3,
      functionTimeoutMs: 25_000,
      handler: (env) => bundled.load(env),
    });
  }, 60_000);
  afterAll(async () => {
    await watch?.stop();
    await sim?.stop();
    vi.restoreAllMocks();
    bundled?.remove();
  });
  return {
    async publishAll() {
      const { sqs } = watch.aws.clients();
      for (const { id } of jobs) await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId: id });
      const received = await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= jobs.length, timeoutMs: 50_000 });
      received.push(...(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 2000 })));
      return { received, outcomes: new Map(toOutcomes(received).map((o) => [jobKey(o.job), o])) };
    },
  };
}
