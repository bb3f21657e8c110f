import { cutText, isSendableText, toSendableText } from '../contracts/sendable-text';
import { AlationError, AlationErrorClass, InvalidJobReferenceError } from '../errors';
import type { JobIdentifier } from './job-identifier';
import type { AlationJobStatus, ResultOmitted } from './job-status';
import { exceedsJsonValues } from './json-budget';
import { MAX_ANSWER_BYTES, MAX_ANSWER_JSON_VALUES, MAX_SCANNED_ANSWER_BYTES, ScannedFieldLimits } from './parse-limits';
import { readAnswer, type AnswerOverflow, type BoundedAnswer } from './read-bounded-text';
import { KnownSecrets } from './redact';
import { createTopLevelScanner, type TopLevelScan, type TopLevelScanner } from './top-level-scan';

/** Alation's job status path (reference page "Job Status"). */
export const JOB_STATUS_PATH = '/api/v1/bulk_metadata/job/';
/** Mints an API access token from a refresh token. */
export const CREATE_ACCESS_TOKEN_PATH = '/integration/v1/createAPIAccessToken/';

/** The most of an answer kept and decoded whole; past it a status answer is only scanned for its status. Sized to the function's memory: see `MAX_ANSWER_BYTES`. */
export const DEFAULT_MAX_BODY_BYTES = MAX_ANSWER_BYTES;
const USER_AGENT = 'alation-job-watch/1';

export interface AlationClientOptions {
  /** Already validated by `parseAlationBaseUrl`. */
  readonly baseUrl: string;
  /** Per request, covering connect, headers and body. */
  readonly timeoutMs: number;
  /**
   * Node's `fetch` keeps connections alive and reuses them across calls (and across warm
   * Lambda invocations), so no agent needs configuring. Injected in tests.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /** @default performance.now */
  readonly clock?: () => number;
  /**
   * The most of an answer kept in memory and decoded whole, so a runaway response cannot
   * exhaust the function's memory. A larger status answer is scanned as it streams in, for its
   * top-level `status` and `msg` only (its `result` is omitted, see `AlationJobStatus`); any
   * other larger answer is a retryable bad response.
   * @default 4 MiB ({@link MAX_ANSWER_BYTES})
   */
  readonly maxBodyBytes?: number;
  /**
   * The most of a status answer read (and discarded) while scanning it for its status; past
   * it the read is cancelled and the answer is a retryable bad response.
   * @default 64 MiB ({@link MAX_SCANNED_ANSWER_BYTES})
   */
  readonly maxScannedBodyBytes?: number;
}

/** A successful status check and how long Alation took to answer. */
export interface JobStatusCheck {
  readonly status: AlationJobStatus;
  readonly latencyMs: number;
}

export interface AlationClient {
  /**
   * One status check. Throws {@link AlationError} with a class and retryability, or, when
   * `signal` aborts (the record's time is up), the signal's reason.
   */
  getJobStatus(job: JobIdentifier, token: string, signal?: AbortSignal): Promise<JobStatusCheck>;
  /** Mints an API access token (`createAPIAccessToken`). Throws {@link AlationError}, or the reason of `signal`. */
  createAccessToken(refreshToken: string, userId: number, signal?: AbortSignal): Promise<string>;
}

/** Builds the URL of one status check; the name is percent-encoded exactly once (`#` → `%23`). */
export function jobStatusUrl(baseUrl: string, job: JobIdentifier): string {
  // The job reference schema refuses such names; this guard keeps encodeURIComponent's URIError
  // (an untyped error, a record lost without a reason) out should any other path reach here.
  if ('name' in job && !isSendableText(job.name)) {
    throw new InvalidJobReferenceError([{ field: 'jobName', problem: 'must be well-formed text (a lone surrogate cannot be URL-encoded)' }]);
  }
  const query = 'id' in job ? `id=${job.id}` : `name=${encodeURIComponent(job.name)}`;
  return `${baseUrl}${JOB_STATUS_PATH}?${query}`;
}

/**
 * The Alation HTTP adapter. It turns every way a call can go wrong into one
 * {@link AlationError} class; it never puts the token into an error message.
 */
export function createAlationClient(options: AlationClientOptions): AlationClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? (() => performance.now());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxScannedBodyBytes = Math.max(maxBodyBytes, options.maxScannedBodyBytes ?? MAX_SCANNED_ANSWER_BYTES);
  // Every credential this client has sent or received: each string from Alation is cleaned of
  // all of them (the access token and the refresh token it was minted from).
  const secrets = new KnownSecrets();

  /**
   * One request and its answer, read within the bounds `overflow` sets for the response (by
   * default an oversized answer is refused). Reading the body is covered by the same timeout
   * and caller signal as the request, so draining a large answer is bounded in time too.
   */
  async function call(
    url: string,
    init: RequestInit,
    what: string,
    caller?: AbortSignal,
    overflow: (response: Response) => AnswerOverflow = () => ({ mode: 'refuse' }),
  ): Promise<{ response: Response; answer: BoundedAnswer }> {
    let response: Response;
    let answer: BoundedAnswer;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    // AbortSignal.any: Node 20.3+. The caller's signal is the record's time budget.
    const signal = caller ? AbortSignal.any([timeout, caller]) : timeout;
    try {
      response = await doFetch(url, { ...init, redirect: 'manual', signal });
      answer = await readAnswer(response, maxBodyBytes, what, overflow(response));
    } catch (error) {
      // The record's time ran out, not Alation's: not an Alation failure, the caller retries the record.
      if (caller?.aborted) throw caller.reason;
      if (error instanceof AlationError) throw error;
      throw transportError(error, what, options.timeoutMs, secrets);
    }
    return { response, answer };
  }

  return {
    async getJobStatus(job, token, signal) {
      const what = `job status ${'id' in job ? `id ${job.id}` : `name ${JSON.stringify(job.name)}`}`;
      secrets.add(token);
      const url = jobStatusUrl(options.baseUrl, job);
      const started = clock();
      // Made only for an answer too large to keep (its slots hold up to 65 KiB): most answers are small.
      let scanner: TopLevelScanner | undefined;
      const scannerOf = () => (scanner ??= statusScanner(secrets));
      const { response, answer } = await call(
        url,
        { method: 'GET', headers: { TOKEN: token, Accept: 'application/json', 'User-Agent': USER_AGENT } },
        what,
        signal,
        // An oversized 2xx answer is scanned for its status as it streams in; an oversized
        // error answer is classified by its HTTP status alone, its body unread; an HTML page
        // is no status answer however large.
        (response) =>
          response.ok && !isHtml(response) ? { mode: 'stream', ceilingBytes: maxScannedBodyBytes, sink: { write: (chunk) => scannerOf().write(chunk) } } : { mode: 'drop' },
      );
      const latencyMs = clock() - started;
      if (!response.ok) throw httpError(response, answer.text ?? '', what, secrets);
      if (answer.text === null) {
        const bad = badResponse(response, what);
        if (isHtml(response)) throw bad(`Alation answered HTTP ${response.status} with an HTML page, not JSON`);
        // The scanner stops the read only on a problem, so a status comes with the whole size.
        const omitted = { reason: `the answer is ${answer.bytes} bytes, more than the ${maxBodyBytes} decoded whole`, bytes: answer.bytes };
        return { status: fromScan(scannerOf().end(), `the answer is larger than ${maxBodyBytes} bytes, too large to decode`, omitted, bad), latencyMs };
      }
      return { status: toJobStatus(response, answer.text, what, secrets), latencyMs };
    },

    async createAccessToken(refreshToken, userId, signal) {
      const what = 'createAPIAccessToken';
      secrets.add(refreshToken);
      const { response, answer } = await call(
        `${options.baseUrl}${CREATE_ACCESS_TOKEN_PATH}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': USER_AGENT },
          body: JSON.stringify({ refresh_token: refreshToken, user_id: userId }),
        },
        what,
        signal,
      );
      const text = answer.text ?? '';
      if (!response.ok) throw httpError(response, text, what, secrets);
      const body = parseJson(text);
      const token = isRecord(body) ? body.api_access_token : undefined;
      if (typeof token !== 'string' || token === '') {
        throw new AlationError(AlationErrorClass.badResponse, `${what}: the answer has no api_access_token`, {
          httpStatus: response.status,
        });
      }
      secrets.add(token);
      return token;
    },
  };
}

function transportError(error: unknown, what: string, timeoutMs: number, secrets: KnownSecrets): AlationError {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AlationError(AlationErrorClass.timeout, `${what}: no answer from Alation within ${timeoutMs} ms`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error | null)?.message ?? String(error);
  if (cause?.code !== undefined && isTlsVerificationCode(cause.code)) {
    return new AlationError(
      AlationErrorClass.tls,
      `${what}: Alation's TLS certificate is not trusted (${cause.code}); if a private CA issued it, configure that CA (alationCaCertificatePath, NODE_EXTRA_CA_CERTS)`,
    );
  }
  // The error object stays out of `cause`: undici's errors can carry the request, headers and all.
  return new AlationError(AlationErrorClass.network, `${what}: could not reach Alation (${excerpt(secrets.clean(reason))})`);
}

// OpenSSL's certificate verification codes as Node reports them, and Node's own TLS codes.
// https://nodejs.org/api/tls.html#x509-certificate-error-codes
const TLS_VERIFICATION_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE)/;

function isTlsVerificationCode(code: string): boolean {
  return TLS_VERIFICATION_CODE.test(code);
}

function httpError(response: Response, text: string, what: string, secrets: KnownSecrets): AlationError {
  const status = response.status;
  const detail = describeBody(response, text, secrets);
  const base = `${what}: Alation answered HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 401 || status === 403) return new AlationError(AlationErrorClass.auth, base, { httpStatus: status });
  if (status === 404 || status === 400) {
    return new AlationError(AlationErrorClass.notFound, `${base}: no such job`, { httpStatus: status });
  }
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  if (status === 429) {
    return new AlationError(AlationErrorClass.rateLimited, base, { httpStatus: status, retryAfterSeconds });
  }
  if (status >= 500) {
    return new AlationError(AlationErrorClass.serverError, base, { httpStatus: status, retryAfterSeconds });
  }
  return new AlationError(AlationErrorClass.badResponse, base, { httpStatus: status });
}

type BadResponse = (problem: string) => AlationError;

function badResponse(response: Response, what: string): BadResponse {
  return (problem) => new AlationError(AlationErrorClass.badResponse, `${what}: ${problem}`, { httpStatus: response.status });
}

/** The top-level fields of a status answer read without decoding it, each within a byte budget. */
function statusScanner(secrets: KnownSecrets): TopLevelScanner {
  // Every string leaves the scanner cleaned as the decoded answer's strings are (JSON text in a
  // string looked into too), so an answer's size never changes what is cut out of it.
  return createTopLevelScanner({ keys: { status: ScannedFieldLimits.maxStatusBytes, msg: ScannedFieldLimits.maxMsgBytes }, clean: (text) => secrets.cleanString(text) });
}

/**
 * The job's status from an answer too large to decode (`omitted` says why): its top-level
 * `status` and, when within its budget, `msg`; the result is omitted. An answer with no readable
 * status is still a retryable bad response (`why`, then what is missing), so the job is checked again.
 */
function fromScan(scan: TopLevelScan, why: string, omitted: ResultOmitted, bad: BadResponse): AlationJobStatus {
  if (scan.problem !== null) throw bad(`${why}, and is not a JSON object (${scan.problem})`);
  const status = scan.values.get('status');
  if (status === undefined) throw bad(`${why}, and has no top-level "status"`);
  if (status.kind === 'too_long') throw bad(`${why}, and its "status" is longer than ${ScannedFieldLimits.maxStatusBytes} bytes`);
  if (status.kind !== 'string' || status.value === '') throw bad(`${why}, and its "status" is not a non-empty string`);
  const msg = scan.values.get('msg');
  return { status: status.value, msg: msg?.kind === 'string' ? msg.value : null, result: null, resultOmitted: omitted };
}

function toJobStatus(response: Response, text: string, what: string, secrets: KnownSecrets): AlationJobStatus {
  const bad = badResponse(response, what);
  if (looksLikeHtml(response, text)) throw bad(`Alation answered HTTP ${response.status} with an HTML page, not JSON`);
  if (exceedsJsonValues(text, MAX_ANSWER_JSON_VALUES)) {
    // Too many values to decode (memory goes by values): its status is read the way an
    // oversized answer's is, without decoding it.
    const scanner = statusScanner(secrets);
    const bytes = Buffer.from(text, 'utf8');
    scanner.write(bytes);
    const why = `the answer holds more than ${MAX_ANSWER_JSON_VALUES} JSON values, too many to decode`;
    return fromScan(scanner.end(), why, { reason: why, bytes: bytes.byteLength }, bad);
  }
  const parsed = { value: parseJson(text) };
  // Cleaned before anything reads, cuts or passes on a single string of it.
  if (parsed.value === undefined) throw bad(`the answer is not JSON (${excerpt(secrets.cleanUnparsed(text)) || 'empty body'})`);
  secrets.cleanJson(parsed);
  const body = parsed.value;
  if (!isRecord(body)) throw bad('the answer is not a JSON object');
  if (typeof body.status !== 'string' || body.status === '') throw bad('the answer has no "status"');
  return { status: body.status, msg: body.msg ?? null, result: body.result ?? null };
}

/**
 * `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3).
 * @returns whole seconds to wait, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function describeBody(response: Response, text: string, secrets: KnownSecrets): string {
  if (looksLikeHtml(response, text)) return 'HTML page';
  const parsed = { value: parseJson(text) };
  // Not JSON (cut short, say), yet its escapes may still spell a credential: undone and cleaned.
  if (parsed.value === undefined) return excerpt(secrets.cleanUnparsed(text));
  // Parsed first, so a credential spelt with JSON escapes is found too.
  secrets.cleanJson(parsed);
  const body = parsed.value;
  if (isRecord(body) && typeof body.detail === 'string') return excerpt(body.detail);
  return excerpt(JSON.stringify(body));
}

function looksLikeHtml(response: Response, text: string): boolean {
  return isHtml(response) || /^\s*</.test(text);
}

function isHtml(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('html');
}

function parseJson(text: string): unknown {
  // Decoding costs memory per value: a text with too many is not decoded (see json-budget.ts).
  if (exceedsJsonValues(text, MAX_ANSWER_JSON_VALUES)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** At most 200 characters of already cleaned text, on one line, never cut inside a surrogate pair. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${cutText(flat, 200)}…` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
