import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { WatchStateKeyError } from '../errors';
import type { WatchStateKey, WatchStateKeys } from '../watch/watch-state-seal';

/** Secrets Manager's staging labels of the current and the previous value. */
export type KeyVersionStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/** Reads one version of the key secret; null when that version does not exist. */
export interface KeySecretReader {
  read(secretId: string, versionStage: KeyVersionStage): Promise<string | null>;
}

/** Shorter keys are refused: HMAC-SHA256 wants at least 32 bytes of key (RFC 2104 §3). */
export const MIN_WATCH_STATE_KEY_LENGTH = 32;

export interface WatchStateKeysOptions {
  readonly secretId: string;
  readonly reader: KeySecretReader;
  /**
   * How long a key read is kept. Keys change only when an operator rotates the secret, and a
   * seal that verifies with neither cached key makes the keys be read again (see `minReloadSeconds`).
   * @default 3600
   */
  readonly maxAgeSeconds?: number;
  /**
   * After a rotation, an environment holding the older keys receives seals made with the new
   * one. It then reads both keys again, at most once per this many seconds, so forged bodies
   * cannot turn into a flood of Secrets Manager calls.
   * @default 60
   */
  readonly minReloadSeconds?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The watch-state keys with the cache and the reload rule. */
export interface CachedWatchStateKeys extends WatchStateKeys {
  /**
   * Forgets the cached keys so the next call reads them again, unless that was done less than
   * `minReloadSeconds` ago. Returns whether they were forgotten.
   */
  reload(): boolean;
}

/**
 * The watch-state keys from a Secrets Manager secret, read once per execution environment and
 * cached. Concurrent callers share one read. A failed read is a {@link WatchStateKeyError}
 * (retryable), never "no key", and is not cached; when a key was read before, that key is
 * served instead and the read tried again a `minReloadSeconds` later.
 */
export function createWatchStateKeys(options: WatchStateKeysOptions): CachedWatchStateKeys {
  const maxAgeMs = (options.maxAgeSeconds ?? 3600) * 1000;
  const minReloadMs = (options.minReloadSeconds ?? 60) * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<KeyVersionStage, { value: Promise<WatchStateKey | null>; expiresAt: number }>();
  let lastLoadAt = Number.NEGATIVE_INFINITY;

  // The last key read of each stage: served for a while when reading it again fails after
  // its cache age, so a Secrets Manager outage does not stop every watch at the hour.
  const lastGood = new Map<KeyVersionStage, WatchStateKey | null>();

  const load = (stage: KeyVersionStage): Promise<WatchStateKey | null> => {
    const cached = cache.get(stage);
    if (cached && cached.expiresAt > now()) return cached.value;
    lastLoadAt = now();
    const entry = { value: readKey(options, stage), expiresAt: now() + maxAgeMs };
    entry.value = entry.value.then(
      (key) => {
        lastGood.set(stage, key);
        return key;
      },
      (error: unknown) => {
        if (lastGood.has(stage)) {
          entry.expiresAt = now() + minReloadMs; // try again in a minute
          return lastGood.get(stage)!;
        }
        if (cache.get(stage) === entry) cache.delete(stage); // nothing to fall back on: not cached
        throw error;
      },
    );
    cache.set(stage, entry);
    return entry.value;
  };

  return {
    async current() {
      const key = await load('AWSCURRENT');
      if (key === null) throw new WatchStateKeyError(`watch-state key secret ${options.secretId} has no current value`);
      return key;
    },
    previous: () => load('AWSPREVIOUS'),
    reload() {
      if (now() - lastLoadAt < minReloadMs) return false;
      cache.clear();
      return true;
    },
  };
}

async function readKey(options: WatchStateKeysOptions, stage: KeyVersionStage): Promise<WatchStateKey | null> {
  let value: string | null;
  try {
    value = await options.reader.read(options.secretId, stage);
  } catch (error) {
    const name = (error as { name?: string } | null)?.name ?? 'Error';
    // The name of the failure only: an SDK error can carry the request.
    throw new WatchStateKeyError(`could not read watch-state key secret ${options.secretId} (${stage}: ${name})`);
  }
  if (value === null) return null;
  if (value.length < MIN_WATCH_STATE_KEY_LENGTH) {
    throw new WatchStateKeyError(
      `watch-state key secret ${options.secretId} (${stage}) is shorter than ${MIN_WATCH_STATE_KEY_LENGTH} characters`,
    );
  }
  return Buffer.from(value, 'utf8');
}

/**
 * Reads the key secret with the SDK. A missing `AWSPREVIOUS` version (before the first
 * rotation) is null; every other failure is thrown.
 */
export function secretsManagerKeyReader(client: Pick<SecretsManagerClient, 'send'>): KeySecretReader {
  return {
    async read(secretId, versionStage) {
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }));
        if (SecretString === undefined) throw new WatchStateKeyError(`watch-state key secret ${secretId} holds no string`);
        return SecretString;
      } catch (error) {
        if (versionStage === 'AWSPREVIOUS' && (error as { name?: string } | null)?.name === 'ResourceNotFoundException') return null;
        throw error;
      }
    },
  };
}
