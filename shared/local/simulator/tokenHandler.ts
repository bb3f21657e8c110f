import { z } from 'zod';
import type { IncomingRequest } from './incomingRequest';
import { DETAIL_BODIES, jsonResponse } from './responses';
import type { TokenStore } from './tokenStore';
import type { SimResponse } from './types';

// Django REST framework coerces numeric strings for an IntegerField, so "7" is accepted as 7.
const userIdSchema = z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]);
const createTokenBodySchema = z.object({ refresh_token: z.string().min(1), user_id: userIdSchema });

/**
 * Answers `POST /integration/v1/createAPIAccessToken/` with a newly minted access token (201),
 * a field-keyed 400 as Django REST framework writes validation errors, or 401 when the refresh
 * token and user id do not match. The refresh token is never echoed back.
 */
export function answerCreateAccessToken(request: IncomingRequest, tokens: TokenStore): SimResponse {
  const parsed = parseBody(request, createTokenBodySchema);
  if ('error' in parsed) return parsed.error;
  const minted = tokens.mint(parsed.data.refresh_token, parsed.data.user_id);
  return minted === undefined ? jsonResponse(401, DETAIL_BODIES.authenticationFailed) : jsonResponse(201, minted);
}

const validateAccessBodySchema = z.object({ api_access_token: z.string().min(1), user_id: userIdSchema });

/**
 * Answers `POST /integration/v1/validateRefreshToken/` (`refresh_token`, `user_id`) with the
 * token's metadata: 200 with `token_status` ACTIVE, EXPIRED or REVOKED and `token_expires_at`,
 * so a caller learns that a known token has expired; 401 when token and user do not match.
 */
export function answerValidateRefreshToken(request: IncomingRequest, tokens: TokenStore): SimResponse {
  const parsed = parseBody(request, createTokenBodySchema);
  if ('error' in parsed) return parsed.error;
  const described = tokens.describeRefreshToken(parsed.data.refresh_token, parsed.data.user_id);
  return described === undefined ? jsonResponse(401, DETAIL_BODIES.authenticationFailed) : jsonResponse(200, described);
}

/** Answers `POST /integration/v1/validateAPIAccessToken/` (`api_access_token`, `user_id`) likewise. */
export function answerValidateAccessToken(request: IncomingRequest, tokens: TokenStore): SimResponse {
  const parsed = parseBody(request, validateAccessBodySchema);
  if ('error' in parsed) return parsed.error;
  const described = tokens.describeAccessToken(parsed.data.api_access_token, parsed.data.user_id);
  return described === undefined ? jsonResponse(401, DETAIL_BODIES.authenticationFailed) : jsonResponse(200, described);
}

/** JSON body checked against `schema`; errors keyed by field as Django REST framework writes them. */
function parseBody<T>(request: IncomingRequest, schema: z.ZodType<T>): { data: T } | { error: SimResponse } {
  let input: unknown;
  try {
    input = JSON.parse(request.body === '' ? '{}' : request.body);
  } catch {
    return { error: jsonResponse(400, { detail: 'JSON parse error' }) };
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { data: parsed.data };
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'non_field_errors');
    errors[field] = ['This field is required or invalid.'];
  }
  return { error: jsonResponse(400, errors) };
}
