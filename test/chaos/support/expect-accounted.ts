import { expect } from 'vitest';
import type { ScenarioReport } from './scenario';

/**
 * The invariant of every scenario: each job has exactly one outcome with the expected status
 * (or was redriven to the DLQ, counted apart), each invalid body is in the DLQ with its
 * reason, nothing is left polling, and no token appears anywhere the run wrote. A scenario
 * marked `knownDuplicates` may repeat an outcome, only with the same `notificationId`. On a
 * scenario with follow-up chains, each chain also has exactly one verdict (unless a job of it
 * is in the DLQ) that agrees with the plan and with its jobs' published outcomes.
 */
export function expectEveryJobAccountedFor(report: ScenarioReport): void {
  expect({
    lost: report.lost,
    duplicates: report.knownDuplicates ? report.conflictingDuplicates : report.duplicates,
    wrongStatus: report.wrongStatus,
    unexpected: report.unexpected,
    invalidMissing: report.invalidMissing,
    leftOnQueue: report.leftOnQueue,
    tokenLeaks: report.tokenLeaks,
  }).toEqual({ lost: 0, duplicates: 0, wrongStatus: [], unexpected: [], invalidMissing: [], leftOnQueue: 0, tokenLeaks: [] });
  expect(report.outcomes + report.redriven + report.unreached).toBeGreaterThanOrEqual(report.jobs);
  expect(report.unexpectedVerdicts).toEqual([]);
  if (report.chains) {
    const { missing, wrong, unexpected } = report.chains;
    expect({ missing, wrong, unexpected }).toEqual({ missing: [], wrong: [], unexpected: [] });
  }
}
