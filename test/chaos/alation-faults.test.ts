/**
 * Alation misbehaving: 5xx, latency up to the client timeout and hung requests, 429 with
 * Retry-After, HTML pages, truncated JSON, tokens expiring and a secret rotated mid-run.
 * The real handler runs through the local event source mapping on the local AWS stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';

const scenarios = fastScenarios();

describe('under Alation faults, every job ends in exactly one outcome', () => {
  it('retries 20 % server errors until each job ends with its real status', async () => {
    const report = await scenarios.run('alation-5xx');
    expectEveryJobAccountedFor(report);
    expect(report.faults.serverError).toBeGreaterThan(0);
  }, 60_000);

  it('retries timeouts and hung requests without overrunning the function timeout', async () => {
    const report = await scenarios.run('alation-slow-and-hanging');
    expectEveryJobAccountedFor(report);
    expect(report.faults.timeout).toBeGreaterThan(0);
  }, 60_000);

  it('honours Retry-After on 429 and treats HTML pages and truncated JSON as retryable', async () => {
    const report = await scenarios.run('alation-429-html-json');
    expectEveryJobAccountedFor(report);
    // A kind that happened not to be drawn in this (small, seeded-per-run) scenario is absent, not 0.
    expect((report.faults.rateLimit ?? 0) + (report.faults.html ?? 0) + (report.faults.malformedJson ?? 0)).toBeGreaterThan(0);
  }, 60_000);

  it('mints a new access token when the minted one expires mid-run', async () => {
    const report = await scenarios.run('token-expires-mid-run');
    expectEveryJobAccountedFor(report);
    expect(report.faults.tokensMinted).toBeGreaterThan(1);
  }, 60_000);

  it('re-reads the secret when it is rotated mid-run', async () => {
    const report = await scenarios.run('secret-rotated-mid-run');
    expectEveryJobAccountedFor(report);
    expect(report.collected.logLines.some((l) => l.includes('Alation refused the token'))).toBe(true);
  }, 60_000);
});
