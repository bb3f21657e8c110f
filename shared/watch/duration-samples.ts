import type { KindDurations } from './duration-histogram';
import { recordSamples, type KindDurationStore } from './kind-duration-store';
import type { RecordLog } from './process-record';
import { describeError } from '../errors';

/** A duration store for ONE invocation whose writes wait for its end (see {@link collectDurationSamples}). */
export interface InvocationDurationStore extends KindDurationStore {
  /**
   * Writes the samples held, one `recordAll` per kind, when `hasTime()` says a write can
   * still finish; otherwise, or when a write fails, they are logged and dropped. Never throws.
   */
  flush(hasTime: () => boolean): Promise<void>;
}

/**
 * Learning is an optimisation (see `KindDurationStore`): a published record must not wait on
 * it, nor pay a write of its own. So the samples of one invocation are held here and written
 * after every record of the invocation is settled, one write per kind (ten outcomes of one
 * kind: one `UpdateItem`, not ten). A sample is only ever added after its outcome was
 * published (process-record), so nothing is learned from an outcome that was not. `record`
 * resolves at once to true: whether the store kept the samples is logged at the flush.
 *
 * The cost of holding: a sample is lost if the invocation dies before its end (the outcome
 * stands; one sample of a histogram that counts thousands is missed), and a flush failure
 * drops the invocation's samples of that kind, logged. Reads pass straight through.
 */
export function collectDurationSamples(store: KindDurationStore, log: Pick<RecordLog, 'info' | 'warn'>): InvocationDurationStore {
  const held = new Map<string, number[]>();
  return {
    read: (kind): Promise<KindDurations | null> => store.read(kind),
    record: async (kind, seconds) => {
      const samples = held.get(kind);
      if (samples) samples.push(seconds);
      else held.set(kind, [seconds]);
      return true;
    },
    async flush(hasTime) {
      const kinds = [...held];
      held.clear();
      if (kinds.length === 0) return;
      if (!hasTime()) {
        log.warn('durations not learned: too little of the invocation left to write them', { kinds: kinds.length, samples: count(kinds) });
        return;
      }
      await Promise.all(
        kinds.map(async ([kind, seconds]) => {
          try {
            const kept = await recordSamples(store, kind, seconds);
            if (!kept) log.info('durations not learned: the kind has no place among the learned kinds', { kind, samples: seconds.length });
          } catch (error) {
            log.warn('durations not learned: the store failed', { kind, samples: seconds.length, error: describeError(error) });
          }
        }),
      );
    },
  };
}

const count = (kinds: readonly (readonly [string, readonly number[]])[]) => kinds.reduce((n, [, s]) => n + s.length, 0);
