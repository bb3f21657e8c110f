/**
 * Regression (attack 1): a job name that decodes to blank text (`%20`, `%C2%A0`, `%E3%80%80`)
 * was accepted, watched, then refused ("must not be blank") by the watcher's own re-send of the
 * decoded name and dead-lettered. It is now refused at the first sighting, with the same rule,
 * at enqueue time and on the producer's message, before Alation is asked anything.
 */
import { describe, expect, it } from 'vitest';
import { validateJobReference } from '../../shared/contracts/job-reference';
import { InvalidJobReferenceError } from '../../shared/errors';
import { processRecord } from '../../shared/watch/process-record';
import { DLQ_URL, JOB_QUEUE_URL, createHarness, sqsRecord } from '../support/record-harness';

describe('a job whose name decodes to blank text', () => {
  it.each(['%20', '%C2%A0', '%E3%80%80'])('%s is refused when it is enqueued', (name) => {
    expect(() => validateJobReference({ jobName: name })).toThrow(InvalidJobReferenceError);
    expect(() => validateJobReference({ job_name: name })).toThrow(/job_name.*must not be blank once percent-decoded/);
  });

  it.each(['%20', '%C2%A0', '%E3%80%80'])('%s is dead-lettered on its first delivery with the reason, never watched', async (name) => {
    const h = createHarness(() => ({ httpStatus: 404, body: { detail: 'Job not found.' } }));
    await processRecord(sqsRecord(JSON.stringify({ jobName: name }), 'm-1'), h.deps);
    const toDlq = h.sent.filter((s) => s.QueueUrl === DLQ_URL);
    expect(toDlq).toHaveLength(1);
    expect(toDlq[0]!.MessageAttributes!.reason!.StringValue).toMatch(/jobName.*must not be blank once percent-decoded/);
    expect(h.sent.filter((s) => s.QueueUrl === JOB_QUEUE_URL)).toEqual([]);
    expect(h.published).toEqual([]);
  });

  it('a name that decodes to text is still decoded and watched', () => {
    expect(validateJobReference({ jobName: 'Load%20A' }).job).toEqual({ name: 'Load A' });
  });
});
