import { randomUUID } from 'node:crypto';
import { parseResult } from '../alation/parse-result';
import type { Outcome } from '../contracts/outcome';
import { OUTCOME_SCHEMA, OutcomeStatus } from '../contracts/outcome-status';

/** The job name every test notification carries, so nobody mistakes it for a real job. */
export const TEST_JOB_NAME = 'alation-job-watch notify-test (no job ran)';

/** What a test notification looks like: which status and kind to route as. */
export interface TestOutcomeInput {
  readonly status: OutcomeStatus;
  readonly kind: string | null;
  readonly now: Date;
}

/**
 * A valid outcome v1 marked `test: true`, shaped like a real one of the given status and kind
 * (same `hasErrors` rule), so it routes through filter policies exactly as a real outcome would.
 * Its `notificationId` is new each time: a receiver that drops duplicates must not drop the next test.
 */
export function buildTestOutcome(input: TestOutcomeInput): Outcome {
  const at = input.now.toISOString();
  const ended = input.status !== OutcomeStatus.timedOut && input.status !== OutcomeStatus.notFound;
  return {
    schema: OUTCOME_SCHEMA,
    notificationId: `test-${randomUUID()}`,
    job: { name: TEST_JOB_NAME },
    kind: input.kind,
    context: { notifyTest: true },
    status: input.status,
    hasErrors: input.status !== OutcomeStatus.successful,
    message: 'Test notification sent by alation-job-watch notify-test. No job ran; nothing needs doing.',
    durationSeconds: ended ? 0 : null,
    finishedAt: ended ? at : null,
    result: parseResult(null).result,
    followUpJobIds: [],
    polls: 0,
    firstSeenAt: at,
    publishedAt: at,
    lastStatus: ended ? input.status : null,
    lastError: null,
    test: true,
  };
}
