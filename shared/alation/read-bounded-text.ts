import { AlationError, AlationErrorClass } from '../errors';

/**
 * What to do with an answer larger than the bytes kept whole:
 * - `refuse`: a retryable bad response (an answer that must be small, such as a token);
 * - `drop`: stop reading and keep nothing (an error answer, classified by its HTTP status alone);
 * - `stream`: hand every byte, in order, to `sink` instead of keeping it, up to `ceilingBytes`
 *   in all; past the ceiling the read is cancelled and refused. `sink.write` returning false
 *   means it needs no more bytes: the read stops there.
 */
export type AnswerOverflow =
  | { readonly mode: 'refuse' }
  | { readonly mode: 'drop' }
  | { readonly mode: 'stream'; readonly ceilingBytes: number; readonly sink: { write(chunk: Uint8Array): boolean } };

/**
 * An answer read within its bounds: `text` is the whole body when it fit in `maxBytes`, or null
 * when it did not (then it went to the overflow's sink, or was dropped). `bytes` counts the body's
 * bytes read (all of them, unless the read stopped early).
 */
export interface BoundedAnswer {
  readonly text: string | null;
  readonly bytes: number;
}

/**
 * Reads an Alation answer, keeping at most `maxBytes` of it: a declared `content-length` is
 * checked first, and chunked answers (which declare none) are counted as they arrive, so an
 * oversized answer never sits whole in memory. Past `maxBytes`, `overflow` says what happens
 * (see {@link AnswerOverflow}). Time is bounded by the caller: the fetch's abort signal (the
 * request timeout, the record's budget) also stops the body being read.
 * @throws AlationError (`bad_response`, retryable) naming `what` and the limit it passed
 */
export async function readAnswer(response: Response, maxBytes: number, what: string, overflow: AnswerOverflow): Promise<BoundedAnswer> {
  const tooLarge = (limit: number, why = '') =>
    new AlationError(AlationErrorClass.badResponse, `${what}: the answer is larger than ${limit} bytes${why}`, { httpStatus: response.status });
  const ceiling = overflow.mode === 'stream' ? overflow.ceilingBytes : maxBytes;
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes && overflow.mode !== 'stream') {
    await response.body?.cancel();
    if (overflow.mode === 'drop') return { text: null, bytes: declared };
    throw tooLarge(maxBytes);
  }
  if (declared > ceiling) {
    await response.body?.cancel();
    throw tooLarge(ceiling, ' (the most read to find its status)');
  }
  if (!response.body) return { text: '', bytes: 0 };
  const reader = response.body.getReader();
  // A declared size past the cap goes straight to the sink: nothing is kept on the way.
  let chunks: Uint8Array[] | null = declared > maxBytes ? null : [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (chunks !== null && size > maxBytes) {
      if (overflow.mode !== 'stream') {
        await reader.cancel();
        if (overflow.mode === 'drop') return { text: null, bytes: size };
        throw tooLarge(maxBytes);
      }
      // From here on nothing is kept: what was kept so far goes to the sink first, in order.
      const kept = chunks;
      chunks = null;
      if (!kept.every((chunk) => overflow.sink.write(chunk))) return stop(reader, size);
    }
    if (chunks !== null) chunks.push(value);
    else if (overflow.mode === 'stream') {
      if (size > overflow.ceilingBytes) {
        await reader.cancel();
        throw tooLarge(overflow.ceilingBytes, ' (the most read to find its status)');
      }
      if (!overflow.sink.write(value)) return stop(reader, size);
    }
  }
  return chunks === null ? { text: null, bytes: size } : { text: Buffer.concat(chunks).toString('utf8'), bytes: size };
}

async function stop(reader: ReadableStreamDefaultReader<Uint8Array>, size: number): Promise<BoundedAnswer> {
  await reader.cancel();
  return { text: null, bytes: size };
}

/**
 * Reads an answer that must be small (a token, a token check) as text, refusing one larger
 * than `maxBytes` as a retryable bad response. See {@link readAnswer}.
 */
export async function readBoundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  return (await readAnswer(response, maxBytes, what, { mode: 'refuse' })).text ?? '';
}
