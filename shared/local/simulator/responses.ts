import type { SimResponse } from './types';

/**
 * Builders for the simulator's HTTP answers. Envelopes are compact JSON, as Django REST
 * framework's `JSONRenderer` writes them by default.
 */

/** Bodies Alation is seen answering with (shared/reference/alation-jobs.md). */
export const DETAIL_BODIES = {
  credentialsNotProvided: { detail: 'Authentication credentials were not provided.' },
  authenticationFailed: { detail: 'Authentication failed' },
  accessTokenInvalid: { detail: 'API Access Token provided is invalid.', code: '401000' },
  /** Assumed: no public source shows the answer for an unknown job. */
  jobNotFound: { detail: 'Job not found.' },
  /** Assumed wording for a request with neither `id` nor `name`. */
  missingIdentifier: { detail: 'Either an id or a name query parameter is required.' },
  /** Assumed wording for `?id=` that is not an integer. */
  idNotInteger: { detail: 'The id query parameter must be an integer.' },
  /** Django REST framework's default for an unrouted path. */
  notFound: { detail: 'Not found.' },
} as const;

/** A JSON answer. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Django REST framework's answer to a method a route does not allow. */
export function methodNotAllowed(method: string, allowed: string): SimResponse {
  return jsonResponse(405, { detail: `Method "${method}" not allowed.` }, { Allow: allowed });
}
