/** Every status an outcome can have: Alation's three final ones and the watcher's two. */
export const OutcomeStatus = {
  successful: 'successful',
  partiallySuccessful: 'partially_successful',
  failed: 'failed',
  timedOut: 'timed_out',
  notFound: 'not_found',
} as const;
export type OutcomeStatus = (typeof OutcomeStatus)[keyof typeof OutcomeStatus];
