/** The `npm start` demo and local watch sessions: the whole watcher on loopback, with a live view. */
export { runDemo, demoTunables } from './run-demo';
export type { RunDemoOptions } from './run-demo';
export { runWatchSession } from './watch-session';
export type { SessionJob, WatchSessionOptions, WatchSessionResult } from './watch-session';
export { demoJobs, DEFAULT_DEMO_DEADLINE_SECONDS, MIN_DEMO_DEADLINE_SECONDS } from './demo-jobs';
export type { DemoExpectation, DemoJob, DemoJobsOptions, DemoResultField } from './demo-jobs';
export { compareOutcome } from './compare-outcome';
export type { Difference, ObservedJob } from './compare-outcome';
export { createLiveView } from './live-view';
export type { LiveView, LiveViewOptions } from './live-view';
export { renderProgress, renderProgressLine, statusCounts, STATUS_ORDER } from './progress';
export type { ProgressSnapshot } from './progress';
export { renderOutcomeTable, renderDifferences, countsCell, errorsCell, notifyCell } from './outcome-table';
export type { OutcomeRow } from './outcome-table';
export { redirectProcessOutput } from './redirect-output';
export type { OutputRedirection } from './redirect-output';
