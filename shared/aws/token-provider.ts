import { TokenSecretError, JobWatchError } from '../errors';
import { untilAborted } from '../watch/time-budget';
import { parseTokenSecret } from './token-secret';

/** Where the Alation token comes from. */
export interface TokenProvider {
  /**
   * A token for the `TOKEN` header. Throws {@link TokenSecretError} or an Alation error
   * (minting), or the reason of `signal` when the caller's time runs out first.
   */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Alation refused `token`: the next {@link getToken} re-reads the secret (and mints anew). */
  invalidate(token: string): void;
}

/** Reads a secret's current value; `forceFetch` skips any cache. Powertools' SecretsProvider fits. */
export interface SecretSource {
  get(secretId: string, options: { maxAge: number; forceFetch: boolean }): Promise<unknown>;
}

export interface SecretTokenProviderOptions {
  readonly secretId: string;
  readonly secrets: SecretSource;
  /** Mints an access token from a refresh token (Alation's `createAPIAccessToken`). */
  readonly mint: (refreshToken: string, userId: number) => Promise<string>;
  /**
   * Passed to the secret source as its cache age. The token itself is kept until Alation
   * refuses it (then the secret is read again, bypassing any cache), so a rotated secret is
   * picked up on the first 401 after the rotation.
   * @default 300
   */
  readonly maxAgeSeconds?: number;
}

/**
 * A token provider backed by Secrets Manager, cached across invocations. Concurrent callers
 * share one read (and one mint), and many records refused with the same token cause one
 * re-read, not one each.
 *
 * The shared read is not tied to any caller's signal (one record running out of time must
 * not fail the read for the others); it is bounded by the Secrets Manager client's request
 * timeouts and the Alation timeout, and each caller stops waiting when its own signal aborts.
 */
export function createSecretTokenProvider(options: SecretTokenProviderOptions): TokenProvider {
  const maxAge = options.maxAgeSeconds ?? 300;
  let current: Promise<string> | undefined;
  let currentToken: string | undefined;
  let forceFetch = false;

  async function load(): Promise<string> {
    let value: unknown;
    try {
      value = await options.secrets.get(options.secretId, { maxAge, forceFetch });
    } catch (error) {
      throw secretReadError(options.secretId, error);
    }
    forceFetch = false;
    const secret = parseTokenSecret(value, options.secretId);
    return secret.kind === 'access' ? secret.token : options.mint(secret.refreshToken, secret.userId);
  }

  return {
    getToken(signal) {
      if (!current) {
        const loading = load().then(
          (token) => {
            currentToken = token;
            return token;
          },
          (error: unknown) => {
            // A failed read is not cached: the next record tries again.
            if (current === loading) current = undefined;
            throw error;
          },
        );
        current = loading;
      }
      return untilAborted(current, signal);
    },
    invalidate(token) {
      if (token !== currentToken) return; // already replaced after an earlier refusal
      current = undefined;
      currentToken = undefined;
      forceFetch = true;
    },
  };
}

function secretReadError(secretId: string, error: unknown): JobWatchError {
  if (error instanceof JobWatchError) return error;
  const cause = (error as { cause?: { name?: string } } | null)?.cause;
  const name = cause?.name ?? (error as Error | null)?.name ?? 'Error';
  // Missing secret or no permission will not mend itself; throttling and network errors may.
  const permanent = ['ResourceNotFoundException', 'ParameterNotFoundError', 'AccessDeniedException', 'DecryptionFailure', 'InvalidParameterException'].includes(name);
  return new TokenSecretError(`could not read token secret ${secretId} (${name})`, { retryable: !permanent });
}
