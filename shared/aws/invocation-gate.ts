/**
 * Longest a call is held for company. The records of one invocation reach their re-send or
 * publish within a few milliseconds of each other (their Alation calls overlap); one whose
 * neighbours are still waiting on a slow Alation answer goes out alone rather than wait.
 */
export const DEFAULT_MAX_WAIT_MS = 25;

/** What the handler tells the gate of one invocation's records. */
export interface RecordGate {
  /** A record of the invocation started: its calls, if any, may be held back for company. */
  recordStarted(): void;
  /** A record finished (sent, published, failed or skipped): its calls are no longer to be waited for. */
  recordEnded(): void;
}

/** One batcher's side of the gate (`BatchGate.join`). */
export interface GateMember {
  /**
   * A call of a record is now held by this batcher (pending or in flight): its record waits. May
   * flush every batcher at once, so call it after the call is queued.
   */
  held(): void;
  /** That call settled: its record no longer waits on it. */
  settled(): void;
}

/**
 * When the held calls of ONE invocation go out. A batcher (the re-sends' `SendMessageBatch`,
 * the outcomes' `PublishBatch`) joins with its flush; a held call goes out when every record of
 * the invocation that is still running is waiting on some batcher, or when
 * {@link DEFAULT_MAX_WAIT_MS} have passed since the first call held: nothing waits for a record
 * that will never make a batched call, records not yet started (held back by the concurrency
 * limit) are never waited for, and a slow neighbour delays a call by 25 ms at most. One gate
 * serves every batcher because a record waits on one call at a time: a re-send waiting for a
 * record that is publishing would otherwise wait out the timer, and the other way round.
 * Create one per invocation; never share one between concurrent invocations.
 */
export interface BatchGate extends RecordGate {
  join(flush: () => void): GateMember;
}

export function createBatchGate(options: { readonly maxWaitMs?: number } = {}): BatchGate {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const flushes: (() => void)[] = [];
  let running = 0;
  /** Calls not yet settled, pending or in flight: each belongs to one waiting record. */
  let waiting = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flushAll = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const flush of flushes) flush();
  };
  // `>=`: a call from outside any started record is not held at all.
  const flushIfAllWait = () => {
    if (waiting >= running) flushAll();
  };

  return {
    recordStarted() {
      running += 1;
    },
    recordEnded() {
      running = Math.max(0, running - 1);
      flushIfAllWait();
    },
    join(flush) {
      flushes.push(flush);
      return {
        held() {
          waiting += 1;
          timer ??= setTimeout(flushAll, maxWaitMs);
          flushIfAllWait();
        },
        settled() {
          waiting = Math.max(0, waiting - 1);
        },
      };
    },
  };
}
