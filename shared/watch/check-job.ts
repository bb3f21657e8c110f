import type { AlationClient } from '../alation/client';
import type { JobIdentifier } from '../alation/job-identifier';
import type { TokenProvider } from '../aws/token-provider';
import { AlationError, AlationErrorClass, JobWatchError, TimeBudgetError } from '../errors';
import type { CheckResult } from './decide';

export interface CheckJobDependencies {
  readonly alation: AlationClient;
  readonly tokens: TokenProvider;
  /** Called after each answered check, with Alation's latency. */
  readonly onCheck?: (latencyMs: number) => void;
  /** Called for each failure; `willRetry` when a refused token is about to be replaced. */
  readonly onError?: (error: JobWatchError, willRetry: boolean) => void;
  /**
   * The caller's time (a record's budget): every secret read, mint and Alation call stops
   * when it aborts, and the check then throws its reason instead of returning a result.
   */
  readonly signal?: AbortSignal;
}

/**
 * One status check, as the watcher and the CLI make it. A refused token is re-read (or
 * re-minted) once and the check retried once: the secret may have rotated, or the minted
 * token expired. Failures come back as a result, not an exception, except bugs and the
 * caller's time running out ({@link TimeBudgetError}: the record is retried, nothing decided).
 */
export async function checkJobStatus(job: JobIdentifier, deps: CheckJobDependencies): Promise<CheckResult> {
  for (let attempt = 1; ; attempt++) {
    let token: string;
    try {
      token = await deps.tokens.getToken(deps.signal);
    } catch (error) {
      return failure(error, deps);
    }
    try {
      const { status, latencyMs } = await deps.alation.getJobStatus(job, token, deps.signal);
      deps.onCheck?.(latencyMs);
      return { ok: true, response: status };
    } catch (error) {
      if (attempt === 1 && error instanceof AlationError && error.errorClass === AlationErrorClass.auth) {
        deps.onError?.(error, true);
        deps.tokens.invalidate(token);
        continue;
      }
      return failure(error, deps);
    }
  }
}

function failure(error: unknown, deps: CheckJobDependencies): CheckResult {
  if (!(error instanceof JobWatchError)) throw error; // a bug, not a failed check
  if (error instanceof TimeBudgetError) throw error; // out of time: no answer to decide on
  deps.onError?.(error, false);
  return { ok: false, error };
}
