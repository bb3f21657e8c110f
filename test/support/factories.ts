import type { JobReference } from '../../shared/contracts/job-reference';
import type { WatchState } from '../../shared/contracts/watch-state';

export const jobRef = (overrides: Partial<JobReference> = {}): JobReference => ({
  job: { id: 1 },
  kind: null,
  context: null,
  watch: null,
  ...overrides,
});

export const watchState = (overrides: Partial<WatchState> = {}): WatchState => ({
  polls: 1,
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  lastStatus: 'running',
  lastError: null,
  notFoundChecks: 0,
  ...overrides,
});
