/**
 * Hostile and large final answers, end to end (issue 11): the real bundled handler, fed by the
 * local event source mapping, against the simulator and the local AWS stand-ins. Each job must
 * end in exactly one outcome carrying Alation's status, however its result is made.
 */
import { describe, expect, it } from 'vitest';
import { ResultParseLimits } from '../../shared/alation/parse-limits';
import { finalAnswersEndToEnd } from '../support/final-answers';

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

const e2e = finalAnswersEndToEnd(JOBS);

describe('hostile final answers, end to end on local endpoints', () => {
  it('end each job in one outcome with its true status, bounded and sendable', async () => {
    const { received, outcomes } = await e2e.publishAll();

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
