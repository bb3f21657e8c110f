import { TimeBudgetError } from '../errors';

/**
 * How much of the invocation one record needs, derived from its worst path rather than
 * guessed. Two numbers:
 * - `effectMs`: the longest an effect can take once started (a publish is three AWS calls:
 *   the idempotency record written, SNS Publish, the record marked complete; a re-send or a
 *   dead-letter is one; a publish or a re-send may also be held at the invocation's batch gate
 *   first, `heldMs` at most). An effect is never started with less than this left, so the
 *   function timeout can never cut it halfway (a publish cut after SNS took the message and
 *   before the record is marked complete is published twice).
 * - `startMs`: a record is not started with less than this left. It covers the token
 *   refresh path with the token cached: check refused (401) → secret re-read → token minted
 *   → check again, i.e. three Alation calls and one secret read, then the effect.
 *
 * A path longer than `startMs` (a cold minted token refused: two reads, four Alation calls)
 * is still safe: the record's `signal` stops its checks when only `effectMs` is left, and the
 * record is retried. `startMs` only avoids starting records that would likely be stopped.
 */
export interface TimeReserves {
  readonly startMs: number;
  readonly effectMs: number;
}

export interface RecordTimeInputs {
  /** `ALATION_TIMEOUT_MS`: one Alation request, connect to last byte. */
  readonly alationTimeoutMs: number;
  /** The longest one AWS SDK call can take, retries included (`AWS_CALL_WORST_MS`). */
  readonly awsCallMs: number;
  /**
   * The longest a batched call waits at the invocation's gate before it is sent
   * (`DEFAULT_MAX_WAIT_MS` in `shared/aws/invocation-gate.ts`); 0 where nothing is batched.
   */
  readonly heldMs: number;
}

/** AWS calls of the longest effect: idempotency PutItem, SNS Publish, idempotency UpdateItem. */
export const AWS_CALLS_PER_EFFECT = 3;
/** Alation calls of the 401 path with a cached token: the refused check, the mint, the check again. */
export const ALATION_CALLS_ON_REFRESH = 3;

/** The reserves of the real worst path (see {@link TimeReserves}). Pure. */
export function recordTimeReserves(inputs: RecordTimeInputs): TimeReserves {
  const effectMs = AWS_CALLS_PER_EFFECT * inputs.awsCallMs + inputs.heldMs;
  return { effectMs, startMs: effectMs + inputs.awsCallMs + ALATION_CALLS_ON_REFRESH * inputs.alationTimeoutMs };
}

/**
 * The reserves for one invocation. An invocation shorter than the worst path (local tests
 * run 1.5–6 s functions against stand-ins that answer in milliseconds) gets them scaled down
 * in proportion, to a start reserve of half the invocation (the effect reserve then keeps its
 * share of it: about 32 % with the defaults). The deployed defaults (60 s function, 10 s Alation
 * timeout: 52.025 s start reserve) are not scaled.
 */
export function reservesFor(invocationBudgetMs: number, reserves: TimeReserves): TimeReserves {
  if (reserves.startMs <= invocationBudgetMs) return reserves;
  const scale = invocationBudgetMs / 2 / reserves.startMs;
  return { startMs: Math.floor(reserves.startMs * scale), effectMs: Math.floor(reserves.effectMs * scale) };
}

/** What a record is given to stay within the invocation. */
export interface RecordTime {
  /** Aborted (reason: {@link TimeBudgetError}) once only the effect reserve is left: checks must stop. */
  readonly signal: AbortSignal;
  /** Throws a retryable {@link TimeBudgetError} when too little time is left to carry out `effect` without being cut. */
  assertTimeForEffect(effect: string): void;
}

/** A record's time while it runs; `end()` releases its timer. */
export interface RunningRecordTime extends RecordTime {
  end(): void;
}

/** No limit: for the CLI and unit tests that do not exercise time. */
export const UNLIMITED_TIME: RecordTime = {
  signal: new AbortController().signal,
  assertTimeForEffect: () => undefined,
};

/**
 * Starts the clock of one record, or refuses to start it (throws {@link TimeBudgetError})
 * when less than `startMs` is left. `remainingMs` is the invocation's
 * `getRemainingTimeInMillis`; the timer is plain `setTimeout`, so tests drive it with fake timers.
 */
export function startRecordTime(remainingMs: () => number, reserves: TimeReserves): RunningRecordTime {
  const left = remainingMs();
  if (left < reserves.startMs) {
    throw new TimeBudgetError(`${left} ms left before the function timeout, a record needs ${reserves.startMs}: record left for the next delivery`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new TimeBudgetError(`checks stopped with ${remainingMs()} ms left, kept for the effect: the record is retried`));
  }, left - reserves.effectMs);
  // The invocation's end must not wait for a record's clock.
  timer.unref?.();
  return {
    signal: controller.signal,
    assertTimeForEffect(effect) {
      const now = remainingMs();
      if (now < reserves.effectMs) {
        throw new TimeBudgetError(`${now} ms left before the function timeout: too little to ${effect} safely; the record is retried`);
      }
    },
    end: () => clearTimeout(timer),
  };
}

/**
 * `promise`, or the signal's reason as soon as it aborts. For work shared between callers
 * (one secret read for many records): one caller giving up must not cancel it for the rest,
 * and the work itself is bounded by its own timeouts.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
