/**
 * Guards the scanner's cleaning (issue 11 review, redaction): a `msg` that is JSON text spelling
 * the token with `\u` escapes. Under 4 MiB the client decodes the answer and
 * `KnownSecrets.cleanJson` looks into every string that is JSON text, so the escaped token is
 * cut out of `msg`. Over 4 MiB the scanner must clean `msg` and `status` the same way
 * (`KnownSecrets.cleanString`), or the outcome's message carries the token to anyone who reads
 * it as the JSON it is. A real HTTP server on loopback.
 */
import { describe, expect, it } from 'vitest';
import { createAlationClient } from '../../shared/alation/client';
import { scriptedTestServer } from '../support/http-server';

const TOKEN = 'tok-attack3-escaped-msg-4f2e91';
const MiB = 1024 * 1024;

const server = scriptedTestServer();

const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** A status answer whose `msg` is JSON text holding the escaped token, padded by `result` to `bytes`. */
function answer(bytes: number): Buffer {
  // As a JSON value: "{\"detail\": \"refused \\u0074\\u006f…\"}" — no literal token anywhere.
  const msg = JSON.stringify(`{"detail": "refused ${escaped(TOKEN)}"}`);
  const head = Buffer.from(`{"status": "failed", "msg": ${msg}, "result": "`);
  const tail = Buffer.from('"}');
  return Buffer.concat([head, Buffer.alloc(bytes - head.length - tail.length, 'x'), tail]);
}

async function msgOf(body: Buffer): Promise<string> {
  server.respond = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
    res.end(body);
  };
  const { status } = await createAlationClient({ baseUrl: server.url, timeoutMs: 20_000 }).getJobStatus({ id: 9 }, TOKEN);
  expect(status.status).toBe('failed');
  return status.msg as string;
}

describe('a msg that spells the token with JSON escapes', () => {
  it.each([
    ['a small answer', 1024],
    ['an answer over 4 MiB', 5 * MiB],
  ])('is cleaned of it in %s', async (_what, bytes) => {
    const msg = await msgOf(answer(bytes));
    expect(msg).not.toContain(TOKEN);
    // Read as the JSON it is, the msg must not spell the token either.
    expect(JSON.stringify(JSON.parse(msg))).not.toContain(TOKEN);
  });

  it('is cleaned of it when it is the status (an unknown status, logged and kept as the last status) over 4 MiB', async () => {
    const status = JSON.stringify(`{"state": "${escaped(TOKEN)}"}`);
    const head = Buffer.from(`{"status": ${status}, "result": "`);
    const body = Buffer.concat([head, Buffer.alloc(5 * MiB, 'x'), Buffer.from('"}')]);
    server.respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
      res.end(body);
    };
    const read = (await createAlationClient({ baseUrl: server.url, timeoutMs: 20_000 }).getJobStatus({ id: 10 }, TOKEN)).status.status;
    // Not {"state": "\u0074\u006f…"}, which decodes to the token.
    expect(JSON.stringify(JSON.parse(read))).not.toContain(TOKEN);
  });
});
