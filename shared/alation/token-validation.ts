import * as z from 'zod/mini';
import { AlationError, AlationErrorClass } from '../errors';
import { readBoundedText } from './read-bounded-text';

/** Alation's token management paths (reference "Refresh & Access Token Overview"; Allie-SDK uses the same). */
export const VALIDATE_REFRESH_TOKEN_PATH = '/integration/v1/validateRefreshToken/';
export const VALIDATE_ACCESS_TOKEN_PATH = '/integration/v1/validateAPIAccessToken/';

/** A validate answer is a few hundred bytes; anything past this is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/** Where a token is in its life, as Alation names it. Other strings are kept, and read as not valid. */
export type AlationTokenStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | (string & {});

/** What Alation says about a token. Never holds the token itself. */
export interface TokenValidation {
  readonly status: AlationTokenStatus;
  /** `token_expires_at`, or null when Alation sent none (or an unreadable one). */
  readonly expiresAt: Date | null;
  readonly createdAt: Date | null;
  readonly lastUsedAt: Date | null;
}

const answerSchema = z.object({
  token_status: z.string(),
  token_expires_at: z.optional(z.nullable(z.string())),
  created_at: z.optional(z.nullable(z.string())),
  last_used_at: z.optional(z.nullable(z.string())),
});

/** Options of {@link validateRefreshToken}. */
export interface TokenValidationOptions {
  /** Already validated by `parseAlationBaseUrl`. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Cancels the call (e.g. doctor's per-check timeout). */
  readonly signal?: AbortSignal;
}

/**
 * Asks Alation about a refresh token (`POST validateRefreshToken/` with `refresh_token` and
 * `user_id`). Alation answers 200 with the status (ACTIVE, EXPIRED, REVOKED) for a token it
 * knows, so an expired token is an answer, not an error; a token or user it does not know is
 * an {@link AlationError} of class `auth`. No message carries the token.
 */
export function validateRefreshToken(refreshToken: string, userId: number, options: TokenValidationOptions): Promise<TokenValidation> {
  return post(VALIDATE_REFRESH_TOKEN_PATH, { refresh_token: refreshToken, user_id: userId }, refreshToken, 'validateRefreshToken', options);
}

/** Asks Alation about an API access token (`POST validateAPIAccessToken/` with `api_access_token` and `user_id`). */
export function validateAccessToken(accessToken: string, userId: number, options: TokenValidationOptions): Promise<TokenValidation> {
  return post(VALIDATE_ACCESS_TOKEN_PATH, { api_access_token: accessToken, user_id: userId }, accessToken, 'validateAPIAccessToken', options);
}

async function post(path: string, body: object, secret: string, what: string, options: TokenValidationOptions): Promise<TokenValidation> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(`${options.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'alation-job-watch/1' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    text = await readBoundedText(response, MAX_BODY_BYTES, what);
  } catch (error) {
    if (error instanceof AlationError) throw error;
    const name = (error as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new AlationError(AlationErrorClass.timeout, `${what}: no answer from Alation within ${options.timeoutMs} ms`);
    }
    const code = (error as { cause?: { code?: string } } | null)?.cause?.code ?? 'network error';
    throw new AlationError(AlationErrorClass.network, `${what}: could not reach Alation (${code})`);
  }
  const status = response.status;
  const detail = detailOf(text).split(secret).join('[redacted]');
  if (status === 401 || status === 403) {
    throw new AlationError(AlationErrorClass.auth, `${what}: Alation does not know this token for this user (HTTP ${status}${detail ? `: ${detail}` : ''})`, { httpStatus: status });
  }
  if (!response.ok) {
    const errorClass = status >= 500 ? AlationErrorClass.serverError : status === 429 ? AlationErrorClass.rateLimited : AlationErrorClass.badResponse;
    throw new AlationError(errorClass, `${what}: Alation answered HTTP ${status}${detail ? ` (${detail})` : ''}`, { httpStatus: status });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AlationError(AlationErrorClass.badResponse, `${what}: the answer is not JSON`, { httpStatus: status });
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) throw new AlationError(AlationErrorClass.badResponse, `${what}: the answer has no token_status`, { httpStatus: status });
  return {
    status: parsed.data.token_status.toUpperCase(),
    expiresAt: toDate(parsed.data.token_expires_at),
    createdAt: toDate(parsed.data.created_at),
    lastUsedAt: toDate(parsed.data.last_used_at),
  };
}

function detailOf(text: string): string {
  try {
    const json = JSON.parse(text) as { detail?: unknown };
    if (typeof json.detail === 'string') return json.detail.slice(0, 200);
  } catch {
    // not JSON: fall through
  }
  return /^\s*</.test(text) ? 'HTML page' : text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function toDate(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
