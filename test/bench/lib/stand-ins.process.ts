/**
 * The AWS stand-ins and the Alation simulator, in a process of their own. In Lambda the
 * services run elsewhere and only their latency shows in the handler's wall time; run in the
 * handler's process, their CPU would be billed to the handler (one event loop, two cores).
 *
 * Started by handler-cost.bench.ts with `fork`; talks over IPC:
 * - argv: job count, Alation latency (ms)
 * - sends `{ type: 'ready', env, resources, alationBaseUrl }`
 * - answers `{ type: 'stats' }` with `{ type: 'stats', checks, outcomes }`, and `{ type: 'stop' }` by exiting.
 * The outcome queue is drained here too, so that reading outcomes costs the handler's process nothing.
 */
import { provisionJobWatch, startLocalAws } from '../../../shared/local/aws';
import { drainQueue } from '../../../shared/local/outcome-collector';
import { startAlationSimulator } from '../../../shared/local/simulator';

const jobs = Number(process.argv[2]);
const latencyMs = Number(process.argv[3]);

const sim = await startAlationSimulator({
  // Running on the first check, successful on the second: half the checks re-send, half publish.
  jobs: Array.from({ length: jobs }, (_, i) => ({ id: i + 1, pollsBeforeDone: 1, preset: 'counts' as const })),
  faults: { latencyMs },
});
const aws = await startLocalAws();
const resources = await provisionJobWatch(aws, { tokenSecretValue: sim.accessToken, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });

let outcomes = 0;
let stopping = false;
const draining = (async () => {
  while (!stopping) {
    const received = await drainQueue(aws.clients().sqs, resources.outcomeQueue.url, { until: (r) => r.length > 0, timeoutMs: 1000 });
    outcomes += received.length;
  }
})();

process.on('message', async (message: { type: string }) => {
  if (message.type === 'stats') {
    process.send?.({ type: 'stats', checks: sim.stats().requests.byPath['/api/v1/bulk_metadata/job/'] ?? 0, outcomes });
  } else if (message.type === 'stop') {
    stopping = true;
    await draining;
    await sim.stop();
    await aws.stop();
    process.exit(0);
  }
});
process.send?.({ type: 'ready', env: aws.env(), resources, alationBaseUrl: sim.url });
