import { z } from 'zod';
import type { IncomingRequest } from './incomingRequest';
import { DETAIL_BODIES, jsonResponse } from './responses';
import type { TokenStore } from './tokenStore';
import type { SimResponse } from './types';

// Django REST framework coerces numeric strings for an IntegerField, so "7" is accepted as 7.
const createTokenBodySchema = z.object({
  refresh_token: z.string().min(1),
  user_id: z.union([z.int(), z.string().regex(/^\d+$/).transform(Number)]),
});

/**
 * Answers `POST /integration/v1/createAPIAccessToken/` with a newly minted access token (201),
 * a field-keyed 400 as Django REST framework writes validation errors, or 401 when the refresh
 * token and user id do not match. The refresh token is never echoed back.
 */
export function answerCreateAccessToken(request: IncomingRequest, tokens: TokenStore): SimResponse {
  let input: unknown;
  try {
    input = JSON.parse(request.body === '' ? '{}' : request.body);
  } catch {
    return jsonResponse(400, { detail: 'JSON parse error' });
  }
  const parsed = createTokenBodySchema.safeParse(input);
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'non_field_errors');
      errors[field] = ['This field is required or invalid.'];
    }
    return jsonResponse(400, errors);
  }
  const minted = tokens.mint(parsed.data.refresh_token, parsed.data.user_id);
  return minted === undefined ? jsonResponse(401, DETAIL_BODIES.authenticationFailed) : jsonResponse(201, minted);
}
