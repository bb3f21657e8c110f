import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAlationBaseUrl } from '../../shared/alation/base-url';
import { createAlationClient, jobStatusUrl, parseRetryAfter } from '../../shared/alation/client';
import { AlationError, ConfigError } from '../../shared/errors';
import { referenceIdExample, referenceNameExample } from '../support/alation-responses';
import { sendJson, startTestServer, type SeenRequest, type TestServer } from '../support/http-server';
import type { ServerResponse } from 'node:http';
import { MAX_ANSWER_JSON_VALUES } from '../../shared/alation/parse-limits';

const TOKEN = 'tok-3f9a-secret-value';
const NAME = 'MetadataExtraction#1_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3';

let respond: (request: SeenRequest, res: ServerResponse) => void;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer((request, res) => respond(request, res));
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const client = (timeoutMs = 2000) => createAlationClient({ baseUrl: server.url, timeoutMs });

async function failure(promise: Promise<unknown>): Promise<AlationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlationError);
  expect(String((error as Error).message)).not.toContain(TOKEN);
  return error as AlationError;
}

describe('Alation client against a real HTTP server', () => {
  it("sends the reference page's name lookup with # encoded once and the TOKEN header", async () => {
    respond = (_req, res) => sendJson(res, 200, referenceNameExample());
    const check = await client().getJobStatus({ name: NAME }, TOKEN);

    expect(check.status).toEqual(referenceNameExample());
    expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(
      '/api/v1/bulk_metadata/job/?name=MetadataExtraction%231_2017-10-05-19-36-45-431906-00-00-4ea1dc02-1c9f-41db-be6f-3f7cb1849da3',
    );
    expect(request?.headers.token).toBe(TOKEN);
    expect(request?.headers.accept).toBe('application/json');
  });

  it("sends the reference page's id lookup", async () => {
    respond = (_req, res) => sendJson(res, 200, referenceIdExample());
    const check = await client().getJobStatus({ id: 1 }, TOKEN);
    expect(check.status).toEqual(referenceIdExample());
    expect(server.requests[0]?.url).toBe('/api/v1/bulk_metadata/job/?id=1');
  });

  it('reuses its connections across consecutive checks', async () => {
    respond = (_req, res) => sendJson(res, 200, referenceIdExample());
    const c = client();
    for (let i = 0; i < 4; i++) await c.getJobStatus({ id: 1 }, TOKEN);
    expect(server.requests.map((r) => r.headers.connection)).toEqual(['keep-alive', 'keep-alive', 'keep-alive', 'keep-alive']);
    // Node's fetch keeps a small pool: four checks travel over fewer than four TCP connections.
    expect(new Set(server.requests.map((r) => r.remotePort)).size).toBeLessThan(4);
  });

  it.each([
    [401, { detail: 'Authentication failed' }, 'auth', false],
    [403, { detail: 'Authentication credentials were not provided.', code: '403000' }, 'auth', false],
    [404, { detail: 'Job not found.' }, 'not_found', false],
    [400, { detail: 'Invalid id' }, 'not_found', false],
    [500, { detail: 'boom' }, 'server_error', true],
    [503, 'Service Unavailable', 'server_error', true],
    [418, { detail: 'teapot' }, 'bad_response', true],
  ] as const)('classifies HTTP %i as %s', async (status, body, errorClass, retryable) => {
    respond = (_req, res) => sendJson(res, status, body);
    const error = await failure(client().getJobStatus({ id: 9 }, TOKEN));
    expect({ errorClass: error.errorClass, retryable: error.retryable, httpStatus: error.httpStatus }).toEqual({
      errorClass,
      retryable,
      httpStatus: status,
    });
    expect(error.message).toContain(`job status id 9: Alation answered HTTP ${status}`);
  });

  it("honours 429's Retry-After", async () => {
    respond = (_req, res) => sendJson(res, 429, { detail: 'slow down' }, { 'Retry-After': '17' });
    const error = await failure(client().getJobStatus({ id: 2 }, TOKEN));
    expect(error).toMatchObject({ errorClass: 'rate_limited', retryable: true, retryAfterSeconds: 17 });
  });

  it('classifies an HTML page as a retryable bad response', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Login</body></html>');
    };
    const error = await failure(client().getJobStatus({ id: 3 }, TOKEN));
    expect(error).toMatchObject({ errorClass: 'bad_response', retryable: true });
    expect(error.message).toBe('job status id 3: Alation answered HTTP 200 with an HTML page, not JSON');
  });

  it('classifies malformed JSON and a missing status as retryable bad responses', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status": "succ');
    };
    expect(await failure(client().getJobStatus({ id: 4 }, TOKEN))).toMatchObject({ errorClass: 'bad_response', retryable: true });
    respond = (_req, res) => sendJson(res, 200, { msg: 'x' });
    const error = await failure(client().getJobStatus({ id: 4 }, TOKEN));
    expect(error.message).toBe('job status id 4: the answer has no "status"');
  });

  it('does not follow a redirect to a login page', async () => {
    respond = (_req, res) => {
      res.writeHead(302, { Location: 'https://sso.example.invalid/login' });
      res.end();
    };
    expect(await failure(client().getJobStatus({ id: 5 }, TOKEN))).toMatchObject({ errorClass: 'bad_response', httpStatus: 302 });
  });

  it('reads the status of an answer holding more JSON values than the budget without decoding it, its result omitted', async () => {
    const body = { status: 'successful', msg: 'Job finished', result: Array.from({ length: MAX_ANSWER_JSON_VALUES }, () => ({})) };
    respond = (_req, res) => sendJson(res, 200, body);
    // A generous timeout: 750 KB on a busy machine; the timeout is not what is tested.
    const check = await client(20_000).getJobStatus({ id: 12 }, TOKEN);
    expect(check.status).toEqual({
      status: 'successful',
      msg: 'Job finished',
      result: null,
      resultOmitted: {
        reason: `the answer holds more than ${MAX_ANSWER_JSON_VALUES} JSON values, too many to decode`,
        bytes: Buffer.byteLength(JSON.stringify(body)) },
    });
  });

  it('stops keeping an answer past the size limit, declared or chunked, and reads its status from the stream', async () => {
    const small = createAlationClient({ baseUrl: server.url, timeoutMs: 2000, maxBodyBytes: 1024 });
    const body = JSON.stringify({ status: 'successful', result: 'x'.repeat(5000) });
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    expect((await small.getJobStatus({ id: 10 }, TOKEN)).status).toMatchObject({
      status: 'successful',
      result: null,
      resultOmitted: { reason: `the answer is ${body.length} bytes, more than the 1024 decoded whole`, bytes: body.length },
    });
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // no Content-Length: chunked
      for (let i = 0; i < 10; i++) res.write('x'.repeat(500));
      res.end();
    };
    expect(await failure(small.getJobStatus({ id: 11 }, TOKEN))).toMatchObject({
      errorClass: 'bad_response',
      retryable: true,
      message: 'job status id 11: the answer is larger than 1024 bytes, too large to decode, and is not a JSON object (it does not start with "{")',
    });
  });

  it('gives up after the timeout', async () => {
    respond = () => undefined; // never answers
    const error = await failure(client(150).getJobStatus({ id: 6 }, TOKEN));
    expect(error).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(error.message).toBe('job status id 6: no answer from Alation within 150 ms');
  });

  it('reports an unreachable host as a retryable network error', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();
    const error = await failure(createAlationClient({ baseUrl: closed.url, timeoutMs: 1000 }).getJobStatus({ id: 7 }, TOKEN));
    expect(error).toMatchObject({ errorClass: 'network', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('cuts the token out of anything Alation echoes back', async () => {
    respond = (_req, res) => sendJson(res, 401, { detail: `token ${TOKEN} is invalid` });
    const error = await failure(client().getJobStatus({ id: 8 }, TOKEN));
    expect(error.message).toContain('token [redacted] is invalid');
  });

  it('mints an access token from a refresh token', async () => {
    respond = (_req, res) => sendJson(res, 201, { api_access_token: 'minted-1', user_id: 5, token_status: 'ACTIVE' });
    expect(await client().createAccessToken('refresh-xyz', 5)).toBe('minted-1');
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/integration/v1/createAPIAccessToken/');
    expect(JSON.parse(request?.body ?? '')).toEqual({ refresh_token: 'refresh-xyz', user_id: 5 });
  });

  it('classifies a refused refresh token as an auth failure', async () => {
    respond = (_req, res) => sendJson(res, 401, { detail: 'Refresh token is expired' });
    const error = await failure(client().createAccessToken('refresh-xyz', 5));
    expect(error).toMatchObject({ errorClass: 'auth', retryable: false });
  });
});

describe('jobStatusUrl', () => {
  it('encodes a decoded name exactly once', () => {
    expect(jobStatusUrl('https://a.example', { name: 'A#1 b/c' })).toBe(
      'https://a.example/api/v1/bulk_metadata/job/?name=A%231%20b%2Fc',
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('parseAlationBaseUrl', () => {
  it('accepts https and strips a trailing slash', () => {
    expect(parseAlationBaseUrl('https://alation.example.com/')).toBe('https://alation.example.com');
    expect(parseAlationBaseUrl('https://example.com/alation/')).toBe('https://example.com/alation');
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9'])('accepts http to loopback %s', (url) => {
    expect(parseAlationBaseUrl(url)).toBe(url);
  });

  it.each([
    ['http://alation.example.com', 'must use https://'],
    ['http://10.0.0.1', 'must use https://'],
    ['ftp://alation.example.com', 'must use https://'],
    ['not a url', 'is not a URL'],
    ['https://user:pw@alation.example.com', 'must not contain credentials'],
    ['https://alation.example.com/?x=1', 'must not contain a query'],
  ])('rejects %s', (url, problem) => {
    expect(() => parseAlationBaseUrl(url)).toThrow(ConfigError);
    expect(() => parseAlationBaseUrl(url)).toThrow(`ALATION_BASE_URL: ${problem}`);
  });
});
