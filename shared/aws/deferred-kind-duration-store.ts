import { recordSamples, type KindDurationStore } from '../watch/kind-duration-store';

/**
 * A duration store that loads the real one (and its DynamoDB client) on first use, so the cold
 * start does not pay for it. A failed load fails that call, which the caller treats as "no
 * knowledge" (see `KindDurationStore`), and is tried again on the next.
 */
export function deferredKindDurationStore(load: () => Promise<KindDurationStore>): KindDurationStore {
  let loading: Promise<KindDurationStore> | undefined;
  const store = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    read: async (kind) => (await store()).read(kind),
    record: async (kind, seconds) => (await store()).record(kind, seconds),
    recordAll: async (kind, seconds) => recordSamples(await store(), kind, seconds),
  };
}
