/**
 * Lambda's retry path, end to end: records reported in batchItemFailures come back after
 * the visibility timeout, and a record that keeps failing is moved to the DLQ by the
 * queue's redrive policy after maxReceiveCount receives.
 */
import { SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDependencies } from '../../shared/aws/dependencies';
import { loadConfig } from '../../shared/config';
import { enqueueJob } from '../../shared/contracts/enqueue-job';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { drainQueue, toOutcomes } from '../../shared/local/outcome-collector';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { createBatchHandler } from '../../shared/watch/batch-handler';
import { refuseBatchEntries } from '../support/refuse-batch-entries';

let sim: AlationSimulator;
let watch: LocalJobWatch;
const publishAttempts = new Map<number, number>();

/** SNS that refuses the first publish of job 1, and every publish of job 2: alone, or as its entry of a `PublishBatch` (as SNS reports one). */
function flakySns(): SNSClient {
  const refuses = (message: string | undefined) => {
    const id = Number(/\\"job\\":\{\\"id\\":(\d+)/.exec(message ?? '')?.[1]);
    const attempt = (publishAttempts.get(id) ?? 0) + 1;
    publishAttempts.set(id, attempt);
    return (id === 1 && attempt === 1) || id === 2;
  };
  const sns = new SNSClient({});
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PublishBatchCommand') {
        return refuseBatchEntries(args, next, 'PublishBatchRequestEntries', (e) => refuses(e.Message), 'SNS is unavailable');
      }
      if (refuses((args.input as PublishCommandInput).Message)) throw Object.assign(new Error('SNS is unavailable'), { name: 'InternalErrorException' });
      return next(args);
    },
    { step: 'initialize', name: 'flakyPublish' },
  );
  return sns;
}

beforeAll(async () => {
  sim = await startAlationSimulator({ jobs: [{ id: 1, preset: 'counts' }, { id: 2, preset: 'failed' }, { id: 3, preset: 'qli' }] });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: sim.accessToken,
    tunables: { POLL_INITIAL_DELAY_SECONDS: '1', POLL_MAX_DELAY_SECONDS: '1' },
    visibilityTimeoutSeconds: 2,
    maxReceiveCount: 3,
    functionTimeoutMs: 2000,
    handler: (env) => {
      const clients = { sqs: new SQSClient({}), sns: flakySns(), dynamodb: new DynamoDBClient({}), secretsManager: new SecretsManagerClient({}) };
      const deps = createDependencies(loadConfig(env), clients);
      deps.logger.setLogLevel('SILENT');
      return createBatchHandler(deps);
    },
  });
}, 30_000);

afterAll(async () => {
  await watch?.stop();
  await sim?.stop();
});

describe('retries through the local event source mapping', () => {
  it('retries a failed publish and still publishes exactly once; a record that keeps failing ends in the DLQ', async () => {
    const { sqs } = watch.aws.clients();
    for (const jobId of [1, 2, 3]) await enqueueJob(sqs, watch.resources.jobQueue.url, { jobId });

    const outcomes = toOutcomes(
      await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: (r) => r.length >= 2, timeoutMs: 15_000 }),
    );
    const dead = await drainQueue(sqs, watch.resources.deadLetterQueue.url, { until: (r) => r.length >= 1, timeoutMs: 20_000 });
    outcomes.push(...toOutcomes(await drainQueue(sqs, watch.resources.outcomeQueue.url, { until: () => false, timeoutMs: 2500 })));

    expect(outcomes.map((o) => ['id' in o.job ? o.job.id : o.job.name, o.status]).sort()).toEqual([
      [1, 'successful'],
      [3, 'successful'],
    ]);
    expect(publishAttempts.get(1)).toBe(2);
    expect(publishAttempts.get(2)).toBe(3); // one per receive (maxReceiveCount 3)
    // On its third and last delivery the function wrote it to the DLQ itself, with the reason.
    expect(dead.map((m) => [JSON.parse(m.body).jobId, m.attributes.reason])).toEqual([
      [2, 'failed on its last delivery (3 of 3): InternalErrorException: SNS is unavailable'],
    ]);
    // Job 1's first delivery and job 2's first two: the last one is not reported as a failure.
    expect(watch.mapping.stats().failuresReported).toBeGreaterThanOrEqual(3);
  }, 45_000);
});
