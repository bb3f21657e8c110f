import { InvalidSimulatorOptionsError } from './errors';
import type { Random } from './random';
import { jsonResponse } from './responses';
import type { SimResponse } from './types';

/**
 * Fault injection for job-status requests: the failures a poller meets between it and Alation
 * (slow answers, load-balancer errors, throttling, HTML error pages, cut-off bodies, hung sockets).
 * Deciding is pure and driven by a seeded {@link Random}, so a schedule replays for the same seed.
 */

/** Kinds of fault, as counted in stats. */
export const FAULT_KINDS = {
  latency: 'latency',
  timeout: 'timeout',
  serverError: 'serverError',
  rateLimit: 'rateLimit',
  html: 'html',
  malformedJson: 'malformedJson',
} as const;

/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[keyof typeof FAULT_KINDS];

/** A fault that replaces the answer (latency only delays it). */
export type ReplacingFault = Exclude<FaultKind, 'latency'>;

/** Server-error statuses the simulator can answer with. */
export type ServerErrorStatus = 500 | 502 | 503;

/**
 * Per-request fault rates, each drawn independently in [0, 1]. When several hit on one request
 * the first in this order wins: timeout, serverError, rateLimit, html, malformedJson.
 */
export interface FaultOptions {
  /** Delay before every job-status answer: fixed, or uniform in `[min, max]`. @default 0 */
  readonly latencyMs?: number | readonly [number, number];
  /** Share answered 500/502/503. @default 0 */
  readonly serverErrorRate?: number;
  /** Which server errors to pick from (uniformly). @default [500, 502, 503] */
  readonly serverErrorStatuses?: readonly ServerErrorStatus[];
  /** Share never answered: the socket is held until the client gives up or the simulator stops. @default 0 */
  readonly timeoutRate?: number;
  /** Share answered 429 with `Retry-After`. @default 0 */
  readonly rateLimitRate?: number;
  /** `Retry-After` of a 429, in seconds. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Share answered with an HTML error page (`Content-Type: text/html`). @default 0 */
  readonly htmlRate?: number;
  /** Status of the HTML page: 502 from a proxy, or 200 from an SSO/maintenance page. @default 502 */
  readonly htmlStatus?: 200 | 502;
  /** Share answered 200 with the genuine JSON body cut in half. @default 0 */
  readonly malformedJsonRate?: number;
}

/** What happens to one request. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault?: ReplacingFault;
  /** Which server error, when `fault` is `serverError`. */
  readonly serverErrorStatus: ServerErrorStatus;
}

const DEFAULT_SERVER_ERROR_STATUSES: readonly ServerErrorStatus[] = [500, 502, 503];

const RATES: readonly (readonly [ReplacingFault, keyof FaultOptions])[] = [
  ['timeout', 'timeoutRate'],
  ['serverError', 'serverErrorRate'],
  ['rateLimit', 'rateLimitRate'],
  ['html', 'htmlRate'],
  ['malformedJson', 'malformedJsonRate'],
];

/**
 * Checks fault options once, at start-up, so a typo in a rate fails before any request.
 *
 * @throws InvalidSimulatorOptionsError naming the bad option
 */
export function validateFaultOptions(options: FaultOptions): void {
  for (const [, key] of RATES) {
    const rate = options[key];
    if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new InvalidSimulatorOptionsError(`faults.${key} must be a number from 0 to 1`);
    }
  }
  const latency = options.latencyMs;
  const [min, max] = typeof latency === 'number' || latency === undefined ? [latency ?? 0, latency ?? 0] : latency;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && min <= max)) {
    throw new InvalidSimulatorOptionsError('faults.latencyMs must be a non-negative number or a [min, max] range with min <= max');
  }
  const retryAfter = options.retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
    throw new InvalidSimulatorOptionsError('faults.retryAfterSeconds must be a non-negative integer');
  }
  if (options.serverErrorStatuses !== undefined && options.serverErrorStatuses.length === 0) {
    throw new InvalidSimulatorOptionsError('faults.serverErrorStatuses must not be empty');
  }
}

/**
 * Decides the fate of one request. Always draws the same number of values (seven), so turning
 * one kind of fault on or off does not reshuffle when the others happen.
 */
export function decideFault(random: Random, options: FaultOptions): FaultDecision {
  const latencyDraw = random();
  const draws = RATES.map(() => random());
  const statusDraw = random();

  const latency = options.latencyMs ?? 0;
  const latencyMs =
    typeof latency === 'number' ? latency : Math.round(latency[0] + latencyDraw * (latency[1] - latency[0]));
  const statuses = options.serverErrorStatuses ?? DEFAULT_SERVER_ERROR_STATUSES;
  const serverErrorStatus = statuses[Math.floor(statusDraw * statuses.length)] ?? 500;
  // `draw < rate` makes rate 0 never and rate 1 always fire.
  const hit = RATES.find(([, key], index) => (draws[index] ?? 1) < ((options[key] as number | undefined) ?? 0));
  return { latencyMs, serverErrorStatus, ...(hit !== undefined ? { fault: hit[0] } : {}) };
}

/** An nginx-style error page, what a proxy in front of Alation answers when it cannot reach it. */
export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A page served with 200, as an SSO login or maintenance page is. */
export const MAINTENANCE_HTML =
  '<!DOCTYPE html>\n<html><head><title>Alation</title></head><body><h1>Alation is down for maintenance</h1><p>Please try again later.</p></body></html>\n';

/**
 * The answer that replaces a genuine one, or `'hold'` to never answer.
 *
 * @param genuineBody - the body the request would have had; only called for `malformedJson`
 */
export function faultResponse(
  fault: ReplacingFault,
  decision: FaultDecision,
  options: FaultOptions,
  genuineBody: () => string,
): SimResponse | 'hold' {
  switch (fault) {
    case 'timeout':
      return 'hold';
    case 'serverError':
      return serverErrorResponse(decision.serverErrorStatus);
    case 'rateLimit': {
      const wait = options.retryAfterSeconds ?? 1;
      // Django REST framework's throttling message, pluralised as it does.
      return jsonResponse(
        429,
        { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` },
        { 'Retry-After': String(wait) },
      );
    }
    case 'html': {
      const status = options.htmlStatus ?? 502;
      return {
        status,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
        body: status === 502 ? BAD_GATEWAY_HTML : MAINTENANCE_HTML,
      };
    }
    case 'malformedJson': {
      const body = genuineBody();
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: truncateJson(body) };
    }
  }
}

/** Cuts a JSON text in half, as a connection dropped mid-body would; never returns valid JSON for an object. */
export function truncateJson(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

function serverErrorResponse(status: ServerErrorStatus): SimResponse {
  switch (status) {
    case 500:
      return jsonResponse(500, { detail: 'A server error occurred.' });
    case 502:
      return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Bad Gateway' };
    case 503:
      return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Service Unavailable' };
  }
}
