import { TokenSecretError } from '../errors';

/** What the token secret can hold. */
export type TokenSecret =
  | { readonly kind: 'access'; readonly token: string }
  | { readonly kind: 'refresh'; readonly refreshToken: string; readonly userId: number };

/**
 * Reads the token secret's value: a plain API access token, `{"token": "..."}`, or
 * `{"refreshToken": "...", "userId": N}` from which access tokens are minted. Errors name
 * the secret and what is wrong, never the value.
 */
export function parseTokenSecret(value: unknown, secretId: string): TokenSecret {
  const fail = (problem: string): never => {
    throw new TokenSecretError(`token secret ${secretId} ${problem}`);
  };
  if (typeof value !== 'string' || value.trim() === '') return fail('is empty or not a string');
  const text = value.trim();
  if (!text.startsWith('{')) {
    if (/\s/.test(text)) fail('holds text with spaces, not a token');
    return { kind: 'access', token: text };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('looks like JSON but does not parse');
  }
  const fields = json as Record<string, unknown>;
  if (typeof fields.token === 'string' && fields.token.trim() !== '') return { kind: 'access', token: fields.token.trim() };
  if (typeof fields.refreshToken === 'string' && fields.refreshToken.trim() !== '') {
    const userId = typeof fields.userId === 'string' ? Number(fields.userId) : fields.userId;
    if (typeof userId !== 'number' || !Number.isSafeInteger(userId) || userId <= 0) {
      return fail('has a refreshToken but no valid userId (a positive integer)');
    }
    return { kind: 'refresh', refreshToken: fields.refreshToken.trim(), userId };
  }
  return fail(`is JSON without "token" or "refreshToken" (keys: ${Object.keys(fields).join(', ') || 'none'})`);
}
