/**
 * The outcome contract's constants, apart from its validator (`outcome.ts`): the function
 * builds outcomes and never parses them, so it imports these without constructing the zod
 * schema at cold start.
 */

/** The `schema` value of every outcome this version publishes. */
export const OUTCOME_SCHEMA = 'alation.job-outcome/v1';

/** Every status an outcome can have: Alation's three final ones and the watcher's two. */
export const OutcomeStatus = {
  successful: 'successful',
  partiallySuccessful: 'partially_successful',
  failed: 'failed',
  timedOut: 'timed_out',
  notFound: 'not_found',
} as const;
export type OutcomeStatus = (typeof OutcomeStatus)[keyof typeof OutcomeStatus];
