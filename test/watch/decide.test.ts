import { describe, expect, it } from 'vitest';
import { AlationError, TokenSecretError } from '../../shared/errors';
import { MAX_WATCH_POLLS } from '../../shared/contracts/watch-state';
import { decide, MAX_NOT_FOUND_CHECKS, type CheckResult, type WatchPolicy } from '../../shared/watch/decide';
import { statusResponse } from '../support/alation-responses';
import { jobRef, watchState } from '../support/factories';

const policy: WatchPolicy = { initialDelaySeconds: 1, maxDelaySeconds: 300, growth: 0.25, jitter: 0, maxWatchSeconds: 3600 };
const firstSeenAt = '2026-01-01T00:00:00.000Z';
const at = (secondsAfterStart: number) => new Date(Date.parse(firstSeenAt) + secondsAfterStart * 1000);
const ok = (status: string): CheckResult => ({ ok: true, response: statusResponse(status) });
const failed = (error: AlationError | TokenSecretError): CheckResult => ({ ok: false, error });

describe('decide', () => {
  it('requeues a running job on its first check with the initial delay and fresh watch state', () => {
    const decision = decide({ reference: jobRef(), check: ok('running'), policy, now: at(0), random: 0.5 });
    expect(decision).toEqual({
      action: 'requeue',
      delaySeconds: 1,
      reference: jobRef({
        watch: { polls: 1, firstSeenAt, lastStatus: 'running', lastError: null, notFoundChecks: 0 },
      }),
    });
  });

  it('requeues a running job with the next delay', () => {
    const reference = jobRef({ watch: watchState({ polls: 6, firstSeenAt }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(80), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', delaySeconds: 20, reference: { watch: { polls: 7 } } });
  });

  it('treats an unknown status as not final', () => {
    const decision = decide({ reference: jobRef(), check: ok('queued'), policy, now: at(0), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', reference: { watch: { lastStatus: 'queued' } } });
  });

  it.each(['successful', 'partially_successful', 'failed'])('publishes a job that is %s', (status) => {
    const reference = jobRef({ watch: watchState({ polls: 2, firstSeenAt }) });
    const decision = decide({ reference, check: ok(status), policy, now: at(5), random: 0.5 });
    expect(decision).toMatchObject({ action: 'publish', outcome: { status, polls: 3, publishedAt: at(5).toISOString() } });
  });

  it("publishes Alation's word in another case or with white space as the final status it names", () => {
    const decision = decide({ reference: jobRef(), check: ok(' Failed\n'), policy, now: at(5), random: 0.5 });
    expect(decision).toMatchObject({ action: 'publish', outcome: { status: 'failed', lastStatus: ' Failed\n' } });
  });

  it('requeues a retryable failure and remembers it as the last error', () => {
    const error = new AlationError('server_error', 'job status id 1: Alation answered HTTP 503', { httpStatus: 503 });
    const reference = jobRef({ watch: watchState({ firstSeenAt }) });
    const decision = decide({ reference, check: failed(error), policy, now: at(10), random: 0.5 });
    expect(decision).toMatchObject({
      action: 'requeue',
      delaySeconds: 3,
      reference: { watch: { lastStatus: 'running', lastError: { errorClass: 'server_error', message: error.message } } },
    });
  });

  it("waits at least Alation's Retry-After after a 429", () => {
    const error = new AlationError('rate_limited', 'slow down', { httpStatus: 429, retryAfterSeconds: 45 });
    const decision = decide({ reference: jobRef(), check: failed(error), policy, now: at(0), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', delaySeconds: 45 });
  });

  it('keeps watching after an auth failure, but waits a minute', () => {
    const decision = decide({ reference: jobRef(), check: failed(new AlationError('auth', 'HTTP 401')), policy, now: at(0), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', delaySeconds: 60 });
  });

  it('keeps watching when the token secret is broken, recording why', () => {
    const decision = decide({
      reference: jobRef(),
      check: failed(new TokenSecretError('secret s holds no token')),
      policy,
      now: at(0),
      random: 0.5,
    });
    expect(decision).toMatchObject({
      action: 'requeue',
      delaySeconds: 60,
      reference: { watch: { lastError: { errorClass: 'token_secret', message: 'secret s holds no token' } } },
    });
  });

  it('publishes timed_out at the deadline, with the last error', () => {
    const lastError = { errorClass: 'timeout', message: 'no answer' };
    const reference = jobRef({ watch: watchState({ polls: 30, firstSeenAt, lastError }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(3600), random: 0.5 });
    expect(decision).toMatchObject({
      action: 'publish',
      outcome: { status: 'timed_out', polls: 31, lastStatus: 'running', lastError, hasErrors: true },
    });
  });

  it('publishes timed_out when the last check before the deadline failed', () => {
    const reference = jobRef({ watch: watchState({ firstSeenAt }) });
    const error = new AlationError('timeout', 'no answer within 10000 ms');
    const decision = decide({ reference, check: failed(error), policy, now: at(4000), random: 0.5 });
    expect(decision).toMatchObject({ action: 'publish', outcome: { status: 'timed_out', lastError: { errorClass: 'timeout' } } });
  });

  it('never schedules a check past the deadline', () => {
    const reference = jobRef({ watch: watchState({ firstSeenAt }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(3590), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', delaySeconds: 10 });
  });

  it(`publishes not_found after ${MAX_NOT_FOUND_CHECKS} answers "no such job" in a row`, () => {
    const notFound = failed(new AlationError('not_found', 'HTTP 404', { httpStatus: 404 }));
    let reference = jobRef();
    const actions: string[] = [];
    for (let i = 0; i < MAX_NOT_FOUND_CHECKS; i++) {
      const decision = decide({ reference, check: notFound, policy, now: at(i * 2), random: 0.5 });
      actions.push(decision.action);
      if (decision.action === 'requeue') reference = decision.reference;
      else expect(decision.outcome).toMatchObject({ status: 'not_found', polls: MAX_NOT_FOUND_CHECKS, hasErrors: true });
    }
    expect(actions).toEqual([...Array(MAX_NOT_FOUND_CHECKS - 1).fill('requeue'), 'publish']);
  });

  it('forgets earlier "no such job" answers once Alation knows the job', () => {
    const reference = jobRef({ watch: watchState({ firstSeenAt, notFoundChecks: 4 }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(3), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', reference: { watch: { notFoundChecks: 0 } } });
  });

  it('counts the watch from now when the remembered first-seen time lies in the future', () => {
    const reference = jobRef({ watch: watchState({ firstSeenAt: '9999-01-01T00:00:00.000Z' }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(0), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', reference: { watch: { firstSeenAt } } });
  });

  it('cuts an absurdly long status to what the watch state can hold', () => {
    const decision = decide({ reference: jobRef(), check: ok('x'.repeat(500)), policy, now: at(0), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', reference: { watch: { lastStatus: 'x'.repeat(64) } } });
  });

  it('keeps polls near Number.MAX_SAFE_INTEGER from making the next re-send invalid', () => {
    const reference = jobRef({ watch: watchState({ polls: Number.MAX_SAFE_INTEGER, firstSeenAt }) });
    const decision = decide({ reference, check: ok('running'), policy, now: at(10), random: 0.5 });
    expect(decision).toMatchObject({ action: 'requeue', reference: { watch: { polls: MAX_WATCH_POLLS + 1 } } });
    expect(Number.isSafeInteger(MAX_WATCH_POLLS + 1)).toBe(true);
  });

  it('never takes a claimed "no such job" count to not_found without a check that says so', () => {
    const reference = jobRef({ watch: watchState({ notFoundChecks: 1_000, firstSeenAt }) });
    expect(decide({ reference, check: ok('running'), policy, now: at(10), random: 0.5 })).toMatchObject({
      action: 'requeue',
      reference: { watch: { notFoundChecks: 0 } },
    });
    const notFound = failed(new AlationError('not_found', 'HTTP 404', { httpStatus: 404 }));
    // One more answer "no such job" counts from the bound, not from the claim.
    expect(decide({ reference, check: notFound, policy, now: at(10), random: 0.5 })).toMatchObject({ action: 'publish' });
    const fresh = jobRef({ watch: watchState({ notFoundChecks: 0, firstSeenAt }) });
    expect(decide({ reference: fresh, check: notFound, policy, now: at(10), random: 0.5 })).toMatchObject({ action: 'requeue' });
  });

  it('brings a first-seen time decades ago back to the earliest a real watch can reach', () => {
    const reference = jobRef({ watch: watchState({ firstSeenAt: '1970-01-01T00:00:00.000Z' }) });
    const now = at(0);
    const decision = decide({ reference, check: ok('running'), policy, now, random: 0.5 });
    const earliest = now.getTime() - (policy.maxWatchSeconds + 15 * 24 * 3600) * 1000;
    expect(decision).toMatchObject({ action: 'publish', outcome: { status: 'timed_out', firstSeenAt: new Date(earliest).toISOString() } });
  });
});
