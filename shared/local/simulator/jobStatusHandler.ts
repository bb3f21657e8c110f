import { headerValue, type IncomingRequest } from './incomingRequest';
import type { JobRegistry } from './jobRegistry';
import type { SimulatedJob } from './jobStatus';
import { DETAIL_BODIES, jsonResponse } from './responses';
import type { TokenStore } from './tokenStore';
import type { SimResponse } from './types';

/** What the job-status handler reads and updates. */
export interface JobStatusDeps {
  readonly jobs: JobRegistry;
  readonly tokens: TokenStore;
}

/**
 * Answers `GET /api/v1/bulk_metadata/job/?id=N | ?name=NAME` as Alation does: authentication
 * first (Django REST framework authenticates before the view runs), then the lookup.
 *
 * @param mode - `poll` counts the request towards the job's progress; `peek` only computes the
 *   answer (used to build a malformed body without advancing anything)
 */
export function answerJobStatus(request: IncomingRequest, deps: JobStatusDeps, mode: 'poll' | 'peek'): SimResponse {
  switch (deps.tokens.check(headerValue(request, 'TOKEN'))) {
    case 'missing':
      return jsonResponse(401, DETAIL_BODIES.credentialsNotProvided);
    case 'unknown':
      return jsonResponse(401, DETAIL_BODIES.authenticationFailed);
    case 'expired':
      return jsonResponse(401, DETAIL_BODIES.accessTokenInvalid);
    case 'valid':
      break;
  }

  const lookup = findJob(request.url.searchParams, deps.jobs);
  if ('error' in lookup) return lookup.error;
  const body = mode === 'poll' ? deps.jobs.poll(lookup.job) : deps.jobs.peek(lookup.job);
  return jsonResponse(200, body);
}

function findJob(query: URLSearchParams, jobs: JobRegistry): { job: SimulatedJob } | { error: SimResponse } {
  // URLSearchParams has already percent-decoded the values, so `%23` arrived here as `#`.
  const id = query.get('id');
  const name = query.get('name');
  let job: SimulatedJob | undefined;
  if (id !== null && id !== '') {
    if (!/^\d+$/.test(id)) return { error: jsonResponse(400, DETAIL_BODIES.idNotInteger) };
    job = jobs.findById(Number(id));
  } else if (name !== null && name !== '') {
    job = jobs.findByName(name);
  } else {
    return { error: jsonResponse(400, DETAIL_BODIES.missingIdentifier) };
  }
  return job === undefined ? { error: jsonResponse(404, DETAIL_BODIES.jobNotFound) } : { job };
}
