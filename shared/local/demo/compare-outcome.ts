import { jobKey } from '../../alation/job-identifier';
import type { Outcome } from '../../contracts/outcome';
import type { DemoExpectation } from './demo-jobs';

/** What the demo saw for one job. */
export interface ObservedJob {
  /** Every outcome published for the job: exactly one is expected. */
  readonly outcomes: readonly Outcome[];
  /** `reason` attributes of its messages found on the DLQ. */
  readonly deadLetterReasons: readonly string[];
  /** Chain verdicts published for it as a chain's root: at most one is expected. */
  readonly verdicts?: readonly Outcome[];
}

/** One field that differs, spelled so a reader sees both sides. */
export interface Difference {
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

const show = (value: unknown): string => (value === undefined ? '(none)' : JSON.stringify(value));

/**
 * Compares what the demo saw for a job with what it expected; an empty list means it matched.
 * Pure, so the exact "expected vs actual" lines the demo prints are tested without running it.
 */
export function compareOutcome(expected: DemoExpectation, observed: ObservedJob): Difference[] {
  if (expected.status === 'dead_lettered') {
    const differences: Difference[] = [];
    if (observed.deadLetterReasons.length !== 1) {
      differences.push({ field: 'dead-lettered messages', expected: '1', actual: String(observed.deadLetterReasons.length) });
    }
    const reason = observed.deadLetterReasons[0];
    if (reason !== undefined && expected.reasonStartsWith !== undefined && !reason.startsWith(expected.reasonStartsWith)) {
      differences.push({ field: 'reason', expected: `${show(expected.reasonStartsWith)}…`, actual: show(reason) });
    }
    if (observed.outcomes.length > 0) {
      differences.push({ field: 'outcomes', expected: '0', actual: observed.outcomes.map((o) => o.status).join(', ') });
    }
    return differences;
  }

  const [outcome, ...duplicates] = observed.outcomes;
  if (outcome === undefined) return [{ field: 'status', expected: expected.status, actual: '(no outcome)' }];
  const differences: Difference[] = [];
  const check = (field: string, want: unknown, got: unknown): void => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) differences.push({ field, expected: show(want), actual: show(got) });
  };
  if (duplicates.length > 0) differences.push({ field: 'outcomes', expected: '1', actual: String(observed.outcomes.length) });
  if (outcome.status !== expected.status) differences.push({ field: 'status', expected: expected.status, actual: outcome.status });
  check('hasErrors', expected.hasErrors, outcome.hasErrors);
  check('lastStatus', expected.lastStatus, outcome.lastStatus);
  check('followUpJobIds', expected.followUpJobIds, outcome.followUpJobIds);
  check('parent', expected.parent, outcome.parent ? jobKey(outcome.parent.job) : undefined);
  const verdicts = observed.verdicts ?? [];
  if (expected.chain) {
    const [verdict] = verdicts;
    if (verdicts.length !== 1) differences.push({ field: 'chain verdicts', expected: '1', actual: String(verdicts.length) });
    if (verdict) {
      check('chain.status', expected.chain.status, verdict.chain?.status);
      check('chain.jobs', expected.chain.jobs, verdict.chain?.jobs.length);
    }
  } else if (verdicts.length > 0) {
    differences.push({ field: 'chain verdicts', expected: '0', actual: String(verdicts.length) });
  }
  for (const [field, value] of Object.entries(expected.result ?? {})) {
    check(`result.${field}`, value, outcome.result[field as keyof Outcome['result']]);
  }
  if (observed.deadLetterReasons.length > 0) {
    differences.push({ field: 'dead-lettered messages', expected: '0', actual: observed.deadLetterReasons.join('; ') });
  }
  return differences;
}
