export { AlationJobWatch, DEFAULT_ENTRY } from './alation-job-watch';
export { stackPropsFromContext } from './context';
export { AlationJobWatchStack, validateTokenSecretReference } from './job-watch-stack';
export type { AlationJobWatchStackProps, TokenSecretReference } from './job-watch-stack';
export { ALATION_ERROR_CLASSES, METRICS_NAMESPACE, MetricName, OUTCOME_STATUSES, SERVICE_NAME } from './metrics';
export type { AlationErrorClass, OutcomeStatus } from './metrics';
export type { AlationJobWatchProps, OutcomeFilter, OutcomeSubscriber, OutcomeSubscriberInput } from './props';
export { AlationJobWatchConfigError, DEFAULTS, FUNCTION_DEFAULTS, validateAlationJobWatchProps } from './validate-props';
