import { randomUUID } from 'node:crypto';
import { startAlationSimulator, type AlationSimulator } from '../simulator';
import { DEFAULT_DEMO_DEADLINE_SECONDS, demoJobs } from './demo-jobs';
import { runWatchSession, type WatchSessionOptions, type WatchSessionResult } from './watch-session';

/** The simulator's user that owns the demo's refresh token. */
const DEMO_USER_ID = 1;

/** Options of {@link runDemo}. */
export interface RunDemoOptions extends Pick<WatchSessionOptions, 'output' | 'outDir' | 'signal' | 'refreshMs' | 'captureHandlerLogs' | 'stay'> {
  /** The watch deadline; job durations scale with it. @default 40 */
  readonly deadlineSeconds?: number;
  /** @default startAlationSimulator */
  readonly startSimulator?: typeof startAlationSimulator;
}

/**
 * Poll timing for the demo: checks at least every few seconds so a one-minute demo shows
 * several polls per job, and a short Alation timeout so a stuck request cannot stall it.
 */
export function demoTunables(deadlineSeconds: number): Record<string, string> {
  return {
    POLL_INITIAL_DELAY_SECONDS: '1',
    POLL_MAX_DELAY_SECONDS: String(Math.max(1, Math.min(5, Math.floor(deadlineSeconds / 8)))),
    MAX_WATCH_SECONDS: String(deadlineSeconds),
    ALATION_TIMEOUT_MS: '3000',
    RECORD_CONCURRENCY: '5',
  };
}

/**
 * The `npm start` demo: the Alation simulator plays the demo jobs, the whole watcher runs
 * locally, and each job's outcome is checked against what it should be.
 */
export async function runDemo(options: RunDemoOptions): Promise<WatchSessionResult> {
  const deadlineSeconds = options.deadlineSeconds ?? DEFAULT_DEMO_DEADLINE_SECONDS;
  const jobs = demoJobs({ deadlineSeconds });
  let simulator: AlationSimulator | undefined;
  try {
    // The secret holds a refresh token, the form the docs recommend: the handler mints access
    // tokens from it, and `doctor` on a `--stay` stack can ask the simulator about its expiry.
    const grant = { refreshToken: randomUUID(), userId: DEMO_USER_ID };
    simulator = await (options.startSimulator ?? startAlationSimulator)({
      jobs: jobs.flatMap((job) => (job.simulator ? [job.simulator] : [])),
      refreshTokens: [grant],
    });
    options.output.write(
      `Alation simulator on ${simulator.url}; local SQS/SNS, DynamoDB and Secrets Manager on 127.0.0.1.\n` +
        `Watching ${jobs.length} demo jobs (deadline ${deadlineSeconds} s). Ctrl-C stops everything.\n\n`,
    );
    return await runWatchSession({
      ...options,
      alationBaseUrl: simulator.url,
      tokenSecretValue: { refreshToken: grant.refreshToken, userId: grant.userId },
      tunables: demoTunables(deadlineSeconds),
      deadlineSeconds,
      jobs,
      graceMs: 10_000,
      // A failed batch comes back after the visibility timeout: keep it short enough for a demo.
      watch: { visibilityTimeoutSeconds: 10, functionTimeoutMs: 10_000 },
    });
  } finally {
    await simulator?.stop();
  }
}
