/**
 * Regression (attack): a chain verdict can report a status for a job that contradicts that job's own (true)
 * outcome. A job's chain end is recorded *before* its outcome is published and "the first end
 * recorded wins" (shared/watch/job-end.ts step 1, shared/aws/chain-store.ts `if_not_exists`). If the
 * publish then fails (an SNS blip, a crash) and the redelivery sees a different final status —
 * the job finished just at its deadline — the job's own outcome says `successful` while the
 * verdict still lists it (and the whole chain) as `timed_out`.
 */
import { describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { START, createHarness, policy, sqsRecord } from '../support/record-harness';
import { localJobWatch } from '../cli/operator-helpers';

const local = localJobWatch('attack-verdict');

describe('a chain verdict', () => {
  it("agrees with each member's own published outcome", async () => {
    let child = statusResponse('running');
    const h = createHarness((url) =>
      url.endsWith('id=7') ? statusResponse('successful', { result: 'Legacy(Rosemeta) write job_id (can be tracked using jobs API): 70' }) : child,
    );
    const chains = createDynamoDbChainStore({ dynamodb: local.aws.clients().dynamodb, tableName: local.resources.idempotencyTable.name, ttlSeconds: 3600 });
    Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth: 3 }, chains } });

    await processRecord(sqsRecord({ jobId: 7 }, 'root'), h.deps);
    const first = h.sent.at(-1)!.MessageBody!;
    await processRecord(sqsRecord(first, 'child-1'), h.deps); // running: re-sent with its sealed watch state
    const resent = h.sent.at(-1)!.MessageBody!;

    // The deadline passes; Alation still says running: timed_out is decided and recorded in the chain,
    // then SNS refuses the publish and the record is retried.
    h.clock = new Date(START.getTime() + (policy.maxWatchSeconds + 5) * 1000);
    h.publishResult = new Error('SNS throttled');
    await expect(processRecord(sqsRecord(resent, 'child-2'), h.deps)).rejects.toThrow('SNS throttled');

    // The redelivery, a moment later: the job has finished.
    h.publishResult = undefined;
    child = statusResponse('successful', { result: '{"updated_objects": 3}' });
    await processRecord(sqsRecord(resent, 'child-2'), h.deps);

    const own = h.published.find((o) => !o.chain && 'id' in o.job && o.job.id === 70)!;
    const verdict = h.published.find((o) => o.chain)!;
    expect(own.status).toBe('successful');
    expect(verdict.chain!.jobs.find((j) => 'id' in j.job && j.job.id === 70)!.status).toBe(own.status);
    expect(verdict.status).toBe('successful');
  }, 30_000);
});
