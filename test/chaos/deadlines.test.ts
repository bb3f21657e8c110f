/**
 * Deadlines: a job that never finishes, or an Alation that never answers well, ends as
 * `timed_out` at MAX_WATCH_SECONDS, with what the last checks saw.
 */
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../shared/contracts/outcome';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';

const scenarios = fastScenarios();

/** Seconds between the first check and the publish. */
const watchedSeconds = (o: Outcome) => (Date.parse(o.publishedAt) - Date.parse(o.firstSeenAt)) / 1000;

describe('jobs that never finish', () => {
  it('end as timed_out at the deadline, while the others end with their status', async () => {
    const spec = scenarios.specs.deadline!;
    const report = await scenarios.run('deadline');
    expectEveryJobAccountedFor(report);
    const timedOut = report.collected.outcomes.filter((o) => o.status === 'timed_out');
    expect(timedOut.length).toBeGreaterThan(0);
    const deadline = Number(spec.tunables!.MAX_WATCH_SECONDS);
    for (const o of timedOut) {
      expect(o).toMatchObject({ lastStatus: 'running', hasErrors: true });
      // Not before the deadline, and not later than one more (capped, clipped) delay after it.
      expect(watchedSeconds(o)).toBeGreaterThanOrEqual(deadline);
      expect(watchedSeconds(o)).toBeLessThan(deadline + 3);
    }
  }, 60_000);

  it('end as timed_out with the last error when every check fails', async () => {
    const spec = scenarios.specs['deadline-alation-down']!;
    const report = await scenarios.run('deadline-alation-down');
    expectEveryJobAccountedFor(report);
    for (const o of report.collected.outcomes) {
      expect(o.lastError).toMatchObject({ errorClass: 'server_error', message: expect.stringContaining('HTTP 503') });
      expect(watchedSeconds(o)).toBeGreaterThanOrEqual(Number(spec.tunables!.MAX_WATCH_SECONDS));
    }
  }, 60_000);
});
