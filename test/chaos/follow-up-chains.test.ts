/**
 * Follow-up chains under faults (issue 14 at chaos scale, fast variant): the catalogue of chain
 * shapes (test/chaos/support/chains.ts) through the real handler while the runtime crashes
 * mid-batch and after publishes, SNS refuses publishes, and roots arrive twice. Every watched
 * job must end once, every chain with exactly one verdict, the worst of its published outcomes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectEveryJobAccountedFor } from './support/expect-accounted';
import { fastScenarios } from './support/fast-scenarios';
import type { ScenarioReport } from './support/scenario';
import { refusedPublishes } from './support/aws-faults';

const scenarios = fastScenarios();

describe('follow-up chains under crashes, refused publishes and duplicate delivery', () => {
  let report: ScenarioReport;
  beforeAll(async () => {
    report = await scenarios.run('follow-up-chains');
  }, 60_000);

  it('injected the faults that matter for chains', () => {
    const { faultStats } = report.collected;
    expect(faultStats.crashes).toBeGreaterThan(0);
    expect(refusedPublishes(faultStats)).toBeGreaterThan(0);
  });

  it('ends every root and every watched follow-up in one outcome, and every chain in one verdict agreeing with its jobs', () => {
    expectEveryJobAccountedFor(report);
  });

  it('gives each chain the worst status of its jobs, at least partially_successful past the depth bound or six follow-ups', () => {
    const { verdictsByStatus, chains, followUps, unwatchedNamed, openWithDlq } = report.chains!;
    // A chain whose job reached the DLQ (8 failed receives) stays open until redriven, as documented.
    expect(Object.values(verdictsByStatus).reduce((a, b) => a + b, 0) + openWithDlq).toBe(chains);
    // The catalogue: failed, not_found and partially_successful verdicts are all reached.
    expect(Object.keys(verdictsByStatus).sort()).toEqual(['failed', 'not_found', 'partially_successful', 'successful']);
    expect(followUps).toBeGreaterThan(chains);
    expect(unwatchedNamed).toBeGreaterThanOrEqual(13);
  });

  it('drops the second poll chain of a root delivered twice', () => {
    expect(report.collected.logLines.some((l) => l.includes('outcome already published by another poll chain'))).toBe(true);
  });
});
