import { describe, expect, it } from 'vitest';
import { finalOutcomeStatus, isUnknownStatus, newlySeenUnknownStatus, parseExtraFinalStatuses } from '../../shared/watch/statuses';

const extra = parseExtraFinalStatuses('completed:successful, cancelled:failed').statuses;

describe('what the watcher does with each status', () => {
  it.each([
    ['successful', 'successful'],
    ['partially_successful', 'partially_successful'],
    ['failed', 'failed'],
    ['completed', 'successful'],
    ['cancelled', 'failed'],
    ['running', undefined],
    ['queued', undefined],
    ['Completed', 'successful'],
    ['Successful', 'successful'],
    [' FAILED\n', 'failed'],
    ['Partially_Successful', 'partially_successful'],
    ['RUNNING', undefined],
    ['succesful', undefined],
    [`successful${' '.repeat(200)}`, undefined],
  ])('treats %s as final with outcome %s (undefined: not final)', (status, outcome) => {
    expect(finalOutcomeStatus(status, extra)).toBe(outcome);
  });

  it('calls a status unknown only when it is neither running, final nor declared final', () => {
    expect(['running', 'successful', 'completed', 'queued'].map((s) => isUnknownStatus(s, extra))).toEqual([false, false, false, true]);
    expect(isUnknownStatus('completed', undefined)).toBe(true);
    // Case and surrounding white space do not make a known word unknown.
    expect(['Running', ' running ', 'Queued'].map((s) => isUnknownStatus(s, extra))).toEqual([false, false, true]);
  });

  it('reports an unknown status once per job: not again while the watch state remembers it', () => {
    expect(newlySeenUnknownStatus('queued', 'running', extra)).toBe('queued');
    expect(newlySeenUnknownStatus('queued', null, extra)).toBe('queued');
    expect(newlySeenUnknownStatus('queued', 'queued', extra)).toBeUndefined();
    expect(newlySeenUnknownStatus('running', 'queued', extra)).toBeUndefined();
    expect(newlySeenUnknownStatus(undefined, 'queued', extra)).toBeUndefined();
    const long = `x${'y'.repeat(100)}`;
    expect(newlySeenUnknownStatus(long, long.slice(0, 64), extra)).toBeUndefined();
  });
});

describe('EXTRA_FINAL_STATUSES', () => {
  it('reads status:outcome pairs and ignores blanks', () => {
    expect([...parseExtraFinalStatuses(' completed:successful,, aborted:failed ').statuses]).toEqual([
      ['completed', 'successful'],
      ['aborted', 'failed'],
    ]);
    expect(parseExtraFinalStatuses(undefined).statuses.size).toBe(0);
    expect(parseExtraFinalStatuses('').problems).toEqual([]);
  });

  it('names every bad entry at once', () => {
    expect(parseExtraFinalStatuses('completed,running:failed,successful:failed,done:timed_out,Done:failed,x:failed,x:successful,a:b:c').problems).toEqual([
      '"completed" must be status:outcome, e.g. completed:successful',
      '"running:failed": running is already known (not finished)',
      '"successful:failed": successful is already known (final)',
      '"done:timed_out": the outcome must be one of successful, partially_successful, failed',
      '"Done:failed": the status must be a lower-case word of at most 64 characters',
      '"x:successful": x is listed twice',
      '"a:b:c" must be status:outcome, e.g. completed:successful',
    ]);
  });
});
