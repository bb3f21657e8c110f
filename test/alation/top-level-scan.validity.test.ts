/**
 * Guards the scanner's validation (issue 11 review): an answer over 4 MiB, or under it with more
 * values than are decoded, is read by the top-level scanner instead of JSON.parse. An answer that
 * is not JSON (a bracket closed by the wrong kind, a bare word, a bad escape) must be the same
 * retryable bad response at any size, never a job published as finished: the status of a job
 * must not depend on the size of the garbage around it. A real HTTP server on loopback.
 */
import { describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';
import { MAX_ANSWER_BYTES, MAX_ANSWER_JSON_VALUES } from '../../shared/alation/parse-limits';
import { AlationError, AlationErrorClass } from '../../shared/errors';
import { scriptedTestServer } from '../support/http-server';

const TOKEN = 'tok-attack3-invalid-json-0123';
const MiB = 1024 * 1024;

const server = scriptedTestServer();

const client = () => createAlationClient({ baseUrl: server.url, timeoutMs: 20_000 });

/** `{"result": <open>"xxx…"<close>, "status": "successful"}` of exactly `bytes` bytes. */
function answer(bytes: number, open: string, close: string): Buffer {
  const head = Buffer.from(`{"result": ${open}"`);
  const tail = Buffer.from(`"${close}, "status": "successful"}`);
  return Buffer.concat([head, Buffer.alloc(bytes - head.length - tail.length, 'x'), tail]);
}

function serve(body: Buffer): void {
  server.respond = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
    res.end(body);
  };
}

async function outcomeOf(body: Buffer): Promise<string> {
  serve(body);
  try {
    const { status } = await client().getJobStatus({ id: 7 }, TOKEN);
    return `status ${status.status}`;
  } catch (error) {
    if (error instanceof AlationError) return `error ${error.errorClass}`;
    throw error;
  }
}

// Each is invalid JSON: JSON.parse refuses it.
const BROKEN: readonly (readonly [string, string, string])[] = [
  ['a list closed by a brace', '[', '}'],
  ['an object closed by a bracket', '{"a": [', ']]'],
  ['a bad escape inside the skipped result', '"\\q", "r": ', ''],
  ['a bare word beside the result', 'nope, "r": ', ''],
];

describe('an answer that is not JSON', () => {
  it.each(BROKEN)('(%s) is refused as not JSON when under 4 MiB', async (_what, open, close) => {
    const body = answer(MAX_ANSWER_BYTES - 1024, open, close);
    expect(() => JSON.parse(body.toString())).toThrow(SyntaxError);
    expect(await outcomeOf(body)).toBe(`error ${AlationErrorClass.badResponse}`);
  });

  it.each(BROKEN)('(%s) is still a retryable bad response, not a finished job, when over 4 MiB', async (_what, open, close) => {
    const body = answer(5 * MiB, open, close);
    expect(() => JSON.parse(body.toString())).toThrow(SyntaxError);
    // Not "status successful": the job must not be published as finished on a broken answer.
    expect(await outcomeOf(body)).toBe(`error ${AlationErrorClass.badResponse}`);
  });

  it('(a list closed by a brace) is a retryable bad response when under 4 MiB but holding more values than are decoded', async () => {
    // Under 4 MiB, so read whole; too many values to decode, so scanned like an oversized answer.
    const body = Buffer.from(`{"result": [${'0,'.repeat(MAX_ANSWER_JSON_VALUES + 10)}0}, "status": "successful"}`);
    expect(body.byteLength).toBeLessThan(MAX_ANSWER_BYTES);
    expect(() => JSON.parse(body.toString())).toThrow(SyntaxError);
    expect(await outcomeOf(body)).toBe(`error ${AlationErrorClass.badResponse}`);
  });
});
