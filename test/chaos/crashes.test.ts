/**
 * The runtime dying mid-batch (a crash, or Lambda ending it at the function timeout) after some
 * records were re-sent or published, and the same message delivered twice. The emulated
 * environment does nothing more once dead; the next invocation is a cold start.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';
import type { ScenarioReport } from './support/scenario';

const scenarios = fastScenarios();

describe('when the handler dies mid-batch or a message comes twice', () => {
  it('loses nothing and doubles nothing when the runtime crashes between records', async () => {
    const report = await scenarios.run('crash-mid-batch');
    expectEveryJobAccountedFor(report);
    expect(report.collected.faultStats.crashes).toBeGreaterThan(0);
  }, 60_000);

  describe('a crash between a successful Publish and the idempotency save', () => {
    let report: ScenarioReport;
    beforeAll(async () => {
      report = await scenarios.run('crash-after-publish');
    }, 60_000);

    it('loses no job, and any second notification carries the same notificationId', () => {
      expect(report.collected.faultStats.crashes).toBeGreaterThan(0);
      expect({ lost: report.lost, conflicting: report.conflictingDuplicates, wrong: report.wrongStatus, leaks: report.tokenLeaks, left: report.leftOnQueue }).toEqual({
        lost: 0,
        conflicting: 0,
        wrong: [],
        leaks: [],
        left: 0,
      });
    });

    // Known limitation, not fixable by ordering: SNS has no conditional publish for standard
    // topics, so a runtime that dies after Publish and before the idempotency record is marked
    // complete leaves it in progress; after it expires the retry publishes again. docs/how-it-works.md says
    // receivers drop such duplicates by notificationId.
    it.fails('publishes only once', () => {
      expect(report.duplicates).toBe(0);
    });
  });

  it('stops records that cannot finish before the function timeout and retries them, without losing or doubling outcomes', async () => {
    const report = await scenarios.run('timeout-mid-batch');
    expectEveryJobAccountedFor(report);
    // Slow Alation near the timeout: the record time budget stops checks (or does not start
    // records) before an effect could be cut; any invocation that still times out is redelivered whole.
    expect(report.collected.logLines.some((l) => l.includes('record failed') && l.includes('TimeBudgetError'))).toBe(true);
  }, 60_000);

  it('ends two poll chains of one job with a single outcome when its message is delivered twice', async () => {
    const report = await scenarios.run('duplicate-delivery');
    expectEveryJobAccountedFor(report);
    expect(report.collected.logLines.some((l) => l.includes('outcome already published by another poll chain'))).toBe(true);
  }, 60_000);
});
