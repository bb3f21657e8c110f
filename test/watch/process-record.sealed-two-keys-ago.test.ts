/**
 * Regression (attack): a genuine re-sent body whose seal no longer verifies (two key rotations during a
 * watch, documented as "still watched to an outcome, deadline restarts") goes through
 * `asFirstSighting` (shared/watch/watch-state-seal.ts), which runs `normaliseJobName` on a name
 * the watcher had ALREADY decoded once. A producer's `x%2541` (Alation's job `x%41`) becomes `xA`:
 * from then on the watcher checks and publishes a different job.
 */
import { describe, expect, it } from 'vitest';
import { processRecord } from '../../shared/watch/process-record';
import { statusResponse } from '../support/alation-responses';
import { JOB_QUEUE_URL, createHarness, sqsRecord } from '../support/record-harness';

describe('a re-sent body sealed two keys ago', () => {
  it('keeps watching the same job', async () => {
    let reply = statusResponse('running');
    const h = createHarness(() => reply);
    await processRecord(sqsRecord({ jobName: 'Lineage_x%2541' }), h.deps); // the job is "Lineage_x%41"
    const resent = h.sent.find((s) => s.QueueUrl === JOB_QUEUE_URL)!.MessageBody!;
    expect(JSON.parse(resent).jobName).toBe('Lineage_x%41');

    h.keys = { current: Buffer.from('third-watch-state-key-0123456789abcdef'), previous: Buffer.from('second-watch-state-key-0123456789abcdef') };
    reply = statusResponse('successful', { result: '{"updated_objects": 1}' });
    await processRecord(sqsRecord(resent, 'm-2'), h.deps);

    expect(h.alationRequests.map((r) => new URL(r.url).searchParams.get('name'))).toEqual(['Lineage_x%41', 'Lineage_x%41']);
    expect(h.published.map((o) => o.job)).toEqual([{ name: 'Lineage_x%41' }]);
  });
});
