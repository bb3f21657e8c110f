/**
 * Regression (attack): a chain verdict reports a clean success (`successful`, `hasErrors: false`) although a
 * member's result named follow-ups that were never watched (too deep, or more than 5). The
 * verdict (shared/watch/chain.ts `chainVerdict`/`buildVerdictOutcome`) only looks at members'
 * statuses; the member's `followUpsWatched: false` is lost (ChainEnd does not carry it). docs/
 * contracts.md: "'successful' is never reported about a write whose follow-up did not succeed".
 */
import { describe, expect, it } from 'vitest';
import { createDynamoDbChainStore } from '../../shared/aws/chain-store';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { createHarness, sqsRecord } from '../support/record-harness';
import { localJobWatch } from '../cli/operator-helpers';

const local = localJobWatch('attack-unwatched');
const tracked = (...ids: number[]) => ids.map((id) => `Legacy(Rosemeta) write job_id (can be tracked using jobs API): ${id}`).join('. ');

describe('a chain whose member names follow-ups that are not watched', () => {
  it.each([
    ['too deep (FOLLOW_UP_MAX_DEPTH=1)', 1, [700]],
    ['more than 5 follow-ups', 3, [701, 702, 703, 704, 705, 706]],
  ])('%s gets no clean "successful" verdict', async (_what, maxDepth, grandchildren) => {
    const root = 7 + maxDepth * 1000;
    const h = createHarness((url) =>
      url.endsWith(`id=${root}`) ? statusResponse('successful', { result: tracked(root + 1) }) : statusResponse('successful', { result: tracked(...grandchildren) }),
    );
    const chains = createDynamoDbChainStore({ dynamodb: local.aws.clients().dynamodb, tableName: local.resources.idempotencyTable.name, ttlSeconds: 3600 });
    Object.assign(h.deps, { followUps: { options: { enabled: true, maxDepth }, chains } });

    await processRecord(sqsRecord({ jobId: root }, 'root'), h.deps);
    await processRecord(sqsRecord(h.sent.at(-1)!.MessageBody!, 'child'), h.deps);

    const child = h.published.find((o) => 'id' in o.job && o.job.id === root + 1)!;
    expect(child.followUpsWatched).toBe(false); // the write it handed on is not watched...
    const verdict = h.published.find((o) => o.chain)!;
    expect([verdict.status, verdict.hasErrors]).not.toEqual(['successful', false]); // ...yet the chain "succeeded"
  }, 30_000);
});
