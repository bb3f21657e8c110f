/**
 * Issue 11, end to end: a job whose final answer is too large to decode (6 MiB, over the 4 MiB
 * read whole; or more JSON values than the 250,000 decoded) still ends in one outcome carrying
 * its true status, on the first check, with the result marked unread. The real bundled handler,
 * fed by the local event source mapping, against the simulator and the local AWS stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, MAX_ANSWER_JSON_VALUES } from '../../shared/alation/parse-limits';
import { finalAnswersEndToEnd } from '../support/final-answers';

const TOKEN = 'e2e-oversize-token-7c1d9a';
const MiB = 1024 * 1024;
const MSG = 'Job finished in 812.0 seconds at 2026-01-01 00:00:00+00:00';
const JOBS = [
  // 6 MiB of error strings: the big metadata load of the issue.
  { id: 401, body: { status: 'successful', msg: MSG, result: { error_objects: Array.from({ length: 6 * 8192 }, (_, i) => `Line ${i}. Key: k. ${'e'.repeat(100)}`) } } },
  // 6 MiB, failed, with the token echoed in its msg.
  { id: 402, body: { status: 'failed', msg: `token ${TOKEN} refused`, result: 'x'.repeat(6 * MiB) } },
  // Well under 4 MiB, but more JSON values than are decoded.
  { id: 403, body: { status: 'partially_successful', msg: MSG, result: Array.from({ length: MAX_ANSWER_JSON_VALUES }, () => ({})) } },
] as const;

const e2e = finalAnswersEndToEnd(JOBS, { token: TOKEN });

describe('an oversized final answer, end to end on local endpoints', () => {
  it('publishes the true status once, on the first check, with the result marked unread', async () => {
    const { received, outcomes } = await e2e.publishAll();

    expect(received).toHaveLength(JOBS.length);
    expect([...outcomes].map(([job, o]) => [job, o.status]).sort()).toEqual(JOBS.map(({ id, body }) => [`id:${id}`, body.status]));
    for (const outcome of outcomes.values()) {
      // Alation's first answer was final: no retry, no error on the way.
      expect(outcome).toMatchObject({ polls: 1, lastError: null, hasErrors: true, followUpJobIds: [] });
      expect(outcome.result).toMatchObject({ truncated: true, data: null, errorObjectCount: 0 });
    }
    expect(outcomes.get('id:401')).toMatchObject({ message: MSG, durationSeconds: 812 });
    expect(outcomes.get('id:401')?.result.parseError).toMatch(
      new RegExp(`^the result was not read: the answer is \\d+ bytes, more than the ${MAX_ANSWER_BYTES} decoded whole; only the answer's "status" and "msg" were$`),
    );
    expect(outcomes.get('id:402')?.message).toBe('token [redacted] refused');
    expect(outcomes.get('id:403')?.result.parseError).toBe(
      `the result was not read: the answer holds more than ${MAX_ANSWER_JSON_VALUES} JSON values, too many to decode; only the answer's "status" and "msg" were`,
    );
    expect(received.map((r) => r.body).join('\n')).not.toContain(TOKEN);
  }, 60_000);
});
