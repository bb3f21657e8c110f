import { JobWatchError } from '../errors';
import type { ChainStore } from '../watch/chain';

/**
 * A chain store that loads the real one on first use, like `deferredOutcomePublisher`: only
 * jobs in a follow-up chain touch it, so a cold start does not pay for it. A failed load
 * fails that call with a retryable error (the record is retried) and is tried again next time.
 */
export function deferredChainStore(load: () => Promise<ChainStore>): ChainStore {
  let loading: Promise<ChainStore> | undefined;
  const store = (): Promise<ChainStore> =>
    (loading ??= load().catch((cause: unknown) => {
      loading = undefined;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new JobWatchError(`could not load the chain store: ${reason}`, { retryable: true, cause });
    }));
  return {
    recordEnd: async (root, end, children) => (await store()).recordEnd(root, end, children),
    markPublished: async (root, end) => (await store()).markPublished(root, end),
    markEnqueued: async (root, child) => (await store()).markEnqueued(root, child),
    claimFirstCheck: async (root, job, messageId) => (await store()).claimFirstCheck(root, job, messageId),
  };
}
