/**
 * Redaction at the source: whatever Alation sends back (an error body, a 2xx status, msg or
 * result, JSON-escaped or not, wherever the 200-character excerpt cuts), no piece of the access
 * token or of the refresh token it was minted from comes out of the client.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAlationClient, type AlationClient } from '../../shared/alation/client';
import { isSendableText } from '../../shared/contracts/sendable-text';

// Token letters never appear in the filler, nor four in a row in the client's own words
// ("HTTP", "JSON", "HTML"), so any four of them in a row in the output come from a token.
const TOKEN_LETTERS = 'QWZXKJVBM';
const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789 .,:-_\n';
const tokenArb = fc.string({ unit: fc.constantFrom(...TOKEN_LETTERS), minLength: 16, maxLength: 48 });
const fillerArb = (maxLength: number) => fc.string({ unit: fc.constantFrom(...FILLER), maxLength });

/** Every four-character piece of the secret: none may appear in what the client lets out. */
function expectNoPieceOf(secret: string, output: string): void {
  for (let i = 0; i + 4 <= secret.length; i++) {
    const piece = secret.slice(i, i + 4);
    if (output.includes(piece)) throw new Error(`piece ${JSON.stringify(piece)} of a secret leaked at ${output.indexOf(piece)}: ${output}`);
  }
}

/** The secret as JSON may spell it: each character plain or as a \uXXXX escape, chosen by `mask`. */
function jsonSpelling(secret: string, mask: readonly boolean[]): string {
  return [...secret].map((c, i) => (mask[i % mask.length] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
}

function clientAnswering(answer: () => { status: number; body: string; contentType?: string }, maxBodyBytes?: number): AlationClient {
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const { status, body, contentType } = answer();
    const url = String(input);
    if (url.endsWith('/integration/v1/createAPIAccessToken/')) return Response.json({ api_access_token: ACCESS_AFTER_MINT });
    return new Response(body, { status, headers: { 'content-type': contentType ?? 'application/json' } });
  };
  return createAlationClient({ baseUrl: 'https://alation.example.com', timeoutMs: 1000, fetch: fetch as typeof globalThis.fetch, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
}
const ACCESS_AFTER_MINT = 'ZQXWVKJBMZQXWVKJBMZQ';

/** Everything the check lets out: its result, or its error's message. */
async function output(client: AlationClient, token: string): Promise<string> {
  try {
    const check = await client.getJobStatus({ id: 7 }, token);
    return JSON.stringify(check.status);
  } catch (error) {
    return (error as Error).message;
  }
}

describe('redaction at the source', () => {
  it('cuts a token out of an error body at every offset, including every one that straddles the 200-character excerpt', async () => {
    const token = 'QWZXKJVBMQWZXKJVBMQWZXKJ';
    for (let offset = 0; offset <= 260; offset++) {
      for (const form of ['text', 'detail', 'json'] as const) {
        const text = `${'a'.repeat(offset)}${token}${' tail'.repeat(20)}`;
        const body = form === 'text' ? text : form === 'detail' ? JSON.stringify({ detail: text }) : JSON.stringify({ error: text });
        const message = await output(clientAnswering(() => ({ status: 500, body, contentType: form === 'text' ? 'text/plain' : 'application/json' })), token);
        expectNoPieceOf(token, message);
        expect(message.length).toBeLessThan(400);
      }
    }
  });

  it('cuts the token out of any answer, 2xx or not, whatever its JSON spelling', async () => {
    const answerArb = fc.record({
      token: tokenArb,
      mask: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      before: fillerArb(300),
      after: fillerArb(300),
      httpStatus: fc.constantFrom(200, 200, 200, 400, 401, 404, 429, 500, 503),
      where: fc.constantFrom('status', 'msg', 'result', 'nestedResult', 'embeddedResult', 'detail', 'key', 'notJson'),
      // Past the bytes decoded whole, a 2xx answer's status and msg come from the streaming scanner.
      oversized: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(answerArb, async ({ token, mask, before, after, httpStatus, where, oversized }) => {
        const spelt = `${before}${jsonSpelling(token, mask)}${after}`.replace(/\n/g, '\\n');
        const bodies: Record<typeof where, string> = {
          status: `{"status": "${spelt}", "msg": "m", "result": null}`,
          msg: `{"status": "running", "msg": "${spelt}", "result": null}`,
          result: `{"status": "failed", "msg": "", "result": "${spelt}"}`,
          nestedResult: `{"status": "failed", "result": {"error_objects": ["${spelt}"], "error": {"deep": ["${spelt}"]}}}`,
          // JSON inside the result string: its escapes are doubled, and spell the token only once parsed again.
          embeddedResult: `{"status": "failed", "result": ${JSON.stringify(`{"error_objects": ["${spelt}"], "error": ""}`)}}`,
          detail: `{"detail": "${spelt}"}`,
          key: `{"status": "failed", "result": {"${spelt}": 1}}`,
          notJson: `${before}${token}${after}`,
        };
        const message = await output(clientAnswering(() => ({ status: httpStatus, body: bodies[where] }), oversized ? 16 : undefined), token);
        expectNoPieceOf(token, message);
        // A result holding JSON is read once more by the result parser: it must be clean too.
        const parsed = JSON.parse(message.startsWith('{') ? message : '{}') as { result?: unknown };
        if (typeof parsed.result === 'string' && parsed.result.startsWith('{')) expectNoPieceOf(token, JSON.stringify(JSON.parse(parsed.result)));
        expect(isSendableText(message)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('cuts the refresh token out as well, once the client has minted an access token from it', async () => {
    await fc.assert(
      fc.asyncProperty(tokenArb, fillerArb(250), fc.constantFrom(200, 401, 500), async (refreshToken, before, httpStatus) => {
        const body = httpStatus === 200
          ? JSON.stringify({ status: 'failed', msg: `${before}${refreshToken}`, result: `refresh ${refreshToken}` })
          : JSON.stringify({ detail: `${before}${refreshToken}` });
        const client = clientAnswering(() => ({ status: httpStatus, body }));
        const access = await client.createAccessToken(refreshToken, 5);
        const message = await output(client, access);
        expectNoPieceOf(refreshToken, message);
        expectNoPieceOf(ACCESS_AFTER_MINT, message);
      }),
      { numRuns: 300 },
    );
  });

  it('makes every string from Alation sendable: lone surrogates and U+FFFE/U+FFFF become U+FFFD', async () => {
    const body = '{"status": "runn\\ud800ing\\uffff", "msg": "a\\udc00\\ufffe", "result": {"error_objects": ["x\\ud83d"]}}';
    const check = await clientAnswering(() => ({ status: 200, body })).getJobStatus({ id: 1 }, 'QWZXKJVBMQWZXKJVBM');
    expect(check.status).toEqual({ status: 'runn\uFFFDing\uFFFD', msg: 'a\uFFFD\uFFFD', result: { error_objects: ['x\uFFFD'] } });
    const error = await clientAnswering(() => ({ status: 503, body: '{"detail": "busy \\uffff"}' }))
      .getJobStatus({ id: 1 }, 'QWZXKJVBMQWZXKJVBM')
      .catch((e: Error) => e);
    expect((error as Error).message).toContain('busy \uFFFD');
  });

  it('never cuts an excerpt inside a surrogate pair', async () => {
    for (let offset = 195; offset <= 201; offset++) {
      const detail = `${'a'.repeat(offset)}${'😀'.repeat(10)}`;
      const error = await clientAnswering(() => ({ status: 500, body: JSON.stringify({ detail }) })).getJobStatus({ id: 1 }, 'QWZXKJVBMQWZXKJVBM').catch((e: Error) => e);
      expect(isSendableText((error as Error).message)).toBe(true);
    }
  });

  it('refuses a lone surrogate in a job name with a typed error instead of a URIError', async () => {
    const error = await clientAnswering(() => ({ status: 200, body: '{"status": "running"}' })).getJobStatus({ name: 'job\uD800' }, 'QWZXKJVBMQWZXKJVBM').catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidJobReferenceError' });
  });

  it('cleans a result nested deeper than the call stack would allow', async () => {
    const token = 'QWZXKJVBMQWZXKJVBMQWZXKJ';
    const depth = 100_000;
    const body = `{"status": "failed", "result": ${'['.repeat(depth)}"${token}"${']'.repeat(depth)}}`;
    const check = await clientAnswering(() => ({ status: 200, body })).getJobStatus({ id: 1 }, token);
    let node: unknown = check.status.result;
    for (let i = 0; i < depth; i++) node = (node as unknown[])[0];
    expect(node).toBe('[redacted]');
  });
});
