import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextDelaySeconds, type BackoffPolicy } from '../../shared/watch/backoff';

const policy: BackoffPolicy = { initialDelaySeconds: 1, maxDelaySeconds: 300, growth: 0.25, jitter: 0 };
const input = (elapsedSeconds: number, extra: Partial<Parameters<typeof nextDelaySeconds>[1]> = {}) => ({
  elapsedSeconds,
  remainingSeconds: 86_400,
  random: 0.5,
  ...extra,
});

describe('nextDelaySeconds', () => {
  it('starts at the initial delay', () => {
    expect(nextDelaySeconds(policy, input(0))).toBe(1);
  });

  it('grows with the time the job has run', () => {
    expect(nextDelaySeconds(policy, input(40))).toBe(10);
    expect(nextDelaySeconds(policy, input(400))).toBe(100);
  });

  it('never exceeds the maximum delay', () => {
    expect(nextDelaySeconds(policy, input(36_000))).toBe(300);
  });

  it("honours Alation's Retry-After as a floor", () => {
    expect(nextDelaySeconds(policy, input(4, { retryAfterSeconds: 30 }))).toBe(30);
  });

  it('lands the last check on the deadline', () => {
    expect(nextDelaySeconds(policy, input(1000, { remainingSeconds: 7 }))).toBe(7);
  });

  it('spreads jobs with jitter', () => {
    const jittered = { ...policy, jitter: 0.1 };
    expect(nextDelaySeconds(jittered, input(400, { random: 0 }))).toBe(90);
    expect(nextDelaySeconds(jittered, input(400, { random: 0.999999 }))).toBe(110);
  });

  it('always gives whole seconds within SQS limits (0–900)', () => {
    fc.assert(
      fc.property(
        fc.record({
          initialDelaySeconds: fc.integer({ min: 1, max: 900 }),
          maxDelaySeconds: fc.integer({ min: 1, max: 900 }),
          growth: fc.double({ min: 0, max: 10, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: -1e5, max: 1e7, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (p, elapsedSeconds, remainingSeconds, retryAfterSeconds, random) => {
          const delay = nextDelaySeconds(p, { elapsedSeconds, remainingSeconds, retryAfterSeconds, random });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(900);
        },
      ),
    );
  });
});
