/** The CloudWatch namespace and service name the CDK stack's dashboard and alarms read. */
export const Observability = {
  namespace: 'AlationJobWatch',
  serviceName: 'alation-job-watch',
} as const;

/** Metric names: a public contract with the dashboard and alarms in `infra/`. */
export const MetricName = {
  JobChecks: 'JobChecks',
  JobsRequeued: 'JobsRequeued',
  OutcomesPublished: 'OutcomesPublished',
  AlationLatency: 'AlationLatency',
  AlationErrors: 'AlationErrors',
  InvalidMessages: 'InvalidMessages',
  DuplicateOutcomesSuppressed: 'DuplicateOutcomesSuppressed',
  /** Token check (daily): 1 when Alation accepts the secret's token, else 0. */
  TokenValid: 'TokenValid',
  /** Token check (daily): whole days until the refresh token expires (not emitted for a bare access token). */
  TokenDaysToExpiry: 'TokenDaysToExpiry',
  /** Jobs that reported a status the watcher has no rule for (once per job and status). */
  UnknownStatuses: 'UnknownStatuses',
  FollowUpsEnqueued: 'FollowUpsEnqueued',
  /** By `status`: chains that ended, one verdict each. */
  ChainVerdicts: 'ChainVerdicts',
  /** Bodies whose watch state was not sealed by the watcher (a producer wrote it): ignored. */
  ForgedWatchState: 'ForgedWatchState',
} as const;
