/**
 * Issue 11: an Alation status answer too large to decode (over 4 MiB) still yields the job's
 * true status, read from the stream by the top-level scanner, with the result omitted; past the
 * 64 MiB ceiling, or with no readable status, it stays a retryable bad response. A real HTTP
 * server on loopback, answering with and without a content-length.
 */
import { describe, expect, it } from 'vitest';
import { createAlationClient, type AlationClientOptions } from '../../shared/alation/client';
import { MAX_ANSWER_BYTES, MAX_SCANNED_ANSWER_BYTES } from '../../shared/alation/parse-limits';
import { REDACTED } from '../../shared/alation/redact';
import { AlationError } from '../../shared/errors';
import { scriptedTestServer } from '../support/http-server';

const TOKEN = 'tok-3f9a-secret-value-0123';
const MiB = 1024 * 1024;

const server = scriptedTestServer();

const client = (options: Partial<AlationClientOptions> = {}) => createAlationClient({ baseUrl: server.url, timeoutMs: 20_000, ...options });

/** An answer of `head`, then a `result` string of `x` filling it to `bytes`, then `tail`. */
function answer(bytes: number, head: string, tail = ''): Buffer {
  const open = Buffer.from(`{${head}${head ? ', ' : ''}"result": "`);
  const close = Buffer.from(`"${tail ? ', ' : ''}${tail}}`);
  return Buffer.concat([open, Buffer.alloc(bytes - open.length - close.length, 'x'), close]);
}

/** Serves `body` with a content-length, or chunked in 1 MiB writes. */
function serve(body: Buffer, framing: 'content-length' | 'chunked', status = 200, contentType = 'application/json'): void {
  server.respond = (_req, res) => {
    if (framing === 'content-length') {
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.byteLength });
      res.end(body);
      return;
    }
    res.writeHead(status, { 'Content-Type': contentType });
    for (let i = 0; i < body.length; i += MiB) res.write(body.subarray(i, i + MiB));
    res.end();
  };
}

async function failure(promise: Promise<unknown>): Promise<AlationError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlationError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as AlationError;
}

describe('an oversized status answer', () => {
  describe.each(['content-length', 'chunked'] as const)('sent with %s', (framing) => {
    it.each([5, 40])('of %i MiB with status first yields the true status once, its result omitted', async (mib) => {
      const body = answer(mib * MiB, '"status": "failed", "msg": "Job finished in 812.0 seconds at 2026-01-01 00:00:00+00:00"');
      serve(body, framing);
      const { status } = await client().getJobStatus({ id: 1 }, TOKEN);
      expect(status).toEqual({
        status: 'failed',
        msg: 'Job finished in 812.0 seconds at 2026-01-01 00:00:00+00:00',
        result: null,
        resultOmitted: { reason: `the answer is ${body.length} bytes, more than the ${MAX_ANSWER_BYTES} decoded whole`, bytes: body.length },
      });
    });

    it('yields the status when it comes after the result, past the bytes kept', async () => {
      serve(answer(6 * MiB, '', '"status": "successful"'), framing);
      expect((await client().getJobStatus({ id: 2 }, TOKEN)).status).toMatchObject({ status: 'successful', msg: null, result: null });
    });

    it('is a retryable bad response naming what is missing when it has no top-level status', async () => {
      serve(answer(5 * MiB, '"msg": "x", "detail": {"status": "successful"}'), framing);
      expect(await failure(client().getJobStatus({ id: 3 }, TOKEN))).toMatchObject({
        errorClass: 'bad_response',
        retryable: true,
        message: `job status id 3: the answer is larger than ${MAX_ANSWER_BYTES} bytes, too large to decode, and has no top-level "status"`,
      });
    });

    it('is a retryable bad response past the ceiling of bytes read', async () => {
      serve(answer(3 * MiB, '"status": "successful"'), framing);
      const error = await failure(client({ maxBodyBytes: MiB, maxScannedBodyBytes: 2 * MiB }).getJobStatus({ id: 4 }, TOKEN));
      expect(error).toMatchObject({
        errorClass: 'bad_response',
        retryable: true,
        message: `job status id 4: the answer is larger than ${2 * MiB} bytes (the most read to find its status)`,
      });
    });

    it('is a retryable bad response when it is cut short', async () => {
      serve(answer(5 * MiB, '"status": "successful"').subarray(0, 5 * MiB - 10), framing);
      expect((await failure(client().getJobStatus({ id: 5 }, TOKEN))).message).toBe(
        `job status id 5: the answer is larger than ${MAX_ANSWER_BYTES} bytes, too large to decode, and is not a JSON object (it ends before its closing brace)`,
      );
    });

    it('never passes on the token, plain or spelt with \\u escapes, from its status or msg', async () => {
      const spelt = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      serve(answer(5 * MiB, `"msg": "token ${TOKEN} and ${spelt} refused", "status": "fail${spelt}"`), framing);
      const { status } = await client().getJobStatus({ id: 6 }, TOKEN);
      expect(status).toMatchObject({ status: `fail${REDACTED}`, msg: `token ${REDACTED} and ${REDACTED} refused` });
      expect(JSON.stringify(status)).not.toContain(TOKEN.slice(4, 12));
    });

    it('reads keys spelt with escapes, steps over a nested status and escaped quotes, and makes lone surrogates sendable', async () => {
      const head = '"detail": {"status": "successful", "s": "\\"status\\": \\"successful\\""}, "st\\u0061tus": "fa\\ud800iled", "m\\u0073g": "a \\"quoted\\" \\udc00 msg"';
      serve(answer(5 * MiB, head), framing);
      expect((await client().getJobStatus({ id: 7 }, TOKEN)).status).toMatchObject({ status: 'fa\uFFFDiled', msg: 'a "quoted" \uFFFD msg' });
    });
  });

  it('is classified by its HTTP status, its body unread, when it is an error answer', async () => {
    serve(answer(5 * MiB, '"detail": "gone"'), 'content-length', 404);
    expect(await failure(client().getJobStatus({ id: 8 }, TOKEN))).toMatchObject({ errorClass: 'not_found', httpStatus: 404, message: 'job status id 8: Alation answered HTTP 404: no such job' });
    serve(answer(5 * MiB, '"detail": "busy"'), 'chunked', 503);
    expect(await failure(client().getJobStatus({ id: 9 }, TOKEN))).toMatchObject({ errorClass: 'server_error', retryable: true, httpStatus: 503 });
  });

  it('is a retryable bad response when it is an HTML page, whatever its size', async () => {
    serve(Buffer.alloc(5 * MiB, '<p>'), 'chunked', 200, 'text/html');
    expect((await failure(client().getJobStatus({ id: 10 }, TOKEN))).message).toBe('job status id 10: Alation answered HTTP 200 with an HTML page, not JSON');
  });

  it('stops reading at the request timeout when the answer drips in without end', async () => {
    server.respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(answer(2 * MiB, '"status": "successful"').subarray(0, 2 * MiB - 2));
      const drip = setInterval(() => res.write('x'.repeat(1024)), 20);
      res.on('close', () => clearInterval(drip));
    };
    const error = await failure(client({ maxBodyBytes: MiB, timeoutMs: 500 }).getJobStatus({ id: 11 }, TOKEN));
    expect(error).toMatchObject({ errorClass: 'timeout', retryable: true });
  });

  it('refuses at once an answer declaring more than the default 64 MiB ceiling, without reading it', async () => {
    server.respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': MAX_SCANNED_ANSWER_BYTES + 1 });
      res.write('{"status": "successful", "result": "'); // and nothing more: the client must not wait for the rest
    };
    expect(await failure(client().getJobStatus({ id: 12 }, TOKEN))).toMatchObject({
      errorClass: 'bad_response',
      message: `job status id 12: the answer is larger than ${64 * MiB} bytes (the most read to find its status)`,
    });
  });
});
