import { describe, expect, it } from 'vitest';
import { createSecretTokenProvider } from '../../shared/aws/token-provider';
import { parseTokenSecret } from '../../shared/aws/token-secret';
import { TimeBudgetError, TokenSecretError } from '../../shared/errors';

function source(values: unknown[]) {
  const calls: { forceFetch: boolean }[] = [];
  return {
    calls,
    get: async (_id: string, options: { maxAge: number; forceFetch: boolean }) => {
      calls.push({ forceFetch: options.forceFetch });
      const value = values[Math.min(calls.length - 1, values.length - 1)];
      if (value instanceof Error) throw value;
      return value;
    },
  };
}

describe('parseTokenSecret', () => {
  it.each([
    ['tok-1', { kind: 'access', token: 'tok-1' }],
    ['  tok-1\n', { kind: 'access', token: 'tok-1' }],
    ['{"token": "tok-2"}', { kind: 'access', token: 'tok-2' }],
    ['{"refreshToken": "r", "userId": 7}', { kind: 'refresh', refreshToken: 'r', userId: 7 }],
    ['{"refreshToken": "r", "userId": "7"}', { kind: 'refresh', refreshToken: 'r', userId: 7 }],
  ])('reads %j', (value, expected) => {
    expect(parseTokenSecret(value, 's')).toEqual(expected);
  });

  it.each([
    ['', 'token secret s is empty or not a string'],
    ['{"token": ', 'token secret s looks like JSON but does not parse'],
    ['{"refreshToken": "r"}', 'token secret s has a refreshToken but no valid userId (a positive integer)'],
    ['{"api": "x"}', 'token secret s is JSON without "token" or "refreshToken" (keys: api)'],
    ['two words', 'token secret s holds text with spaces, not a token'],
  ])('rejects %j without repeating it', (value, message) => {
    expect(() => parseTokenSecret(value, 's')).toThrow(new TokenSecretError(message));
  });
});

describe('createSecretTokenProvider', () => {
  it('reads the secret once and shares it between concurrent callers', async () => {
    const secrets = source(['tok']);
    const tokens = createSecretTokenProvider({ secretId: 's', secrets, mint: async () => 'never' });
    expect(await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()])).toEqual(['tok', 'tok', 'tok']);
    expect(secrets.calls).toHaveLength(1);
  });

  it('mints from a refresh token and keeps the minted token until it is refused', async () => {
    const minted: string[] = [];
    const secrets = source(['{"refreshToken": "r", "userId": 3}']);
    const tokens = createSecretTokenProvider({
      secretId: 's',
      secrets,
      mint: async (refreshToken, userId) => {
        minted.push(`${refreshToken}/${userId}`);
        return `access-${minted.length}`;
      },
    });
    expect(await tokens.getToken()).toBe('access-1');
    expect(await tokens.getToken()).toBe('access-1');
    tokens.invalidate('access-1');
    expect(await tokens.getToken()).toBe('access-2');
    expect(minted).toEqual(['r/3', 'r/3']);
    expect(secrets.calls).toEqual([{ forceFetch: false }, { forceFetch: true }]);
  });

  it('re-reads once however many records were refused with the same token', async () => {
    const secrets = source(['old', 'new']);
    const tokens = createSecretTokenProvider({ secretId: 's', secrets, mint: async () => 'never' });
    const token = await tokens.getToken();
    tokens.invalidate(token);
    const fresh = await tokens.getToken();
    tokens.invalidate(token); // a late refusal of the old token
    expect(await tokens.getToken()).toBe(fresh);
    expect(secrets.calls).toHaveLength(2);
  });

  it('turns a missing secret into a non-retryable error naming it, and does not cache the failure', async () => {
    const missing = Object.assign(new Error('boom'), { cause: { name: 'ResourceNotFoundException' } });
    const secrets = source([missing, 'tok']);
    const tokens = createSecretTokenProvider({ secretId: 'alation/token', secrets, mint: async () => 'never' });
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenSecretError);
    expect(error).toMatchObject({ message: 'could not read token secret alation/token (ResourceNotFoundException)', retryable: false });
    expect(await tokens.getToken()).toBe('tok');
  });

  it('lets a caller out of time stop waiting for the shared secret read, which still serves the others', async () => {
    let answer!: (value: string) => void;
    let reads = 0;
    const tokens = createSecretTokenProvider({
      secretId: 's',
      secrets: { get: () => (reads++, new Promise((resolve) => (answer = resolve))) },
      mint: async () => 'never',
    });
    const late = new AbortController();
    const first = tokens.getToken(late.signal);
    const second = tokens.getToken(new AbortController().signal);
    late.abort(new TimeBudgetError('record out of time'));

    await expect(first).rejects.toBeInstanceOf(TimeBudgetError);
    answer('tok');
    expect(await second).toBe('tok');
    expect(reads).toBe(1);
  });
});
