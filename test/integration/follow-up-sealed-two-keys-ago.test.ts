/**
 * Documented cost (found by an attack): two rotations of the watch-state key while a follow-up's
 * first message waits (in the queue, or in the DLQ before a redrive) leave a seal that verifies
 * with neither key. Its `parent` cannot be told from a forged one, so it is dropped: the
 * follow-up is watched to its own outcome as a stand-alone job and its chain gets no verdict
 * (docs/security.md "Key rotation", docs/reliability.md "Follow-up chains"). Keeping more key
 * versions was judged not worth it; this test pins the documented behaviour.
 */
import { describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { createHarness, sqsRecord } from '../support/record-harness';
import { localJobWatch } from '../cli/operator-helpers';

const local = localJobWatch('attack-rotation');

describe('a follow-up message sealed two keys ago', () => {
  it('is watched to its own outcome without its parent, and its chain gets no verdict (documented cost)', async () => {
    const h = createHarness((url) =>
      url.endsWith('id=7')
        ? statusResponse('successful', { result: 'Legacy(Rosemeta) write job_id (can be tracked using jobs API): 70' })
        : statusResponse('failed', { result: '{"updated_objects": 0}' }),
    );
    const chains = createDynamoDbChainStore({ dynamodb: local.aws.clients().dynamodb, tableName: local.resources.idempotencyTable.name, ttlSeconds: 3600 });
    Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth: 3 }, chains } });

    await processRecord(sqsRecord({ jobId: 7 }, 'root'), h.deps);
    const child = h.sent.at(-1)!.MessageBody!;

    // The operator rotates twice (docs/security.md "Key rotation") before the follow-up is read.
    h.keys = { current: Buffer.from('third-watch-state-key-0123456789abcdef'), previous: Buffer.from('second-watch-state-key-0123456789abcdef') };
    await processRecord(sqsRecord(child, 'child'), h.deps);

    // Its parent cannot be told from a forged one (docs/security.md, docs/reliability.md).
    const own = h.published.find((o) => !o.chain && 'id' in o.job && o.job.id === 70);
    expect(own).toMatchObject({ status: 'failed', parent: null });
    expect(h.published.filter((o) => o.chain)).toEqual([]);
    expect(h.counters.forgedWatchState).toEqual([1]);
  }, 30_000);
});

