import { InvalidJobDefinitionError } from './errors';
import type { IncomingRequest } from './incomingRequest';
import type { JobRegistry } from './jobRegistry';
import { SIMULATOR_PATHS } from './paths';
import { jsonResponse, methodNotAllowed } from './responses';
import type { SimulatorStats } from './stats';
import type { SimResponse } from './types';

/** What the admin endpoints act on. */
export interface AdminDeps {
  readonly jobs: JobRegistry;
  readonly stats: () => SimulatorStats;
  readonly rotateAccessToken: () => string;
}

/**
 * Answers the simulator's own endpoints (not part of Alation): create a job, read stats, rotate
 * the static token. Unauthenticated, which is safe only because the server listens on loopback.
 * Returns `undefined` for paths that are not admin paths.
 */
export function answerAdmin(request: IncomingRequest, deps: AdminDeps): SimResponse | undefined {
  switch (request.url.pathname) {
    case SIMULATOR_PATHS.adminJobs:
      return request.method === 'POST' ? createJob(request.body, deps.jobs) : methodNotAllowed(request.method, 'POST');
    case SIMULATOR_PATHS.adminStats:
      return request.method === 'GET' ? jsonResponse(200, deps.stats()) : methodNotAllowed(request.method, 'GET');
    case SIMULATOR_PATHS.adminRotateToken:
      // Handing the new token to the caller who asked for it is the endpoint's purpose; it is
      // never logged.
      return request.method === 'POST'
        ? jsonResponse(200, { api_access_token: deps.rotateAccessToken() })
        : methodNotAllowed(request.method, 'POST');
    default:
      return undefined;
  }
}

function createJob(body: string, jobs: JobRegistry): SimResponse {
  let definition: unknown;
  try {
    definition = JSON.parse(body);
  } catch {
    return jsonResponse(400, { detail: 'Request body is not valid JSON.' });
  }
  try {
    return jsonResponse(201, jobs.add(definition, 'job'));
  } catch (error) {
    if (error instanceof InvalidJobDefinitionError) return jsonResponse(400, { detail: error.message, field: error.field });
    throw error;
  }
}
