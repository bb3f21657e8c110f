import { expect } from 'vitest';
import type { ScenarioReport } from './scenario';

/**
 * The invariant of every scenario: each job has exactly one outcome with the expected status
 * (or was redriven to the DLQ, counted apart), each invalid body is in the DLQ with its
 * reason, nothing is left polling, and no token appears anywhere the run wrote.
 */
export function expectEveryJobAccountedFor(report: ScenarioReport): void {
  expect({
    lost: report.lost,
    duplicates: report.duplicates,
    wrongStatus: report.wrongStatus,
    unexpected: report.unexpected,
    invalidMissing: report.invalidMissing,
    leftOnQueue: report.leftOnQueue,
    tokenLeaks: report.tokenLeaks,
  }).toEqual({ lost: 0, duplicates: 0, wrongStatus: [], unexpected: [], invalidMissing: [], leftOnQueue: 0, tokenLeaks: [] });
  expect(report.outcomes + report.redriven).toBeGreaterThanOrEqual(report.jobs);
}
