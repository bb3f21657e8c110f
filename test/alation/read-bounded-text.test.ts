import { describe, expect, it } from 'vitest';
import { readAnswer, type AnswerOverflow } from '../../shared/alation/read-bounded-text';
import { scriptedTestServer } from '../support/http-server';

const server = scriptedTestServer();

const BODY = Buffer.from(Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));

function serve(framing: 'content-length' | 'chunked'): void {
  server.respond = (_req, res) => {
    if (framing === 'content-length') {
      res.writeHead(200, { 'Content-Length': BODY.length });
      res.end(BODY);
      return;
    }
    res.writeHead(200);
    for (let i = 0; i < BODY.length; i += 500) res.write(BODY.subarray(i, i + 500));
    res.end();
  };
}

/** A sink that keeps what it is given, to compare with what was sent. */
function recordingSink(ceilingBytes: number): AnswerOverflow & { readonly received: () => Buffer } {
  const chunks: Uint8Array[] = [];
  return { mode: 'stream', ceilingBytes, sink: { write: (chunk) => chunks.push(chunk) > 0 }, received: () => Buffer.concat(chunks) };
}

describe.each(['content-length', 'chunked'] as const)('readAnswer, %s', (framing) => {
  it('returns an answer within the bytes kept as text', async () => {
    serve(framing);
    const sink = recordingSink(10_000);
    expect(await readAnswer(await fetch(server.url), 4096, 'x', sink)).toEqual({ text: BODY.toString(), bytes: BODY.length });
    expect(sink.received().length).toBe(0);
  });

  it('keeps no text past the bytes kept and hands every byte, in order, to the sink', async () => {
    serve(framing);
    const sink = recordingSink(10_000);
    expect(await readAnswer(await fetch(server.url), 1024, 'x', sink)).toEqual({ text: null, bytes: BODY.length });
    expect(sink.received().equals(BODY)).toBe(true);
  });

  it('stops when the sink needs no more', async () => {
    serve(framing);
    let writes = 0;
    const answer = await readAnswer(await fetch(server.url), 100, 'x', { mode: 'stream', ceilingBytes: 10_000, sink: { write: () => ++writes < 1 } });
    expect(answer.text).toBeNull();
    expect(writes).toBe(1);
  });

  it('refuses past the ceiling, drops or refuses past the bytes kept as asked', async () => {
    serve(framing);
    await expect(readAnswer(await fetch(server.url), 1024, 'what', recordingSink(2048))).rejects.toMatchObject({
      errorClass: 'bad_response',
      retryable: true,
      message: 'what: the answer is larger than 2048 bytes (the most read to find its status)',
    });
    expect(await readAnswer(await fetch(server.url), 1024, 'x', { mode: 'drop' })).toMatchObject({ text: null });
    await expect(readAnswer(await fetch(server.url), 1024, 'what', { mode: 'refuse' })).rejects.toThrow('what: the answer is larger than 1024 bytes');
  });
});
